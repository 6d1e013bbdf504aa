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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a model's weights and config, whichever tool wrote them:
 * <ul>
 *   <li>a jlm checkpoint: {@code NAME.safetensors} with the config in its metadata;</li>
 *   <li>a PyTorch {@code state_dict} saved with {@code safetensors.torch.save_file} (no metadata), with a
 *       {@code config.json} beside it or the missing settings given as flags;</li>
 *   <li>a HuggingFace-layout folder: {@code DIR/config.json} + {@code DIR/model.safetensors}.</li>
 * </ul>
 * What the tensors' shapes tell (vocab size, d_model, layers, d_ff, SwiGLU or SiLU, norms or none) is read from
 * them; a config file or flag that disagrees is an error, and what they cannot tell (heads, context length, RoPE θ)
 * is asked for by name. Every tensor's name and shape is then checked against the config — from the header alone,
 * before any tensor is allocated.
 */
public final class ModelFiles {
    public static final String CONFIG = "config.json", WEIGHTS = "model.safetensors";
    private static final Pattern LAYER = Pattern.compile("^layers\\.(\\d{1,9})\\.");

    /** The weights file, its model config, and where the config came from (for messages). */
    public record Resolved(Path weights, ModelConfig config, String configSource) {}

    private ModelFiles() {}

    /**
     * @param checkpoint a safetensors file or a folder holding config.json and model.safetensors
     * @param given      settings the user gave (CS336 names, see {@link ConfigJson}); each must agree with the files
     */
    public static Resolved resolve(Path checkpoint, Map<String, Object> given) throws IOException {
        Path weights = checkpoint, configFile = checkpoint.toAbsolutePath().resolveSibling(CONFIG);
        if (Files.isDirectory(checkpoint)) {
            weights = checkpoint.resolve(WEIGHTS);
            configFile = checkpoint.resolve(CONFIG);
            if (!Files.isRegularFile(weights)) {
                throw new JlmException(checkpoint + ": no " + WEIGHTS + " in this folder (a model folder holds " + CONFIG + " and " + WEIGHTS + ")");
            }
        } else if (!Files.isRegularFile(checkpoint)) {
            throw new JlmException(checkpoint + ": checkpoint not found");
        }
        Safetensors.Header header = Safetensors.readHeader(weights);
        Map<String, Object> declared = Map.of();
        String declaredBy = null;
        if (header.metadata().containsKey("config")) {
            declaredBy = weights + " (its metadata)";
            declared = ConfigJson.parse(header.metadata().get("config"), declaredBy);
        } else if (Files.isRegularFile(configFile)) {
            declaredBy = configFile.toString();
            declared = ConfigJson.parse(Files.readString(configFile), declaredBy);
        }
        Map<String, Object> shapes = fromShapes(header, weights);

        Map<String, Object> merged = new LinkedHashMap<>();
        for (String k : ConfigJson.KEYS) {
            Object d = declared.get(k), s = shapes.get(k), g = given.get(k);
            if (d != null && s != null && !Objects.equals(d, s)) {
                throw new JlmException(declaredBy + " says " + k + " " + d + " but the tensors of " + weights + " have " + k + " " + s);
            }
            Object known = d != null ? d : s;
            if (g != null && known != null && !Objects.equals(g, known)) {
                throw new JlmException(ConfigJson.flag(k) + " " + g + " disagrees with " + weights + ": " + k + " is " + known
                        + (d != null ? " in " + declaredBy : " by its tensors' shapes"));
            }
            if (known != null || g != null) merged.put(k, known != null ? known : g);
        }
        List<String> missing = new ArrayList<>();
        for (String k : List.of("num_heads", "context_length")) if (!merged.containsKey(k)) missing.add(k);
        if (!merged.containsKey("rope_theta") && !"none".equals(merged.get("position"))) missing.add("rope_theta");
        if (!missing.isEmpty()) {
            throw new JlmException(weights + " carries no model config (no jlm metadata, no " + CONFIG + " beside it) and its tensors cannot tell "
                    + String.join(", ", missing) + ": give " + String.join(" ", missing.stream().map(ConfigJson::flag).toList())
                    + ", or write them into " + configFile);
        }
        merged.putIfAbsent("rope_theta", 10_000.0);   // unused without RoPE
        ModelConfig config = ConfigJson.toConfig(merged, declaredBy != null ? declaredBy : weights.toString());
        checkTensors(header, config, weights);
        return new Resolved(weights, config, declaredBy != null ? declaredBy : "the tensors' shapes and the flags");
    }

    /** What the state dict's names and shapes tell of the config. */
    static Map<String, Object> fromShapes(Safetensors.Header h, Path file) {
        Map<String, Safetensors.Entry> e = h.entries();
        Safetensors.Entry emb = e.get("token_embeddings.weight");
        if (emb == null || emb.shape().length != 2) {
            throw new JlmException(file + ": not a CS336 Transformer LM state dict (no 2-D token_embeddings.weight)");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocab_size", toInt(emb.shape()[0], file));
        m.put("d_model", toInt(emb.shape()[1], file));
        int layers = 0;
        for (String name : e.keySet()) {
            Matcher x = LAYER.matcher(name);
            if (x.find()) layers = Math.max(layers, Integer.parseInt(x.group(1)) + 1);
        }
        if (layers > 0) m.put("num_layers", layers);
        Safetensors.Entry w1 = e.get("layers.0.ffn.w1.weight");
        if (w1 != null && w1.shape().length == 2) m.put("d_ff", toInt(w1.shape()[0], file));
        if (w1 != null) m.put("ffn", e.containsKey("layers.0.ffn.w3.weight") ? "swiglu" : "silu");
        if (!e.containsKey("ln_final.weight") && !e.containsKey("layers.0.ln1.weight")) m.put("norm", "none");
        return m;
    }

    /** Every tensor the config builds must be in the file with its shape; extra tensors (buffers) are ignored. */
    static void checkTensors(Safetensors.Header h, ModelConfig c, Path file) {
        for (var want : TransformerLm.parameterShapes(c).entrySet()) {
            Safetensors.Entry got = h.entries().get(want.getKey());
            if (got == null) {
                throw new JlmException(file + ": tensor " + want.getKey() + " is missing but the config (" + describe(c) + ") needs it");
            }
            if (!Arrays.equals(got.shape(), want.getValue())) {
                throw new JlmException(file + ": tensor " + want.getKey() + " has shape " + Arrays.toString(got.shape()) + " but the config ("
                        + describe(c) + ") expects " + Arrays.toString(want.getValue()));
            }
            switch (got.dtype()) {
                case FLOAT32, BFLOAT16, FLOAT16, FLOAT64 -> { }
                default -> throw new JlmException(file + ": tensor " + want.getKey() + " has dtype " + got.dtype() + ", not a floating-point type");
            }
        }
    }

    static String describe(ModelConfig c) {
        return "vocab_size " + c.vocabSize() + ", d_model " + c.dModel() + ", num_layers " + c.numLayers() + ", d_ff " + c.dFf()
                + ", ffn " + c.ffn().name().toLowerCase(java.util.Locale.ROOT) + ", norm " + c.norm().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static int toInt(long v, Path file) {
        if (v <= 0 || v > Integer.MAX_VALUE) throw new JlmException(file + ": implausible dimension " + v);
        return (int) v;
    }
}
