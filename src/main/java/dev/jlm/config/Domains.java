package dev.jlm.config;

import dev.jlm.JlmException;
import java.lang.reflect.RecordComponent;
import java.util.Locale;
import java.util.regex.Pattern;

/** Reads a {@link Domain}: whether a value lies inside it, and the check of a built config record. */
public final class Domains {
    private static final Pattern DEVICE = Pattern.compile("cpu|cuda(:\\d{1,9})?");

    private Domains() {}

    /**
     * The choice of a "one of a, b" domain that {@code v} names, spelt as the domain spells it: a domain check accepts
     * any case and surrounding blanks ("LLAMA", " halve"), so a command compares this, never the raw text.
     */
    public static String choice(String domain, String v) {
        if (!domain.startsWith("one of ")) throw new IllegalArgumentException("not a choice domain: " + domain);
        for (String c : domain.substring(7).split(", ")) if (c.equalsIgnoreCase(String.valueOf(v).trim())) return c;
        throw new IllegalArgumentException(v + " is not " + domain);
    }

    /** Null when {@code v} satisfies {@code domain}, else the domain as a message says it. */
    public static String violation(String domain, Object v) {
        String t = String.valueOf(v).trim();
        if (domain.startsWith("one of ")) {
            for (String c : domain.substring(7).split(", ")) if (c.equalsIgnoreCase(t)) return null;
            return domain;
        }
        switch (domain) {
            case "cpu or cuda:N" -> {
                return DEVICE.matcher(t).matches() ? null : domain;
            }
            case "auto, cpu or cuda:N" -> {
                return t.equals("auto") || DEVICE.matcher(t).matches() ? null : domain;
            }
            case "all or > 0" -> {
                if (t.equals("all")) return null;
                try {
                    return Long.parseLong(t) > 0 ? null : domain;
                } catch (NumberFormatException e) {
                    return domain;
                }
            }
            default -> { }
        }
        if (!(v instanceof Number n)) throw new IllegalStateException("@Domain \"" + domain + "\" on a non-number " + v);
        double x = n.doubleValue();
        boolean ok = switch (domain) {
            case "> 0" -> x > 0;
            case ">= 0" -> x >= 0;
            case "in (0, 1]" -> x > 0 && x <= 1;
            case "in [0, 1)" -> x >= 0 && x < 1;
            default -> {
                if (domain.startsWith(">= ")) yield x >= Double.parseDouble(domain.substring(3));
                if (domain.startsWith("<= ")) yield x <= Double.parseDouble(domain.substring(3));
                if (domain.startsWith("in [") && domain.endsWith("]")) {                 // in [a, b]
                    String[] ab = domain.substring(4, domain.length() - 1).split(", ");
                    yield x >= Double.parseDouble(ab[0]) && x <= Double.parseDouble(ab[1]);
                }
                throw new IllegalStateException("unknown @Domain \"" + domain + "\"");
            }
        };
        return ok && Double.isFinite(x) ? null : domain;
    }

    /** The domain of a record component: its @Domain, or for an enum its constants; null when any value goes. */
    public static String of(RecordComponent c) {
        Domain d = c.getAnnotation(Domain.class);
        if (d != null) return d.value();
        Class<?> t = c.getType();
        return t.isEnum() ? "one of " + String.join(", ", Settings.constants(t)) : null;
    }

    /**
     * Every component of a built config record inside its domain, else a {@link JlmException} in the settings' own
     * words: "d_model must be > 0, got 0". Returns the record.
     */
    public static <R extends Record> R require(R r) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            String d = of(c);
            Object v = Settings.get(r, c);
            if (d == null || v == null) continue;
            String why = violation(d, v instanceof Enum<?> e ? Settings.spell(e) : v);
            if (why != null) throw new ConfigException(Settings.key(c) + " must be " + why + ", got " + shown(v)).naming(Settings.key(c));
        }
        return r;
    }

    /** A value as a message shows it: whole doubles without ".0", strings quoted. */
    public static String shown(Object v) {
        if (v instanceof Double dd && dd == Math.rint(dd) && Math.abs(dd) < 1e15) return Long.toString(dd.longValue());
        return v instanceof String ? "'" + v + "'" : String.valueOf(v).toLowerCase(Locale.ROOT);
    }
}
