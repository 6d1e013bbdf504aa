package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.config.Domains;
import dev.jlm.testing.Seeded;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * For every verb and every option that has a domain (its own @Domain, or its setting's): a generated value outside it
 * is refused before any work — exit 2, one line "jlm: --flag must be …, got …", no file written. The required options
 * get plausible values (paths under an empty folder), so that only the option under test can be wrong. 400 cases
 * drawn from a fixed seed; each case's name is its command line.
 */
class OptionDomainPropertyTest {
    record Case(String verb, String option, Class<?> type, String domain) {
        @Override
        public String toString() {
            return verb + " " + option;
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
                String d = OptionDomains.of(opt);
                if (d != null) out.add(new Case(verb, opt.longestName(), opt.type(), d));
            }
            walk(e.getValue(), verb, out);
        }
    }

    /** A value outside the case's domain, as command-line text: edge values first, then random ones. */
    static String outside(Case c, SplittableRandom r) {
        String d = c.domain();
        if (d.startsWith("one of ") || d.contains("cpu or cuda:N") || d.equals("all or > 0")) {
            while (true) {
                String s = Seeded.string(r, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.", 12);
                if (!s.startsWith("-") && Domains.violation(d, s) != null) return s;
            }
        }
        boolean integral = c.type() == int.class || c.type() == Integer.class || c.type() == long.class || c.type() == Long.class;
        long max = c.type() == int.class || c.type() == Integer.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
        while (true) {
            double x = r.nextInt(3) == 0 ? Seeded.pick(r, List.of(0.0, -1.0, 1.0, 256.0, 65537.0, -0.0)) : r.nextDouble(-1e12, 1e12);
            String text;
            if (integral) text = Long.toString((long) Math.max(-max - 1, Math.min(max, Math.rint(x))));
            else text = r.nextInt(8) == 0 ? Seeded.pick(r, List.of("NaN", "-Infinity", "Infinity")) : Double.toString(x);
            Object v = integral ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
            if (Domains.violation(d, v) != null) return text;
        }
    }

    static Stream<Arguments> badValues() {
        List<Case> cases = cases();
        SplittableRandom r = new SplittableRandom(20261128);
        return Stream.generate(() -> {
            Case c = Seeded.pick(r, cases);
            return Arguments.of(c, outside(c, r));
        }).limit(400);
    }

    /** The verb with its required options filled in, then the option under test. */
    static List<String> command(Path dir, Case c, String value) {
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

    @ParameterizedTest(name = "jlm {0} = {1}")
    @MethodSource("badValues")
    void outOfDomainValuesAreRefusedBeforeAnyWork(Case c, String value, @TempDir Path dir) throws Exception {
        List<String> cmd = command(dir, c, value);
        var r = CliTrainTest.run(cmd.toArray(String[]::new));
        String where = "jlm " + String.join(" ", cmd) + ": ";
        assertEquals(2, r.code(), where + r.err());
        assertFalse(r.err().contains("\n"), where + "more than one line: " + r.err());
        assertTrue(r.err().startsWith("jlm: " + c.option() + " must be " + c.domain()), where + r.err());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), where + "wrote a file");
        }
    }
}
