package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import picocli.CommandLine;

/**
 * For every verb and every option that declares a {@link Domain}: a generated value outside it is refused before any
 * work — exit 2, one line "jlm: --flag must be …, got …", no file written. The required options get plausible
 * values (paths under an empty folder), so that only the option under test can be wrong.
 */
class OptionDomainPropertyTest {
    record Case(String verb, String option, Class<?> type, String domain) {}

    Path dir;

    @BeforeProperty
    void folder() throws Exception {
        dir = Files.createTempDirectory("jlm-domains");
    }

    @AfterProperty
    void cleanUp() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        walk(Jlm.commandLine(), "", out);
        return out;
    }

    private static void walk(CommandLine cl, String prefix, List<Case> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            String verb = (prefix + " " + e.getKey()).strip();
            for (var opt : e.getValue().getCommandSpec().options()) {
                if (opt.userObject() instanceof Field f && f.getAnnotation(Domain.class) != null) {
                    out.add(new Case(verb, opt.longestName(), opt.type(), f.getAnnotation(Domain.class).value()));
                }
            }
            walk(e.getValue(), verb, out);
        }
    }

    /** Values that lie outside the domain, as command-line text. */
    static Arbitrary<String> outside(Case c) {
        String d = c.domain();
        if (d.startsWith("one of ") || d.equals("cpu or cuda:N") || d.equals("all or > 0")) {
            return Arbitraries.strings().alpha().numeric().withChars(":-_.").ofMinLength(1).ofMaxLength(12)
                    .filter(s -> Domains.violation(d, s) != null && !s.startsWith("-"));
        }
        boolean integral = c.type() == int.class || c.type() == Integer.class || c.type() == long.class || c.type() == Long.class;
        long max = c.type() == int.class || c.type() == Integer.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
        Arbitrary<Double> numbers = Arbitraries.oneOf(Arbitraries.doubles().between(-1e12, 1e12), Arbitraries.of(0.0, -1.0, 1.0, 256.0, 65537.0, -0.0));
        Arbitrary<String> text = integral
                ? numbers.map(x -> Long.toString((long) Math.max(-max - 1, Math.min(max, Math.rint(x)))))
                : Arbitraries.oneOf(numbers.map(x -> Double.toString(x)), Arbitraries.of("NaN", "-Infinity", "Infinity"));
        return text.filter(s -> Domains.violation(d, integral ? (Object) Long.parseLong(s) : (Object) Double.parseDouble(s)) != null);
    }

    @Provide
    Arbitrary<Map.Entry<Case, String>> badValues() {
        return Arbitraries.of(cases()).flatMap(c -> outside(c).map(v -> Map.entry(c, v)));
    }

    /** The verb with its required options filled in, then the option under test. */
    List<String> command(Case c, String value) {
        String p = dir.resolve("missing").toString();
        List<String> args = new ArrayList<>(List.of(c.verb().split(" ")));
        switch (c.verb()) {
            case "eval" -> args.addAll(List.of("--checkpoint", p, "--data", p));
            case "generate" -> args.addAll(List.of("--checkpoint", p, "--tokenizer", p));
            case "export" -> args.addAll(List.of("--checkpoint", p, "--out", dir.resolve("out").toString()));
            case "tokenize" -> args.addAll(List.of("--tokenizer", p, "--text", "hello"));
            case "bpe train" -> args.addAll(List.of("--input", p, "--out", dir.resolve("out").toString()));
            case "sweep" -> args.addAll(List.of("--grid", p, "--out", dir.resolve("out").toString()));
            case "plot" -> args.addAll(List.of(p, "--out", dir.resolve("out.png").toString()));
            case "train" -> args.addAll(List.of("--train", p, "--out", dir.resolve("out").toString()));
            case "check-tokens" -> args.add(p);
            default -> { }
        }
        if (c.verb().equals("bpe train") && !c.option().equals("--vocab-size")) args.addAll(List.of("--vocab-size", "300"));
        args.add(c.option() + "=" + value);
        return args;
    }

    @Property(tries = 400, seed = "20261128")
    void outOfDomainValuesAreRefusedBeforeAnyWork(@ForAll("badValues") Map.Entry<Case, String> bad) throws Exception {
        Case c = bad.getKey();
        var r = CliTrainTest.run(command(c, bad.getValue()).toArray(String[]::new));
        String where = "jlm " + c.verb() + " " + c.option() + "=" + bad.getValue() + ": ";
        assertEquals(2, r.code(), where + r.err());
        assertFalse(r.err().contains("\n"), where + "more than one line: " + r.err());
        assertTrue(r.err().startsWith("jlm: " + c.option() + " must be " + c.domain()), where + r.err());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), where + "wrote a file");
        }
    }
}
