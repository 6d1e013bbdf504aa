package dev.jlm.checkpoint;

import dev.jlm.JlmException;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a model's weights and config, whichever tool wrote them:
 * <ul>
 *   <li>a jlm checkpoint: {@code NAME.safetensors} with the config in its metadata;</li>
 *   <li>a PyTorch {@code state_dict} saved with {@code safetensors.torch.save_file} (no metadata), with a
 *       {@code config.json} beside it or the missing settings given by the user;</li>
 *   <li>a HuggingFace-layout folder: {@code DIR/config.json} + {@code DIR/model.safetensors}.</li>
 * </ul>
 * What the tensors' shapes tell (vocab size, d_model, layers, d_ff) is read from them; a config or a given setting
 * that disagrees is an error, and what they cannot tell (heads, context length, RoPE θ) is asked for by name. The
 * architecture variants (norm, position, ffn) come from the config or the user, never from which tensors are there.
 * Then the file must hold exactly the tensors that config builds, with their shapes — checked from the header alone,
 * before any tensor is allocated: a missing, misnamed or extra tensor is refused by name.
 */
public final class ModelFiles {
    public static final String CONFIG = "config.json", WEIGHTS = "model.safetensors";
    /** The one setting a user may change from a model's own: run it at another context length (RoPE and NoPE both extend). */
    public static final String LONGER_CONTEXT = "context_length";
    /** Prefixes that wrappers add to state-dict names: DistributedDataParallel's and torch.compile's. */
    private static final List<String> WRAPPER_PREFIXES = List.of("module.", "_orig_mod.");
    private static final Pattern LAYER = Pattern.compile("^" + TransformerLm.LAYERS + "\\.(\\d{1,9})\\.");

    /** The weights file, its model config, and where the config came from (for messages). */
    public record Resolved(Path weights, ModelConfig config, String configSource) {}

    /** Where a state dict shows a setting: this axis of this tensor. */
    private record Located(String tensor, int axis) {}

    /** Found in the schema itself: the parameters of a probe config whose dimensions are distinct primes. */
    private static final Map<String, Located> DIMENSIONS = locateDimensions();

    private ModelFiles() {}

    private static Map<String, Located> locateDimensions() {
        Map<String, Integer> probe = new LinkedHashMap<>();
        probe.put("vocab_size", 1009);
        probe.put("d_model", 26);            // one head of 26: even, as RoPE needs
        probe.put("d_ff", 37);
        ModelConfig c = ModelConfig.builder().vocabSize(1009).dModel(26).numHeads(1).dFf(37).numLayers(1).contextLength(4).build();
        Map<String, long[]> shapes = TransformerLm.parameterShapes(c);
        Map<String, Located> out = new LinkedHashMap<>();
        probe.forEach((key, size) -> {
            for (var e : shapes.entrySet()) {
                for (int axis = 0; axis < e.getValue().length && !out.containsKey(key); axis++) {
                    if (e.getValue()[axis] == size) out.put(key, new Located(e.getKey(), axis));
                }
            }
            if (!out.containsKey(key)) throw new IllegalStateException("no parameter shows " + key);
        });
        return out;
    }

    /** {@link #resolve(Path, Map, UnaryOperator)} naming the given settings by their keys. */
    public static Resolved resolve(Path checkpoint, Map<String, Object> given) throws IOException {
        return resolve(checkpoint, given, UnaryOperator.identity());
    }

    /** {@link #resolve(Path, Map, UnaryOperator, boolean)} where a given context_length runs the model at that context. */
    public static Resolved resolve(Path checkpoint, Map<String, Object> given, UnaryOperator<String> named) throws IOException {
        return resolve(checkpoint, given, named, true);
    }

