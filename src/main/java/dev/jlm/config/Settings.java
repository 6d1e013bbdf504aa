package dev.jlm.config;

import dev.jlm.JlmException;
import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of jlm's config records ({@code ModelConfig}, {@code TrainConfig}, …), read off the records themselves:
 * each component is a setting whose key is its name in snake_case ({@code dModel} → {@code d_model}), with a {@link Doc},
 * maybe a {@link Domain}, and a default held by the record's {@code Builder} (a field of the same name). A component
 * whose type is itself a config record contributes that record's settings, so the keys of a tree are flat and unique.
 * This is the one place that turns settings into flags (the CLI), JSON keys (--config, sweeps, checkpoint metadata,
 * config.json) and back; a record gains a setting by gaining a component and a builder field.
 *
 * <p>Values: int, long, double (boxed when the setting is optional: null = its derived default), boolean, String,
 * Path, an enum (spelled in lower case), or a type with a static {@code parse(String)} whose {@code toString} spells it.
 */
public final class Settings {
    /** One setting: its key, the component that holds it and its default (null when it has none). */
    public record Setting(String key, RecordComponent component, String doc, String domain, Object defaultValue) {
        public Class<?> type() {
            return component.getType();
        }

        /** A boolean setting, a flag without a value. */
        public boolean isSwitch() {
            return type() == boolean.class;
        }
    }

    private static final ClassValue<List<Setting>> CACHE = new ClassValue<>() {
        @Override
        protected List<Setting> computeValue(Class<?> type) {
            List<Setting> out = new ArrayList<>();
            collect(type, out);
            Map<String, Setting> seen = new LinkedHashMap<>();
            for (Setting s : out) {
                if (seen.put(s.key(), s) != null) throw new IllegalStateException(type.getSimpleName() + ": two settings named " + s.key());
            }
            return List.copyOf(out);
        }
    };

    private Settings() {}

    /** The settings of a config record type, nested records flattened, in declaration order. */
    public static List<Setting> of(Class<? extends Record> type) {
        return CACHE.get(type);
    }

    /** The setting called {@code key}, or null. */
    public static Setting find(Class<? extends Record> type, String key) {
        for (Setting s : of(type)) if (s.key().equals(key)) return s;
        return null;
    }

