package dev.jlm.cli;

import dev.jlm.tensor.Device;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Reads each option's {@link Domain}: into its help text, and as the check of its value before any work. */
final class Domains {
    private Domains() {}

    /** Appends "(domain)" to the description of every option of the tree that declares one. */
    static void describe(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        for (OptionSpec opt : new ArrayList<>(spec.options())) {
            Domain d = domain(opt);
            if (d == null) continue;
            List<String> text = new ArrayList<>(Arrays.asList(opt.description()));
            if (text.isEmpty()) text.add("");
            text.set(text.size() - 1, (text.getLast() + " (" + d.value() + ")").strip());
            spec.remove(opt);
            spec.addOption(OptionSpec.builder(opt).description(text.toArray(String[]::new)).build());
        }
        for (CommandLine sub : cl.getSubcommands().values()) describe(sub);
    }

    /** Throws a ParameterException naming the first option whose value lies outside its domain. */
    static void check(CommandSpec spec) {
        for (OptionSpec opt : spec.options()) {
            Domain d = domain(opt);
            Object v = opt.getValue();
            if (d == null || v == null) continue;
            String why = violation(d.value(), v);
            if (why != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), opt.longestName() + " must be " + why + ", got " + shown(v));
            }
        }
    }

    /** Null when {@code v} satisfies {@code domain}, else the domain as the message says it. */
    static String violation(String domain, Object v) {
        if (domain.startsWith("one of ")) {
            for (String c : domain.substring(7).split(", ")) if (c.equalsIgnoreCase(String.valueOf(v).trim())) return null;
            return domain;
        }
        if (domain.equals("all or > 0")) {
            String t = String.valueOf(v).trim();
            if (t.equals("all")) return null;
            try {
                return Long.parseLong(t) > 0 ? null : domain;
            } catch (NumberFormatException e) {
                return domain;
            }
        }
        if (domain.equals("cpu or cuda:N")) {
            try {
                Device.parse(String.valueOf(v));
                return null;
            } catch (IllegalArgumentException e) {
                return domain;
            }
        }
        double x = ((Number) v).doubleValue();
        boolean ok = switch (domain) {
            case "> 0" -> x > 0;
            case ">= 0" -> x >= 0;
            case ">= 1" -> x >= 1;
            case "in (0, 1]" -> x > 0 && x <= 1;
            case "in [0, 1)" -> x >= 0 && x < 1;
            default -> {
                if (domain.startsWith(">= ")) yield x >= Double.parseDouble(domain.substring(3));
                if (domain.startsWith("<= ")) yield x <= Double.parseDouble(domain.substring(3));
                if (domain.startsWith("in [1, ")) yield x >= 1 && x <= Double.parseDouble(domain.substring(7, domain.length() - 1));
                throw new IllegalStateException("unknown @Domain \"" + domain + "\"");
            }
        };
        return ok && Double.isFinite(x) ? null : domain;
    }

    private static String shown(Object v) {
        if (v instanceof Double dd && dd == Math.rint(dd) && Math.abs(dd) < 1e15) return Long.toString(dd.longValue());
        return v instanceof String ? "'" + v + "'" : String.valueOf(v).toLowerCase(Locale.ROOT);
    }

    private static Domain domain(OptionSpec opt) {
        return opt.userObject() instanceof Field f ? f.getAnnotation(Domain.class) : null;
    }
}
