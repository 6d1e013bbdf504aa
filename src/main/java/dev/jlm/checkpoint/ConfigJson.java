package dev.jlm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.JlmException;
import dev.jlm.nn.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one JSON form of a model config, under the CS336 names: {@code vocab_size, context_length, d_model,
 * num_layers, num_heads, d_ff, rope_theta} and optionally {@code norm} (pre|post|none), {@code position}
 * (rope|none), {@code ffn} (swiglu|silu), defaulting to pre, rope, swiglu. It is the safetensors metadata of jlm's
 * checkpoints and the {@code config.json} of a HuggingFace-layout folder. Other keys (say, HF's "architectures")
 * are ignored. A config known only in part is a map from these names to Integer, Double or lower-case String.
 */
public final class ConfigJson {
    public static final List<String> KEYS = List.of("vocab_size", "context_length", "d_model", "num_layers", "num_heads", "d_ff",
            "rope_theta", "norm", "position", "ffn");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigJson() {}

    /** The flag that sets a key: d_model → --d-model. */
    public static String flag(String key) {
        return "--" + key.replace('_', '-');
    }

    /** A partial config from values in {@link #KEYS} order; nulls are dropped, strings lower-cased. */
    public static Map<String, Object> partial(Object... valuesInKeyOrder) {
        if (valuesInKeyOrder.length != KEYS.size()) throw new IllegalArgumentException("need " + KEYS.size() + " values");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < KEYS.size(); i++) {
            Object v = valuesInKeyOrder[i];
            if (v != null) m.put(KEYS.get(i), v instanceof String str ? str.toLowerCase(Locale.ROOT) : v);
        }
        return m;
    }

    public static Map<String, Object> toMap(ModelConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocab_size", c.vocabSize());
        m.put("context_length", c.contextLength());
        m.put("d_model", c.dModel());
        m.put("num_layers", c.numLayers());
        m.put("num_heads", c.numHeads());
        m.put("d_ff", c.dFf());
        m.put("rope_theta", c.ropeTheta());
        m.put("norm", c.norm().name().toLowerCase(Locale.ROOT));
        m.put("position", c.position().name().toLowerCase(Locale.ROOT));
        m.put("ffn", c.ffn().name().toLowerCase(Locale.ROOT));
        return m;
    }

    public static String write(ModelConfig c) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toMap(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The keys present in {@code json}, type-checked; {@code source} names the file in errors. */
    public static Map<String, Object> parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new JlmException(source + ": malformed JSON (line " + e.getLocation().getLineNr() + ")");
        }
        if (root == null || !root.isObject()) throw new JlmException(source + ": expected a JSON object of model settings");
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : KEYS) {
            JsonNode v = root.get(k);
            if (v == null || v.isNull()) continue;
            m.put(k, switch (k) {
                case "rope_theta" -> {
                    if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) throw bad(source, k, v, "a positive number");
                    yield v.asDouble();
                }
                case "norm", "position", "ffn" -> {
                    if (!v.isTextual()) throw bad(source, k, v, "a string");
                    yield v.asText().toLowerCase(Locale.ROOT);
                }
                default -> {
                    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) throw bad(source, k, v, "a positive integer");
                    yield v.asInt();
                }
            });
        }
        return m;
    }

    /** A full config from a map holding at least the shape keys; norm, position, ffn and d_ff take their defaults. */
    public static ModelConfig toConfig(Map<String, Object> m, String source) {
        for (String k : List.of("vocab_size", "context_length", "d_model", "num_layers", "num_heads", "rope_theta")) {
            if (m.get(k) == null) throw new JlmException(source + ": " + k + " is missing");
        }
        return ModelConfig.of((Integer) m.get("vocab_size"), (Integer) m.get("context_length"), (Integer) m.get("d_model"),
                (Integer) m.get("num_layers"), (Integer) m.get("num_heads"), m.get("d_ff") == null ? 0 : (Integer) m.get("d_ff"),
                ((Number) m.get("rope_theta")).doubleValue(),
                choice(ModelConfig.Norm.class, m, "norm", "pre", source), choice(ModelConfig.Position.class, m, "position", "rope", source),
                choice(ModelConfig.Ffn.class, m, "ffn", "swiglu", source));
    }

    private static <E extends Enum<E>> E choice(Class<E> type, Map<String, Object> m, String key, String dflt, String source) {
        String v = (String) m.getOrDefault(key, dflt);
        for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(v)) return e;
        List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        throw new JlmException(source + ": " + key + " must be one of " + String.join(", ", names) + ", got \"" + v + "\"");
    }

    private static JlmException bad(String source, String key, JsonNode v, String what) {
        return new JlmException(source + ": " + key + " must be " + what + ", got " + v);
    }
}
