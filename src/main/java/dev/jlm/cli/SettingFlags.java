package dev.jlm.cli;

import dev.jlm.config.Settings;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The flags of a config record's settings ({@link Settings}): --d-model for d_model, its help from the setting's
 * doc, its domain from the setting, its default from the record's builder (or none, for flags that only say what the
 * user knows). A command lists its SettingFlags ({@link Host}); {@link Jlm#commandLine} adds them before parsing.
 */
final class SettingFlags {
    /** A command with setting flags. */
    interface Host {
        List<SettingFlags> settingFlags();
    }

    private final Class<? extends Record> type;
    private final boolean defaults;
    private final String docPrefix;
    private final Predicate<String> include;
    private final Map<String, String> docs;
    private final Map<String, OptionSpec> options = new LinkedHashMap<>();
    private CommandSpec spec;

    /**
     * @param defaults  whether a flag not given takes the builder's default (else it is null: not known)
     * @param docPrefix put before each setting's doc in the help ("" for none)
     * @param include   which settings, by key, become flags
     */
    SettingFlags(Class<? extends Record> type, boolean defaults, String docPrefix, Predicate<String> include) {
        this(type, defaults, docPrefix, include, Map.of());
    }

    /** As above; {@code docs} replaces the help of the settings it names (key → text). */
    SettingFlags(Class<? extends Record> type, boolean defaults, String docPrefix, Predicate<String> include, Map<String, String> docs) {
        this.type = type;
        this.defaults = defaults;
        this.docPrefix = docPrefix;
        this.include = include;
        this.docs = docs;
    }

    static String flag(String key) {
        return "--" + key.replace('_', '-');
    }

    static String key(String flag) {
        return flag.replaceFirst("^--", "").replace('-', '_');
    }

    void addTo(CommandSpec spec) {
        this.spec = spec;
        for (Settings.Setting s : Settings.of(type)) {
            if (!include.test(s.key())) continue;
            String doc = docs.containsKey(s.key()) ? docs.get(s.key()) : docPrefix + s.doc();
            OptionSpec.Builder b = OptionSpec.builder(flag(s.key())).description(doc).userObject(s);
            if (s.isSwitch()) {
                b.type(boolean.class).arity("0");
                if (defaults) b.defaultValue(String.valueOf(s.defaultValue()));
            } else {
                b.type(optionType(s.type())).arity("1").paramLabel(label(s.type()));
                if (defaults && s.defaultValue() != null) b.defaultValue(Settings.spell(s.defaultValue()));
                else b.showDefaultValue(CommandLine.Help.Visibility.NEVER);
            }
            OptionSpec o = b.build();
            spec.addOption(o);
            options.put(s.key(), o);
        }
    }

    /** The type the parser converts to: numbers and paths as themselves, everything else as text for the setting to parse. */
    private static Class<?> optionType(Class<?> t) {
        if (t == int.class || t == Integer.class) return Integer.class;
        if (t == long.class || t == Long.class) return Long.class;
        if (t == double.class || t == Double.class) return Double.class;
        if (t == Path.class) return Path.class;
        return String.class;
    }

    private static String label(Class<?> t) {
        if (t == Path.class) return "PATH";
        return t.isEnum() || optionType(t) == String.class ? "NAME" : "N";
    }

    /**
     * Every flag's value, given or default, by key, of its setting's type (those with none left out). Read after the
     * command line was parsed and the domains checked.
     */
    Map<String, Object> values() {
        Map<String, Object> out = new LinkedHashMap<>();
        options.forEach((k, o) -> {
            OptionSpec now = spec.findOption(o.longestName());        // the spec is rebuilt (help text) after addTo
            if (!defaults && !spec.commandLine().getParseResult().hasMatchedOption(now)) return;   // no default: only what was given
            Object v = now.getValue();
            Settings.Setting s = (Settings.Setting) now.userObject();
            if (v instanceof String text && s.type() != String.class) v = Settings.parse(s, text);
            if (v != null) out.put(k, v);
        });
        return out;
    }

    /** The values of the flags for which {@code given} (by flag name) holds. */
    Map<String, Object> values(Predicate<String> given) {
        Map<String, Object> out = values();
        out.keySet().removeIf(k -> !given.test(flag(k)));
        return out;
    }

    /**
     * {@code message} (about these settings, from the library) with each setting's name spelled as its flag; a word of a
     * path (out/run, data/train.bin) is left as it is.
     */
    static String inFlagWords(String message, Collection<String> keys) {
        String m = message;
        for (String k : keys) m = m.replaceAll("(?<![\\w./-])" + Pattern.quote(k) + "(?![\\w/-]|\\.\\w)", Matcher.quoteReplacement(flag(k)));
        return m;
    }

    Collection<String> keys() {
        return options.keySet();
    }
}