    private static void collect(Class<?> type, List<Setting> out) {
        Object builder = builder(type);
        for (RecordComponent c : type.getRecordComponents()) {
            if (isConfig(c.getType())) {
                collect(c.getType(), out);
                continue;
            }
            Doc doc = c.getAnnotation(Doc.class);
            if (doc == null) throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " has no @Doc");
            out.add(new Setting(key(c), c, doc.value(), Domains.of(c), read(builder, c)));
        }
    }

    /** A config record: a record with a static builder(). */
    static boolean isConfig(Class<?> t) {
        if (!t.isRecord()) return false;
        try {
            return Modifier.isStatic(t.getMethod("builder").getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** dModel → d_model, beta1 → beta1. */
    public static String key(RecordComponent c) {
        return c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    /**
     * The record of this type with the given values (by key; each of the setting's type or a text to parse) over its
     * builder's defaults; nested records are built from the same map. The builder checks every domain.
     */
    public static <R extends Record> R build(Class<R> type, Map<String, ?> values) {
        Object b = builder(type);
        for (RecordComponent c : type.getRecordComponents()) {
            if (isConfig(c.getType())) {
                @SuppressWarnings("unchecked") Class<? extends Record> nested = (Class<? extends Record>) c.getType();
                write(b, c, build(nested, values));
            } else if (values.containsKey(key(c))) {
                write(b, c, coerce(c, values.get(key(c))));
            }
        }
        try {
            Method build = b.getClass().getMethod("build");
            return type.cast(build.invoke(b));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getSimpleName() + ".Builder.build()", e);
        }
    }

    /** key → value of every setting of {@code r}, nested records flattened. */
    public static Map<String, Object> values(Record r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v = get(r, c);
            if (isConfig(c.getType())) out.putAll(values((Record) v));
            else out.put(key(c), v);
        }
        return out;
    }

    /** A value as JSON and the command line spell it: enums in lower case, numbers and the rest as text. */
    public static String spell(Object v) {
        return v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : String.valueOf(v);
    }

    /** The value for a JSON tree: numbers and booleans as themselves, the rest spelled. */
    public static Object json(Object v) {
        return v instanceof Number || v instanceof Boolean || v == null ? v : spell(v);
    }

    /** The constants of an enum type, spelled. */
    static List<String> constants(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants()).map(Settings::spell).toList();
    }

    /** Text → the setting's value; IllegalArgumentException saying what was expected. */
    public static Object parse(Setting s, String text) {
        return parse(s.component(), text);
    }

    /**
     * A JSON value → the setting's value: the one reading of a value from JSON (--config, sweeps), as strict as the flags.
     * A boolean is JSON true or false, an int or long a JSON integer that fits, a double any JSON number, an enum, path or
     * string a JSON string (a path not empty); null, a list or an object is none of them. A {@link ConfigException}
     * naming {@code source} and the key otherwise. The domain is not checked here (see {@link #violation}).
     */
    public static Object fromJson(Setting s, JsonNode v, String source) {
        return fromJson(s.key(), s.type(), v, source);
    }

    /** As {@link #fromJson(Setting, JsonNode, String)}, for a value of {@code type} that is not a setting (a command's own option). */
    public static Object fromJson(String key, Class<?> type, JsonNode v, String source) {
        boolean ok = switch (kind(type)) {
            case "int" -> v.isIntegralNumber() && v.canConvertToInt();
            case "long" -> v.isIntegralNumber() && v.canConvertToLong();
            case "double" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "path" -> v.isTextual() && !v.asText().isEmpty();
            default -> v.isTextual();
        };
        if (!ok) throw new ConfigException(source + ": " + key + " must be " + expected(type) + ", got " + v);
        try {
            return parse(type, v.isTextual() ? v.asText() : v.toString());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + key + ": " + e.getMessage());
        }
    }

    /** Null when {@code value} (of the setting's type) lies inside the setting's domain (or it has none), else that domain. */
    public static String violation(Setting s, Object value) {
        if (s.domain() == null || value == null) return null;
        return Domains.violation(s.domain(), value instanceof Enum<?> e ? spell(e) : value);
    }

    /**
     * The name among {@code candidates} nearest to {@code name} (fewest edits, at most a quarter of its length and at
     * least 3), for "did you mean …?"; null when none is that near.
     */
    public static String nearest(String name, Iterable<String> candidates) {
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

    private static Object parse(RecordComponent c, String text) {
        return parse(c.getType(), text);
    }

    private static Object parse(Class<?> t, String text) {
        String x = text.trim();
        try {
            return switch (kind(t)) {
                case "int" -> Integer.parseInt(x);
                case "long" -> Long.parseLong(x);
                case "double" -> Double.parseDouble(x);
                case "boolean" -> {
                    if (!x.equalsIgnoreCase("true") && !x.equalsIgnoreCase("false")) throw new IllegalArgumentException();
                    yield Boolean.parseBoolean(x);
                }
                case "path" -> Path.of(text);
                case "string" -> text;
                case "enum" -> {
                    for (Object e : t.getEnumConstants()) if (spell(e).equalsIgnoreCase(x)) yield e;
                    throw new IllegalArgumentException();
                }
                default -> t.getMethod("parse", String.class).invoke(null, x);
            };
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(e.getCause().getMessage());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("expected " + expected(t) + ", got '" + text + "'");
        }
    }

    private static String kind(Class<?> t) {
        if (t == int.class || t == Integer.class) return "int";
        if (t == long.class || t == Long.class) return "long";
        if (t == double.class || t == Double.class) return "double";
        if (t == boolean.class || t == Boolean.class) return "boolean";
        if (t == Path.class) return "path";
        if (t == String.class) return "string";
        return t.isEnum() ? "enum" : "parsed";
    }

    private static String expected(Class<?> t) {
        return switch (kind(t)) {
            case "int", "long" -> "an integer";
            case "double" -> "a number";
            case "boolean" -> "true or false";
            case "path" -> "a non-empty path";
            case "enum" -> "one of " + String.join(", ", constants(t));
            default -> "a string";
        };
    }

    /** {@code v} as the component's type: texts are parsed, numbers widened. */
    private static Object coerce(RecordComponent c, Object v) {
        if (v == null) return null;
        Class<?> t = c.getType();
        if (v instanceof String s && t != String.class) return parse(c, s);
        if (v instanceof Number n) {
            switch (kind(t)) {
                case "long" -> { return n.longValue(); }
                case "double" -> { return n.doubleValue(); }
                case "int" -> {
                    if (n.longValue() != n.intValue()) throw new ConfigException(key(c) + " " + n + " does not fit an int");
                    return n.intValue();
                }
                default -> { }
            }
        }
        return v;
    }

    static Object get(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object builder(Class<?> type) {
        try {
            return type.getMethod("builder").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getSimpleName() + " has no static builder()", e);
        }
    }

    private static Field field(Object builder, RecordComponent c) {
        try {
            Field f = builder.getClass().getDeclaredField(c.getName());
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(builder.getClass().getName() + " has no field for the setting " + c.getName(), e);
        }
    }

    private static Object read(Object builder, RecordComponent c) {
        try {
            return field(builder, c).get(builder);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Object builder, RecordComponent c, Object v) {
        try {
            field(builder, c).set(builder, v);
        } catch (IllegalAccessException | IllegalArgumentException e) {
            throw new ConfigException(key(c) + ": " + v + " is not " + expected(c.getType()));
        }
    }
}
