package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jlm.testing.Seeded;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every option's domain, against a statement of the domains that is not the code under test: {@link #TABLE}, written by
 * hand from the documented domains (the README's promises, each verb's --help), each domain with its own membership
 * test here ({@link Dom}) — production's {@code Domains}, which the CLI uses, decides nothing in this test. The table is
 * held to each verb's --help text, both ways ({@link #theTableIsWhatEachVerbsHelpSays}), so the two cannot drift.
 *
 * <p>The cases: every row's edges (each bound and the value just past it, each named value, NaN and the infinities),
 * then values drawn from a fixed seed, 400 or more in all; each case's name is its command line. A value the table puts
 * outside is refused before any work — exit 2, one line "jlm: --flag must be DOMAIN, got …", no file written; a value it
 * puts inside passes the command line's checks (parsed and domain-checked as jlm does before any work; nothing runs).
 * A number outside the reals (NaN, ±Infinity) is outside every numeric domain.
 */
class OptionDomainPropertyTest {
    /** A documented domain: its words, as --help shows them; which command-line texts lie inside it; its edge values. */
    record Dom(String text, Predicate<String> inside, List<String> edges) {}

    /** An option with a domain: the flag, its value type (i int, l long, d double, t text) and the domain. */
    record Row(String flag, char type, Dom dom) {}

    record Case(String verb, Row row, String value, boolean inside) {
        @Override
        public String toString() {
            return verb + " " + row.flag() + "=" + value + (inside ? " (inside)" : " (outside)");
        }
    }

    // ---------------------------------------------------------------- the domains, as the documentation says them

    /** "> a": finite numbers above a. */
    static Dom above(double a, char type) {
        return new Dom("> " + num(a), t -> finite(t) && Double.parseDouble(t) > a, edges(type, a, false, Double.NaN, false));
    }

    /** ">= a": finite numbers from a. */
    static Dom atLeast(double a, char type) {
        return new Dom(">= " + num(a), t -> finite(t) && Double.parseDouble(t) >= a, edges(type, a, true, Double.NaN, false));
    }

    /** "in [a, b]", "in (a, b]", "in [a, b)": the interval, each end open or closed. */
    static Dom in(char open, double a, double b, char close, char type) {
        boolean lo = open == '[', hi = close == ']';
        return new Dom("in " + open + num(a) + ", " + num(b) + close, t -> {
            if (!finite(t)) return false;
            double x = Double.parseDouble(t);
            return (lo ? x >= a : x > a) && (hi ? x <= b : x < b);
        }, edges(type, a, lo, b, hi));
    }

    /** "one of a, b, …": exactly these names. */
    static Dom oneOf(String... names) {
        List<String> edges = new ArrayList<>(List.of(names));
        edges.addAll(List.of(names[0] + "x", names[names.length - 1].substring(1), "none-of-these", "0"));
        return new Dom("one of " + String.join(", ", names), List.of(names)::contains, edges);
    }

    /** "all or > 0": the word all, or a whole number above 0. */
    static Dom allOrPositive() {
        return new Dom("all or > 0", t -> t.equals("all") || t.matches("[0-9]{1,18}") && Long.parseLong(t) > 0,
                List.of("all", "1", "64", "0", "-1", "1.5", "al", "every"));
    }

    /** "auto, cpu or cuda:N" (or without auto): cpu, cuda:0, cuda:1, … */
    static Dom device(boolean auto) {
        List<String> edges = new ArrayList<>(List.of("cpu", "cuda:0", "cuda:1", "cuda:12", "gpu", "cuda:-1", "cuda:x", "cpu:0", "auto", "mps"));
        return new Dom((auto ? "auto, " : "") + "cpu or cuda:N", t -> t.equals("cpu") || auto && t.equals("auto") || t.matches("cuda:[0-9]{1,9}"), edges);
    }

