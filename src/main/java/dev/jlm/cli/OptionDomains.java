package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.config.Domains;
import dev.jlm.config.Settings;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The domain of every option, declared once: a command's own option carries its {@link Domain} on its field, a
 * setting's flag (see {@link SettingFlags}) has its setting's. Shown in the help, and checked before any work.
 */
final class OptionDomains {
    private OptionDomains() {}

    /** The option's domain, or null when any value goes. */
    static String of(OptionSpec opt) {
        if (opt.userObject() instanceof Settings.Setting s) return s.domain();
        if (opt.userObject() instanceof Field f && f.getAnnotation(Domain.class) != null) return f.getAnnotation(Domain.class).value();
        return null;
    }

    /**
     * Appends "(domain)" to the description of every option of the tree that has one; and shows no default where a
     * default says nothing (a required option's, an empty list's).
     */
    static void describe(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        for (OptionSpec opt : new ArrayList<>(spec.options())) {
            if (opt.group() != null) continue;                   // members of an exclusive group (tokenize's source) stay as declared
            String d = of(opt);
            boolean quiet = opt.required() || opt.isMultiValue() && (opt.defaultValue() == null || opt.initialValue() instanceof java.util.Collection<?> c && c.isEmpty());
            if (d == null && !quiet) continue;
            List<String> text = new ArrayList<>(Arrays.asList(opt.description()));
            if (text.isEmpty()) text.add("");
            if (d != null) text.set(text.size() - 1, (text.getLast() + " (" + d + ")").strip());
            OptionSpec.Builder b = OptionSpec.builder(opt).description(text.toArray(String[]::new));
            if (quiet) b.showDefaultValue(CommandLine.Help.Visibility.NEVER);
            spec.remove(opt);
            spec.addOption(b.build());
        }
        for (CommandLine sub : cl.getSubcommands().values()) describe(sub);
    }

    /** Throws a ParameterException naming the first option whose value lies outside its domain. */
    static void check(CommandSpec spec) {
        for (var arg : spec.args()) {
            Object v = arg.getValue();
            boolean empty = v instanceof java.nio.file.Path p && p.toString().isEmpty()
                    || v instanceof java.util.Collection<?> c && c.stream().anyMatch(x -> x instanceof java.nio.file.Path p && p.toString().isEmpty());
            if (empty) {
                String name = arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
                throw new CommandLine.ParameterException(spec.commandLine(), name + " must not be empty (a path names a file or folder)");
            }
        }
        for (OptionSpec opt : spec.options()) {
            String d = of(opt);
            Object v = opt.getValue();
            if (d == null || v == null) continue;
            String why = Domains.violation(d, v);
            if (why != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), opt.longestName() + " must be " + why + ", got " + Domains.shown(v));
            }
        }
    }
}
