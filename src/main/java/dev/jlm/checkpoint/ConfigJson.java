package dev.jlm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jlm.io.JsonFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlm.JlmException;
import dev.jlm.config.Settings;
import dev.jlm.nn.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    static final Map<String, String> HF_NAMES = Map.of("hidden_size", "d_model", "n_embd", "d_model", "num_attention_heads", "num_heads",
            "n_head", "num_heads", "num_hidden_layers", "num_layers", "n_layer", "num_layers", "intermediate_size", "d_ff",
            "max_position_embeddings", "context_length", "n_positions", "context_length");

    /**
     * The settings present in {@code json}, each of its setting's type; {@code source} names the file in errors. HF's
     * {@code tie_word_embeddings} is read as {@code tie_embeddings}; a HuggingFace-style config (hidden_size, …) without
     * jlm's keys is refused with the names to use.
     */
    public static Map<String, Object> parse(String json, String source) {
        JsonNode root = JsonFiles.parse(json, source);
        if (!root.isObject()) throw new JlmException(source + ": expected a JSON object of model settings");
        Map<String, Object> m = new LinkedHashMap<>();
        for (Settings.Setting s : Settings.of(ModelConfig.class)) {
            JsonNode v = root.get(s.key());
            if (v == null && s.key().equals("tie_embeddings")) v = root.get("tie_word_embeddings");
            if (v != null && !v.isNull()) m.put(s.key(), Settings.fromJson(s, v, source));
        }
        List<String> hf = HF_NAMES.keySet().stream().filter(root::has).sorted().toList();
        if (!hf.isEmpty() && !m.containsKey("d_model") && !m.containsKey("num_heads")) {
            throw new JlmException(source + ": a HuggingFace transformers config (" + String.join(", ", hf) + "); jlm reads the CS336 names: "
                    + String.join(", ", hf.stream().map(k -> HF_NAMES.get(k) + " (for " + k + ")").toList())
                    + ", and vocab_size, rope_theta, norm, position, ffn");
        }
        return m;
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
