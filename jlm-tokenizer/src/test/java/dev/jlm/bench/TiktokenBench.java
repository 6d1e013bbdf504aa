package dev.jlm.bench;

import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.jlm.tokenizer.tiktoken.Encoding;
import dev.jlm.tokenizer.tiktoken.Encodings;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OpenAI's encodings, same run: jlm against jtokkit 1.1.0 (pure Java) and tiktoken (Python over Rust), one thread each
 * (scripts/bench-tokenizer pins the whole run to one core): encodeOrdinary MB/s on the bundled web text, best of
 * {@value #ROUNDS} interleaved rounds after warm-up: "warm", repeated passes of one jlm encoding, whose cache of recent
 * pre-tokens then holds the text's; "cold", each pass on a freshly loaded jlm encoding (cache empty), the figure
 * comparable to jtokkit and tiktoken, which keep no such cache. Also load time (best of 3, from the rank file's bytes to a usable
 * encoding) and heap retained by one loaded encoding (used heap after GC with it held, less before). Ids are checked
 * equal before timing. Prints a Markdown table.
 */
public final class TiktokenBench {
    private TiktokenBench() {}

    /** Timed rounds per encoding; each round times jlm cold, jlm warm and jtokkit once, in turn. */
    static final int ROUNDS = 10;

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("jlm.root", "."));
        String text = Files.readString(root.resolve("data/webtext_train_head_1408docs.txt"), StandardCharsets.UTF_8);
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        Path ranks = Files.createTempDirectory("jlm-ranks");
        for (String n : List.of("r50k_base", "p50k_base", "cl100k_base", "o200k_base")) {
            try (InputStream in = TiktokenBench.class.getClassLoader().getResourceAsStream("com/knuddels/jtokkit/" + n + ".tiktoken")) {
                Files.write(ranks.resolve(n + ".tiktoken"), in.readAllBytes());
            }
        }
        Path textFile = ranks.resolve("text.txt");
        Files.writeString(textFile, text);
        Map<String, String[]> py = tiktoken(ranks, textFile);
        Map<String, EncodingType> jt = Map.of("r50k_base", EncodingType.R50K_BASE, "p50k_base", EncodingType.P50K_BASE,
                "cl100k_base", EncodingType.CL100K_BASE, "o200k_base", EncodingType.O200K_BASE);
        System.out.printf(Locale.ROOT, "### OpenAI encodings (%.1f MB of web text, one core)%n%n", mb);
        System.out.println("| encoding | jlm, warm | jlm, cold | jtokkit 1.1.0 | tiktoken (Python) | jlm / jtokkit: warm, cold | load: jlm, jtokkit, tiktoken | heap: jlm, jtokkit |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        Map<String, long[]> heap = new HashMap<>();                      // first, while nothing else is loaded
        for (String name : Encodings.names()) {
            Path rankFile = ranks.resolve(Encodings.spec(name).rankFile());
            EncodingType type = jt.get(name);
            heap.put(name, new long[] {retained(() -> uncheckedLoad(name, rankFile)),
                    type == null ? -1 : retained(() -> com.knuddels.jtokkit.Encodings.newLazyEncodingRegistry().getEncoding(type))});
        }
        for (String name : Encodings.names()) {
            Path rankFile = ranks.resolve(Encodings.spec(name).rankFile());
            double jlmLoad = best(3, () -> Encodings.load(name, rankFile));
            long jlmHeap = heap.get(name)[0];
            Encoding jlm = Encodings.load(name, rankFile);
            int n = jlm.encodeOrdinary(text).length;
            EncodingType type = jt.get(name);
            var enc = type == null ? null : com.knuddels.jtokkit.Encodings.newLazyEncodingRegistry().getEncoding(type);
            String jtLoad = "—", jtHeap = "—";
            if (enc != null) {
                jtLoad = String.format(Locale.ROOT, "%.2f s", best(3, () -> com.knuddels.jtokkit.Encodings.newLazyEncodingRegistry().getEncoding(type)));
                jtHeap = String.format(Locale.ROOT, "%.0f MB", heap.get(name)[1] / 1e6);
                int m = enc.encodeOrdinary(text).size();
                if (m != n) throw new AssertionError(name + ": jlm gives " + n + " ids, jtokkit " + m);
            }
            for (int i = 0; i < 2; i++) {                                    // warm-up: JIT for both
                jlm.encodeOrdinary(text);
                if (enc != null) enc.encodeOrdinary(text);
            }
            // Interleaved rounds, a collection before each timed pass: drift on a shared machine hits all three alike.
            double warmSec = Double.MAX_VALUE, coldSec = Double.MAX_VALUE, jtSec = Double.MAX_VALUE;
            for (int round = 0; round < ROUNDS; round++) {
                Encoding fresh = Encodings.load(name, rankFile);             // its cache of recent pre-tokens empty
                coldSec = Math.min(coldSec, timed(() -> fresh.encodeOrdinary(text)));
                warmSec = Math.min(warmSec, timed(() -> jlm.encodeOrdinary(text)));
                if (enc != null) jtSec = Math.min(jtSec, timed(() -> enc.encodeOrdinary(text)));
            }
            String jtRate = "—", ratio = "—";
            if (enc != null) {
                jtRate = String.format(Locale.ROOT, "%.1f MB/s", mb / jtSec);
                ratio = String.format(Locale.ROOT, "%.2f×, %.2f×", jtSec / warmSec, jtSec / coldSec);
            }
            double jlmSec = warmSec;
            String[] p = py.get(name);
            if (p != null && Integer.parseInt(p[3]) != n) throw new AssertionError(name + ": jlm gives " + n + " ids, tiktoken " + p[3]);
            System.out.printf(Locale.ROOT, "| %s | %.1f MB/s | %.1f MB/s | %s | %s | %s | %.2f s, %s, %s | %.0f MB, %s |%n", name, mb / jlmSec, mb / coldSec, jtRate,
                    p == null ? "—" : p[2] + " MB/s", ratio, jlmLoad, jtLoad, p == null ? "—" : p[1] + " s", jlmHeap / 1e6, jtHeap);
        }
    }

    private static Encoding uncheckedLoad(String name, Path rankFile) {
        try {
            return Encodings.load(name, rankFile);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** tiktoken's load seconds, MB/s and id count by encoding, from scripts/reference/tiktoken_bench.py (same core). */
    private static Map<String, String[]> tiktoken(Path ranks, Path textFile) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("jlm.python", "python3"), "scripts/reference/tiktoken_bench.py",
                ranks.toString(), textFile.toString()));
        cmd.addAll(Encodings.names());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        Map<String, String[]> m = new HashMap<>();
        if (p.waitFor() != 0) {
            System.out.println("(tiktoken not run: " + out.strip().lines().reduce((a, b) -> b).orElse("") + ")\n");
            return m;
        }
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ");
            m.put(f[0], f);
        }
        return m;
    }

    /** Seconds for one run of r, after a collection (so that no pass pays for garbage an earlier one left). */
    static double timed(TokenizerBench.ThrowingRunnable r) throws Exception {
        System.gc();
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    static double best(int reps, TokenizerBench.ThrowingRunnable r) throws Exception {
        r.run();
        return TokenizerBench.best(reps, r);
    }

    private static Object[] held;

    /**
     * Used heap after GC while three results of {@code make} are held, less before, over three (nothing else is held
     * across the call): one instance per copy, the collector's noise divided by three.
     */
    static long retained(Supplier<Object> make) {
        long before = used();
        held = new Object[] {make.get(), make.get(), make.get()};
        long after = used();
        held = null;
        return (after - before) / 3;
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
