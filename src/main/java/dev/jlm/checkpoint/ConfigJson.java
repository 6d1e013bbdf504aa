package dev.jlm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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

    /** The settings present in {@code json}, each of its setting's type; {@code source} names the file in errors. */
    public static Map<String, Object> parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new JlmException(source + ": malformed JSON (line " + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) throw new JlmException(source + ": expected a JSON object of model settings");
        Map<String, Object> m = new LinkedHashMap<>();
        for (Settings.Setting s : Settings.of(ModelConfig.class)) {
            JsonNode v = root.get(s.key());
            if (v != null && !v.isNull()) m.put(s.key(), Settings.fromJson(s, v, source));
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