    private static boolean finite(String t) {
        try {
            return Double.isFinite(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String num(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    /** Each bound, the values just past it on both sides (1 for whole numbers, 1e-6 for reals), and for reals NaN, ±Infinity. */
    private static List<String> edges(char type, double a, boolean aClosed, double b, boolean bClosed) {
        double step = type == 'd' ? 1e-6 : 1;
        List<String> out = new ArrayList<>();
        for (double bound : Double.isNaN(b) ? new double[] {a} : new double[] {a, b}) {
            for (double x : new double[] {bound - step, bound, bound + step}) out.add(type == 'd' ? Double.toString(x) : Long.toString((long) x));
        }
        if (type == 'd') out.addAll(List.of("NaN", "Infinity", "-Infinity", "-0.0"));
        return out;
    }

    // ---------------------------------------------------------------- the table, by verb

    static final List<Row> MODEL = List.of(
            new Row("--vocab-size", 'i', in('[', 1, 65536, ']', 'i')),
            new Row("--context-length", 'i', above(0, 'i')),
            new Row("--d-model", 'i', above(0, 'i')),
            new Row("--num-layers", 'i', above(0, 'i')),
            new Row("--num-heads", 'i', above(0, 'i')),
            new Row("--d-ff", 'i', atLeast(0, 'i')),
            new Row("--rope-theta", 'd', above(0, 'd')),
            new Row("--norm", 't', oneOf("pre", "post", "none")),
            new Row("--position", 't', oneOf("rope", "none")),
            new Row("--ffn", 't', oneOf("swiglu", "silu")));
    static final Row DEVICE = new Row("--device", 't', device(true)), DTYPE = new Row("--dtype", 't', oneOf("float32", "bfloat16")),
            THREADS = new Row("--threads", 'i', in('[', 0, 4096, ']', 'i')), KERNELS = new Row("--kernels", 't', oneOf("auto", "fused", "reference")),
            CUDA_GRAPHS = new Row("--cuda-graphs", 't', oneOf("auto", "on", "off"));

    static final Map<String, List<Row>> TABLE = new LinkedHashMap<>();

    static {
        TABLE.put("info", List.of());
        TABLE.put("bpe train", List.of(new Row("--vocab-size", 'i', atLeast(256, 'i')), new Row("--threads", 'i', in('[', 1, 4096, ']', 'i'))));
        TABLE.put("tokenize", List.of(new Row("--threads", 'i', in('[', 1, 4096, ']', 'i'))));
        TABLE.put("train", concat(MODEL, List.of(
                new Row("--batch-size", 'i', above(0, 'i')),
                new Row("--grad-accum", 'i', above(0, 'i')),
                new Row("--steps", 'l', above(0, 'l')),
                new Row("--schedule", 't', oneOf("cosine", "wsd")),
                new Row("--lr-max", 'd', above(0, 'd')),
                new Row("--lr-min", 'd', atLeast(0, 'd')),
                new Row("--warmup", 'l', atLeast(0, 'l')),
                new Row("--cosine-steps", 'l', above(0, 'l')),
                new Row("--decay-steps", 'l', above(0, 'l')),
                new Row("--beta1", 'd', in('[', 0, 1, ')', 'd')),
                new Row("--beta2", 'd', in('[', 0, 1, ')', 'd')),
                new Row("--eps", 'd', above(0, 'd')),
                new Row("--weight-decay", 'd', atLeast(0, 'd')),
                new Row("--grad-clip", 'd', atLeast(0, 'd')),
                new Row("--eval-every", 'l', above(0, 'l')),
                new Row("--eval-windows", 'i', above(0, 'i')),
                new Row("--save-every", 'l', above(0, 'l')),
                DEVICE, DTYPE, THREADS, KERNELS,
                new Row("--log-every", 'l', atLeast(0, 'l')),
                CUDA_GRAPHS,
                new Row("--nproc", 'i', above(0, 'i')),
                new Row("--dist-timeout", 'd', above(0, 'd')),
                new Row("--profile", 'i', above(0, 'i')))));
        TABLE.put("eval", concat(MODEL, List.of(
                new Row("--windows", 't', allOrPositive()),
                new Row("--batch-size", 'i', above(0, 'i')),
                DEVICE, DTYPE, THREADS, KERNELS)));
        TABLE.put("generate", concat(MODEL, List.of(
                new Row("--max-tokens", 'i', above(0, 'i')),
                new Row("--temperature", 'd', atLeast(0, 'd')),
                new Row("--top-p", 'd', in('(', 0, 1, ']', 'd')),
                new Row("--window", 't', oneOf("sliding", "halve")),
                DEVICE, DTYPE, THREADS, KERNELS, CUDA_GRAPHS)));
        TABLE.put("serve", concat(MODEL, List.of(
                new Row("--port", 'i', in('[', 0, 65535, ']', 'i')),
                new Row("--max-queue", 'i', above(0, 'i')),
                new Row("--max-batch", 'i', in('[', 1, 1024, ']', 'i')),
                new Row("--request-timeout", 'd', above(0, 'd')),
                new Row("--max-body-bytes", 'l', above(0, 'l')),
                new Row("--shutdown-grace", 'd', atLeast(0, 'd')),
                DEVICE, DTYPE, THREADS, KERNELS)));
        TABLE.put("export", concat(MODEL, List.of(new Row("--format", 't', oneOf("cs336", "llama")))));
        TABLE.put("check-tokens", List.of(new Row("--vocab-size", 'i', in('[', 1, 65536, ']', 'i'))));
        TABLE.put("account", concat(MODEL, List.of(new Row("--batch-size", 'i', above(0, 'i')))));
        TABLE.put("sweep", List.of(new Row("--y-max", 'd', above(0, 'd'))));
        TABLE.put("plot", List.of(new Row("--y-max", 'd', above(0, 'd'))));
        TABLE.put("tensor-demo", List.of(new Row("--device", 't', device(false))));
    }

    private static List<Row> concat(List<Row> a, List<Row> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    // ---------------------------------------------------------------- the table against --help

    /** Every verb of the Picocli tree ("bpe train", …), walked so that a new verb must get its rows. */
    static List<String> verbs() {
        List<String> out = new ArrayList<>();
        walk(Jlm.commandLine(), "", out);
        return out;
    }

    private static void walk(CommandLine cl, String prefix, List<String> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            String verb = (prefix + " " + e.getKey()).strip();
            if (e.getValue().getSubcommands().isEmpty()) out.add(verb);
            walk(e.getValue(), verb, out);
        }
    }

    /** Words that open a domain's text, as the README documents them. */
    private static final Pattern DOMAIN_WORDS = Pattern.compile("(> |>= |<= |in [\\[(]|one of |all or |auto, cpu |cpu or cuda).*");
    private static final Pattern OPTION_LINE = Pattern.compile("^ {0,10}(?:-\\w, )?(--[\\w-]+)(?:[= ]\\S+)?\\s*(.*)$");

    /**
     * Flag → the domain its --help entry ends with, "(…)" before any "Default: …", for every option whose description
     * ends with a parenthesis in a domain's words; read from the text as a user sees it.
     */
    static Map<String, String> domainsInHelp(String help) {
        Map<String, StringBuilder> entries = new LinkedHashMap<>();
        StringBuilder current = null;
        boolean options = false;
        for (String line : help.split("\n")) {
            Matcher m = OPTION_LINE.matcher(line);
            if (m.matches() && line.stripLeading().startsWith("-")) {
                options = true;
                current = new StringBuilder(m.group(2));
                entries.put(m.group(1), current);
            } else if (options && current != null && line.startsWith(" ".repeat(12)) && !line.isBlank()) {
                current.append(' ').append(line.strip());
            } else {
                current = null;
            }
        }
        Map<String, String> out = new TreeMap<>();
        entries.forEach((flag, text) -> {
            String t = text.toString().replaceAll("\\s+", " ").strip();
            int def = t.lastIndexOf(" Default: ");
            if (def >= 0) t = t.substring(0, def).strip();
            if (t.startsWith("Default: ")) t = "";
            if (!t.endsWith(")")) return;
            for (int open = t.lastIndexOf('('); open >= 0; open = t.lastIndexOf('(', open - 1)) {   // "(in (0, 1])": the outer one
                String inner = t.substring(open + 1, t.length() - 1);
                if (DOMAIN_WORDS.matcher(inner).matches()) {
                    out.put(flag, inner);
                    break;
                }
            }
        });
        return out;
    }

    @Test
    void theTableIsWhatEachVerbsHelpSays() {
        List<String> verbs = verbs();
        assertEquals(new java.util.TreeSet<>(TABLE.keySet()), new java.util.TreeSet<>(verbs), "the table has a row set for each verb, and only those");
        for (String verb : verbs) {
            CommandLine cl = Jlm.commandLine();
            for (String word : verb.split(" ")) cl = cl.getSubcommands().get(word);
            String help = cl.setUsageHelpWidth(4000).getUsageMessage();   // what --help prints, on a terminal wide enough not to wrap
            Map<String, String> expected = new TreeMap<>();
            for (Row row : TABLE.get(verb)) assertEquals(null, expected.put(row.flag(), row.dom().text()), verb + ": " + row.flag() + " twice in the table");
            assertEquals(expected, domainsInHelp(help), "jlm " + verb + " --help and the table disagree; the help:\n" + help);
        }
    }

    // ---------------------------------------------------------------- the cases

    static Stream<Arguments> cases() {
        List<Case> out = new ArrayList<>();
        for (var e : TABLE.entrySet()) {
            for (Row row : e.getValue()) {
                for (String v : row.dom().edges()) out.add(new Case(e.getKey(), row, v, row.dom().inside().test(v)));
            }
        }
        List<Map.Entry<String, Row>> rows = new ArrayList<>();
        TABLE.forEach((verb, rs) -> rs.forEach(row -> rows.add(Map.entry(verb, row))));
        SplittableRandom r = new SplittableRandom(20261203);
        for (int i = 0, n = Math.max(100, 400 - out.size()); i < n; i++) {
            var pick = Seeded.pick(r, rows);
            String v = random(pick.getValue(), r);
            out.add(new Case(pick.getKey(), pick.getValue(), v, pick.getValue().dom().inside().test(v)));
        }
        return out.stream().map(Arguments::of);
    }

    /** A value of the row's type, as command-line text: names, words and numbers for a text domain; numbers of every size. */
    static String random(Row row, SplittableRandom r) {
        switch (row.type()) {
            case 't' -> {
                if (r.nextBoolean()) return Seeded.pick(r, row.dom().edges());
                String s = Seeded.string(r, "abcdefghijklmnopqrstuvwxyz0123456789:-_.", 12);
                return s.startsWith("-") ? "x" + s : s;
            }
            case 'i', 'l' -> {
                long max = row.type() == 'i' ? Integer.MAX_VALUE : Long.MAX_VALUE;
                long x = switch (r.nextInt(3)) {
                    case 0 -> r.nextLong(-3, 70_000);
                    case 1 -> r.nextLong(-max, max);
                    default -> Seeded.pick(r, List.of(0L, -1L, 1L, max, -max - 1));
                };
                return Long.toString(x);
            }
            default -> {
                return switch (r.nextInt(3)) {
                    case 0 -> Double.toString(r.nextDouble(-2, 2));
                    case 1 -> Double.toString(r.nextDouble(-1e12, 1e12));
                    default -> Seeded.pick(r, List.of("0", "-1", "1", "1e-300", "-1e-300", "1e300", "NaN", "Infinity"));
                };
            }
        }
    }

    /** The verb with its required options filled in (paths under an empty folder), then the option under test. */
    static List<String> command(Path dir, String verb, String option, String value) {
        String p = dir.resolve("missing").toString();
        List<String> args = new ArrayList<>(List.of(verb.split(" ")));
        switch (verb) {
            case "eval" -> args.addAll(List.of("--checkpoint", p, "--data", p));
            case "generate", "serve" -> args.addAll(List.of("--checkpoint", p, "--tokenizer", p));
            case "export" -> args.addAll(List.of("--checkpoint", p, "--out", dir.resolve("out").toString()));
            case "tokenize" -> args.addAll(List.of("--tokenizer", p, "--text", "hello"));
            case "bpe train" -> args.addAll(List.of("--input", p, "--out", dir.resolve("out").toString()));
            case "sweep" -> args.addAll(List.of("--grid", p, "--out", dir.resolve("out").toString()));
            case "plot" -> args.addAll(List.of(p, "--out", dir.resolve("out.png").toString()));
            case "train" -> args.addAll(List.of("--train", p, "--out", dir.resolve("out").toString()));
            case "check-tokens" -> args.add(p);
            default -> { }
        }
        if ((verb.equals("bpe train") || verb.equals("check-tokens")) && !option.equals("--vocab-size")) args.addAll(List.of("--vocab-size", "300"));
        args.add(option + "=" + value);
        return args;
    }

    @ParameterizedTest(name = "jlm {0}")
    @MethodSource("cases")
    void eachValueIsRefusedOrAcceptedAsTheTableSays(Case c, @TempDir Path dir) throws Exception {
        List<String> cmd = command(dir, c.verb(), c.row().flag(), c.value());
        String where = "jlm " + String.join(" ", cmd) + ": ";
        if (c.inside()) {                                         // jlm's checks before any work, as Jlm's execution strategy runs them
            CommandLine root = Jlm.commandLine();
            try {
                for (var p = root.parseArgs(cmd.toArray(String[]::new)); p != null; p = p.subcommand()) OptionDomains.check(p.commandSpec());
            } catch (CommandLine.ParameterException e) {
                fail(where + "inside the documented domain " + c.row().dom().text() + ", but refused: " + e.getMessage());
            }
            return;
        }
        var r = CliTrainTest.run(cmd.toArray(String[]::new));
        assertEquals(2, r.code(), where + r.err());
        assertFalse(r.err().contains("\n"), where + "more than one line: " + r.err());
        assertTrue(r.err().startsWith("jlm: " + c.row().flag() + " must be " + c.row().dom().text() + ", got "), where + r.err());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), where + "wrote a file");
        }
    }
}
