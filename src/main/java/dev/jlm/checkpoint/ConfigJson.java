package dev.jlm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jlm.io.JsonFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlm.JlmException;
import dev.jlm.config.Settings;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.RmsNorm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one JSON form of a model config: an object of {@link ModelConfig}'s settings under their keys (the CS336 names:
 * {@code vocab_size, context_length, d_model, num_layers, num_heads, d_ff, rope_theta}, and {@code norm}, {@code position},
 * {@code ffn}, defaulting to pre, rope, swiglu). It is the safetensors metadata of jlm's checkpoints and the
 * {@code config.json} of a HuggingFace-layout folder. A config known only in part is a map from these keys to values.
 */
public final class ConfigJson {
    /** What no file can leave out: the settings a model's tensors cannot all tell and that have no usual value. */
    static final List<String> REQUIRED = List.of("vocab_size", "context_length", "d_model", "num_layers", "num_heads", "rope_theta");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigJson() {}

    /** The keys, in the record's order. */
    public static List<String> keys() {
        return Settings.of(ModelConfig.class).stream().map(Settings.Setting::key).toList();
    }

    public static String write(ModelConfig c) {
        ObjectNode o = JSON.createObjectNode();
        Settings.values(c).forEach((k, v) -> o.putPOJO(k, Settings.json(v)));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HuggingFace transformers' names for the settings jlm reads (GPT-2's and Llama's config.json). */
    static final Map<String, String> HF_NAMES = Map.ofEntries(Map.entry("hidden_size", "d_model"), Map.entry("n_embd", "d_model"),
            Map.entry("num_attention_heads", "num_heads"), Map.entry("n_head", "num_heads"), Map.entry("num_hidden_layers", "num_layers"),
            Map.entry("n_layer", "num_layers"), Map.entry("intermediate_size", "d_ff"), Map.entry("n_inner", "d_ff"),
            Map.entry("max_position_embeddings", "context_length"), Map.entry("n_positions", "context_length"), Map.entry("n_ctx", "context_length"),
            Map.entry("num_key_value_heads", "num_heads"));
    /** HuggingFace keys that state what jlm's model has by construction: each must say what jlm computes. */
    static final Map<String, Object> HF_FIXED = Map.of("rms_norm_eps", RmsNorm.EPS, "layer_norm_epsilon", RmsNorm.EPS, "layer_norm_eps", RmsNorm.EPS,
            "hidden_act", "silu", "activation_function", "silu", "attention_bias", false, "mlp_bias", false);
    /** HuggingFace bookkeeping that does not change what the model computes: read past. */
    static final Set<String> HF_BOOKKEEPING = Set.of("architectures", "model_type", "torch_dtype", "transformers_version", "bos_token_id",
            "eos_token_id", "pad_token_id", "use_cache", "initializer_range", "_name_or_path");

    /**
     * The settings present in {@code json}, each of its setting's type; {@code source} names the file in errors. Strict: a key
     * given twice, a null, an unknown key (with the nearest known one) is refused by name. HF's {@code tie_word_embeddings} is
     * read as {@code tie_embeddings}; HF's names beside jlm's ({@code hidden_size} beside {@code d_model}, {@code rms_norm_eps},
     * …) must say the same as jlm's keys and jlm's model; transformers' own Llama config (model_type llama, none of jlm's keys) is read by
     * {@link LlamaFolder}; any other HuggingFace-style config (hidden_size, …) without jlm's keys is
     * refused with the names to use.
     */
    public static Map<String, Object> parse(String json, String source) {
        JsonNode root = JsonFiles.parse(json, source);
        if (!root.isObject()) throw new JlmException(source + ": expected a JSON object of model settings");
        boolean cs336Keys = root.has("d_model") || root.has("num_heads");
        if (!cs336Keys && root.path("model_type").asText().equals("llama")) root = LlamaFolder.asCs336Config((ObjectNode) root, source);
        List<String> hf = HF_NAMES.keySet().stream().filter(root::has).sorted().toList();
        if (!hf.isEmpty() && !root.has("d_model") && !root.has("num_heads")) {
            throw new JlmException(source + ": a HuggingFace transformers config (" + String.join(", ", hf) + "); jlm reads the CS336 names: "
                    + String.join(", ", hf.stream().map(k -> HF_NAMES.get(k) + " (for " + k + ")").toList())
                    + ", and vocab_size, rope_theta, norm, position, ffn");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (var e : root.properties()) {
            Settings.Setting s = Settings.find(ModelConfig.class, e.getKey());
            if (s == null && e.getKey().equals("tie_word_embeddings")) s = Settings.find(ModelConfig.class, "tie_embeddings");
            if (s != null) {
                if (e.getValue().isNull()) throw new JlmException(source + ": " + e.getKey() + " is null: give a value, or leave the key out for its default");
                Object v = Settings.fromJson(s, e.getValue(), source);
                Object before = m.put(s.key(), v);
                if (before != null && !before.equals(v)) {
                    throw new JlmException(source + ": tie_embeddings and tie_word_embeddings contradict each other (" + before + ", " + v + ")");
                }
            } else if (!HF_NAMES.containsKey(e.getKey()) && !HF_FIXED.containsKey(e.getKey()) && !HF_BOOKKEEPING.contains(e.getKey())
                    && !e.getKey().equals("rope_scaling")) {
                List<String> known = new java.util.ArrayList<>(keys());
                known.addAll(HF_NAMES.keySet());
                known.addAll(HF_FIXED.keySet());
                String near = Settings.nearest(e.getKey(), known);
                throw new JlmException(source + ": unknown key '" + e.getKey() + "'" + (near == null ? "" : " (did you mean " + near + "?)")
                        + "; a model config holds " + String.join(", ", keys()));
            }
        }
        for (String k : hf) agree(root, k, HF_NAMES.get(k), m, source);
        for (var f : HF_FIXED.entrySet()) {
            JsonNode v = root.get(f.getKey());
            boolean same = v == null || v.isNull() || (f.getValue() instanceof Double d ? v.isNumber() && v.asDouble() == d
                    : f.getValue() instanceof Boolean b ? v.isBoolean() && v.asBoolean() == b : v.isTextual() && v.asText().equals(f.getValue()));
            if (!same) {
                throw new JlmException(source + ": " + f.getKey() + " " + v + " is not jlm's model, whose " + f.getKey() + " is " + f.getValue()
                        + " (" + (f.getKey().contains("act") ? "ffn swiglu and silu use SiLU" : f.getKey().contains("bias") ? "no biases"
                        : "RMSNorm's eps") + ")");
            }
        }
        JsonNode scaling = root.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw new JlmException(source + ": rope_scaling " + scaling + ": jlm's RoPE is unscaled (rope_theta is its one setting)");
        }
        return m;
    }

    /** An HF key beside the jlm key it restates must say the same; without that jlm key it is refused (jlm reads jlm's names). */
    private static void agree(JsonNode root, String hfKey, String key, Map<String, Object> m, String source) {
        JsonNode v = root.get(hfKey);
        if (v.isNull()) return;                                                 // HF's "not set" (GPT-2's n_inner)
        if (!m.containsKey(key)) throw new JlmException(source + ": " + hfKey + " restates " + key + ", which this file does not give: write " + key);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() != ((Number) m.get(key)).intValue()) {
            throw new JlmException(source + ": " + hfKey + " " + v + " contradicts " + key + " " + m.get(key) + (hfKey.equals("num_key_value_heads")
                    ? " (jlm's attention has as many key/value heads as query heads)" : ""));
        }
    }

    /** A full config from a map holding at least the {@link #REQUIRED} keys; the others take their defaults. */
    public static ModelConfig toConfig(Map<String, Object> m, String source) {
        for (String k : REQUIRED) if (m.get(k) == null) throw new JlmException(source + ": " + k + " is missing");
        try {
            return Settings.build(ModelConfig.class, m);
        } catch (JlmException e) {
            throw new JlmException(source + ": " + e.getMessage());
        }
    }
}