    /**
     * @param checkpoint a safetensors file or a folder holding config.json and model.safetensors
     * @param given      settings the user gave (keys of {@link ConfigJson}, values of the setting's type); each must agree
     *                   with the files
     * @param named      how messages name a given setting (the CLI: by its flag)
     * @param otherContext whether a given context_length may differ from the one the files declare ({@link #LONGER_CONTEXT}:
     *                   run the model at another context); without it (export: the model's own config) it must agree too
     */
    public static Resolved resolve(Path checkpoint, Map<String, Object> given, UnaryOperator<String> named, boolean otherContext)
            throws IOException {
        Path weights = checkpoint, configFile = checkpoint.toAbsolutePath().resolveSibling(CONFIG);
        if (Files.isDirectory(checkpoint)) {
            weights = checkpoint.resolve(WEIGHTS);
            configFile = checkpoint.resolve(CONFIG);
            if (!Files.isRegularFile(weights)) {
                throw new JlmException(checkpoint + ": no " + WEIGHTS + " in this folder (a model folder holds " + CONFIG + " and " + WEIGHTS + ")"
                        + (Files.isRegularFile(checkpoint.resolve("last.safetensors")) ? "; it is a run folder: give its checkpoint, "
                        + checkpoint.resolve("last.safetensors") : ""));
            }
        } else {
            dev.jlm.io.Inputs.requireFile(checkpoint, "checkpoint");
        }
        Safetensors.Header raw = Safetensors.readHeader(weights), header = canonical(raw, weights);
        Map<String, Object> declared = Map.of();
        String declaredBy = null;
        if (Files.isDirectory(checkpoint) && Files.isRegularFile(configFile)) {      // the HF layout: its config.json is the model's
            declaredBy = configFile.toString();
            declared = ConfigJson.parse(Files.readString(configFile), declaredBy);
            if (header.metadata().containsKey("config")) {
                declared = agreeing(declared, configFile, ConfigJson.parse(header.metadata().get("config"), weights + " (its metadata)"), weights);
            }
        } else if (header.metadata().containsKey("config")) {                  // a jlm checkpoint: its own config (a config.json beside it is not read)
            declaredBy = weights + " (its metadata)";
            declared = ConfigJson.parse(header.metadata().get("config"), declaredBy);
        } else if (Files.isRegularFile(configFile)) {
            declaredBy = configFile.toString();
            declared = ConfigJson.parse(Files.readString(configFile), declaredBy);
        }
        Map<String, Object> shapes = fromShapes(header, weights);
        if (savedTied(raw.entries().keySet(), raw.metadata())) shapes.put("tie_embeddings", true);

        Map<String, Object> merged = new LinkedHashMap<>();
        for (String k : ConfigJson.keys()) {
            Object d = declared.get(k), s = shapes.get(k), g = given.get(k);
            if (d != null && s != null && !Objects.equals(d, s)) {
                throw new JlmException(declaredBy + " says " + k + " " + d + " but the tensors of " + weights + " have " + k + " " + s);
            }
            Object known = d != null ? d : s;
            if (k.equals(LONGER_CONTEXT) && g != null && otherContext) known = null;   // not a property of the weights: the user's value wins
            if (g != null && known != null && !Objects.equals(g, known)) {
                throw new JlmException(named.apply(k) + " " + dev.jlm.config.Settings.spell(g) + " disagrees with " + weights + ": " + k + " is "
                        + dev.jlm.config.Settings.spell(known) + (d != null ? " in " + declaredBy : " by its tensors' shapes")
                        + (k.equals(LONGER_CONTEXT) ? " (an export keeps the model's own config; eval and generate run a model at another context)" : ""));
            }
            if (known != null || g != null) merged.put(k, known != null ? known : g);
        }
        List<String> missing = new ArrayList<>();
        for (String k : List.of("num_heads", "context_length")) if (!merged.containsKey(k)) missing.add(k);
        boolean rope = merged.get("position") != ModelConfig.Position.NONE;
        if (!merged.containsKey("rope_theta") && rope) missing.add("rope_theta");
        if (!missing.isEmpty()) {
            throw new JlmException(weights + " carries no model config (no jlm metadata, no " + CONFIG + " beside it) and its tensors cannot tell "
                    + String.join(", ", missing) + ": give " + String.join(" ", missing.stream().map(named).toList())
                    + ", or write them into " + configFile);
        }
        merged.putIfAbsent("rope_theta", 10_000.0);   // unused without RoPE
        String source = declaredBy != null ? declaredBy : weights.toString();
        ModelConfig config = ConfigJson.toConfig(merged, source);
        checkTensors(header, config, weights, declaredBy != null ? "the config in " + declaredBy : "the config (" + describe(config) + ")");
        return new Resolved(weights, config, declaredBy != null ? declaredBy : "the tensors' shapes and the given settings");
    }

    /** Settings with a usual value, which a config may leave out: compared at that value when one side does. */
    private static final List<String> USUAL = List.of("norm", "position", "ffn", "tie_embeddings");

    /**
     * A folder's config.json and the config in its weights' metadata (jlm's export writes both) as one: where both say a
     * setting (or one says it and the other leaves it at its usual value) they must agree; the file's value, else the
     * metadata's.
     */
    private static Map<String, Object> agreeing(Map<String, Object> file, Path configFile, Map<String, Object> meta, Path weights) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : ConfigJson.keys()) {
            Object a = file.get(k), b = meta.get(k), usual = USUAL.contains(k) ? dev.jlm.config.Settings.find(ModelConfig.class, k).defaultValue() : null;
            Object ea = a != null ? a : usual, eb = b != null ? b : usual;
            if ((a != null || b != null) && ea != null && eb != null && !ea.equals(eb)) {
                throw new JlmException(configFile + " says " + k + " " + dev.jlm.config.Settings.spell(ea) + " but " + weights + " (its metadata) says "
                        + dev.jlm.config.Settings.spell(eb) + ": a model folder's config.json and its weights' config must agree");
            }
            if (a != null || b != null) out.put(k, a != null ? a : b);
        }
        return out;
    }

    private static final String EMBEDDING = "token_embeddings.weight", HEAD = "lm_head.weight";

    /**
     * A tied model as {@code safetensors.torch.save_model} writes it: it keeps lm_head.weight, drops the embedding it
     * shares storage with, and records that in the metadata ({"token_embeddings.weight": "lm_head.weight"}).
     */
    static boolean savedTied(java.util.Set<String> names, Map<String, String> metadata) {
        return !names.contains(EMBEDDING) && names.contains(HEAD) && HEAD.equals(metadata.get(EMBEDDING));
    }

    /**
     * A file's names as a CS336 state dict's (a header's entries, or the tensors read from it): transformers' Llama names
     * turned back ({@link LlamaFolder}), and save_model's kept lm_head.weight read as the embedding it is.
     */
    private static <T> Map<String, T> cs336Names(Map<String, T> byName, Map<String, String> metadata, Path file) {
        Map<String, T> m = LlamaFolder.cs336Names(byName, file);
        if (!savedTied(m.keySet(), metadata)) return m;
        m = new LinkedHashMap<>(m);
        m.put(EMBEDDING, m.remove(HEAD));
        return m;
    }

    static Safetensors.Header canonical(Safetensors.Header h, Path file) {
        return new Safetensors.Header(cs336Names(h.entries(), h.metadata(), file), h.metadata(), h.dataStart());
    }

    /** The tensors of {@code file} read as {@link #canonical(Safetensors.Header, Path)} reads its header, for a model of config {@code c}. */
    static Map<String, dev.jlm.tensor.Tensor> canonical(Safetensors.Contents read, ModelConfig c, Path file) {
        Map<String, dev.jlm.tensor.Tensor> t = cs336Names(read.tensors(), read.metadata(), file);
        return LlamaFolder.holds(read.tensors().keySet()) ? LlamaFolder.ropeRowsReordered(t, c, false) : t;
    }

    /** What the state dict's shapes tell of the config: the dimensions, and the layer count from the layers' names. */
    static Map<String, Object> fromShapes(Safetensors.Header h, Path file) {
        Map<String, Safetensors.Entry> e = h.entries();
        Map<String, Object> m = new LinkedHashMap<>();
        for (var d : DIMENSIONS.entrySet()) {
            Safetensors.Entry t = e.get(d.getValue().tensor());
            if (t != null && t.shape().length > d.getValue().axis()) m.put(d.getKey(), toInt(t.shape()[d.getValue().axis()], file));
        }
        if (!m.containsKey("vocab_size")) {
            for (String prefix : WRAPPER_PREFIXES) {
                if (!e.isEmpty() && e.keySet().stream().allMatch(n -> n.startsWith(prefix))) {
                    throw new JlmException(file + ": every tensor name starts with '" + prefix + "' (a state dict of a wrapped model: "
                            + (prefix.equals("module.") ? "DistributedDataParallel" : "torch.compile") + "); save the inner model's"
                            + " state_dict (model." + (prefix.equals("module.") ? "module" : "_orig_mod") + ".state_dict()), or strip the prefix"
                            + " from the names before safetensors.torch.save_file");
                }
            }
            throw new JlmException(file + ": not a CS336 Transformer LM state dict (no " + DIMENSIONS.get("vocab_size").tensor() + ")");
        }
        int layers = 0;
        for (String name : e.keySet()) {
            Matcher x = LAYER.matcher(name);
            if (x.find()) layers = Math.max(layers, Integer.parseInt(x.group(1)) + 1);
        }
        if (layers > 0) m.put("num_layers", layers);
        return m;
    }

    /**
     * The file holds exactly the tensors the config builds: each with its shape and a floating-point dtype, none
     * missing, none more. {@code configSource} says where the config came from, for the messages.
     */
    static void checkTensors(Safetensors.Header h, ModelConfig c, Path file, String configSource) {
        Map<String, long[]> want = TransformerLm.parameterShapes(c);
        TreeSet<String> extra = new TreeSet<>(h.entries().keySet());
        extra.removeAll(want.keySet());
        for (var w : want.entrySet()) {
            Safetensors.Entry got = h.entries().get(w.getKey());
            if (got == null) {
                String near = nearest(w.getKey(), extra);
                throw new JlmException(file + ": tensor " + w.getKey() + " is missing but " + configSource + " needs it"
                        + (near == null ? "" : " (the file has " + near + ": a misnamed tensor?)"));
            }
            if (!Arrays.equals(got.shape(), w.getValue())) {
                throw new JlmException(file + ": tensor " + w.getKey() + " has shape " + Arrays.toString(got.shape()) + " but " + configSource
                        + " expects " + Arrays.toString(w.getValue()));
            }
            switch (got.dtype()) {
                case FLOAT32, BFLOAT16, FLOAT16, FLOAT64 -> { }
                default -> throw new JlmException(file + ": tensor " + w.getKey() + " has dtype " + got.dtype() + ", not a floating-point type");
            }
        }
        if (!extra.isEmpty()) {
            List<String> names = new ArrayList<>(extra);
            String shown = names.size() <= 3 ? String.join(", ", names) : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
            throw new JlmException(file + ": " + (names.size() == 1 ? "tensor " : names.size() + " tensors ") + shown + (names.size() == 1 ? " is" : " are")
                    + " not part of this model (" + describe(c) + "); jlm reads a model file exactly or not at all");
        }
    }

    /** The name among {@code candidates} that differs from {@code name} in the fewest characters (at most a quarter), or null. */
    private static String nearest(String name, Iterable<String> candidates) {
        String best = null;
        int bestD = Math.max(3, name.length() / 4) + 1;
        for (String c : candidates) {
            int d = distance(name, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String describe(ModelConfig c) {
        return "vocab_size " + c.vocabSize() + ", d_model " + c.dModel() + ", num_layers " + c.numLayers() + ", d_ff " + c.dFf()
                + ", ffn " + dev.jlm.config.Settings.spell(c.ffn()) + ", norm " + dev.jlm.config.Settings.spell(c.norm())
                + ", position " + dev.jlm.config.Settings.spell(c.position());
    }

    private static int toInt(long v, Path file) {
        if (v <= 0 || v > Integer.MAX_VALUE) throw new JlmException(file + ": implausible dimension " + v);
        return (int) v;
    }
}
