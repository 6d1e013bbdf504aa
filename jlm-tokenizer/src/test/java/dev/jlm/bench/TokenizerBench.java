package dev.jlm.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.jlm.tokenizer.BpeTrainer;
import dev.jlm.tokenizer.ParallelEncoder;
import dev.jlm.tokenizer.PreTokenCounter;
import dev.jlm.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Tokenizer benchmarks, side by side in one JVM: jlm against HuggingFace tokenizers (Rust, through DJL) on
 * the same text and GPT-2 vocab; BPE training and pre-tokenization throughput. Prints Markdown tables.
 * Each figure is the best of several repetitions after warm-up. Run by scripts/bench-tokenizer.
 */
public final class TokenizerBench {
    static final List<String> EOT = List.of("<|endoftext|>");

    static double best(int reps, ThrowingRunnable r) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("jlm.root", "."));
        Path fixtures = root.resolve("src/test/resources/fixtures");
        Path tiny = root.resolve("data/TinyStories-train_head-2MiB.txt");
        Path web = root.resolve("data/webtext_train_head_1408docs.txt");
        int cores = Runtime.getRuntime().availableProcessors();
        Path work = Files.createTempDirectory("jlm-bench");

        // ---- encoding: GPT-2 vocab, jlm vs HuggingFace tokenizers
        Path gpt2 = work.resolve("gpt2");
        Files.createDirectories(gpt2);
        Files.copy(fixtures.resolve("gpt2_vocab.json"), gpt2.resolve("vocab.json"));
        Files.copy(fixtures.resolve("gpt2_merges.txt"), gpt2.resolve("merges.txt"));
        Tokenizer jlm = Tokenizer.load(gpt2, EOT);
        String text = Files.readString(web, StandardCharsets.UTF_8);
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        String[] docs = text.split("(?<=<\\|endoftext\\|>)");
        try (HuggingFaceTokenizer hf = dev.jlm.tokenizer.HfOracle.load(fixtures.resolve("gpt2_vocab.json"), fixtures.resolve("gpt2_merges.txt"), EOT)) {
            int[] a = jlm.encode(text);
            long[] b = hf.encode(text, false, false).getIds();
            if (a.length != b.length) throw new AssertionError("jlm and HF disagree on the benchmark text");
            double jlm1 = best(5, () -> jlm.copy().encode(text));            // cold cache each time
            double hf1 = best(3, () -> hf.encode(text, false, false));
            Path big = work.resolve("web.txt");
            Files.writeString(big, text);
            double jlmN = best(5, () -> new ParallelEncoder(jlm, cores).encode(big, (ids, done) -> {}));
            double hfN = best(3, () -> hf.batchEncode(docs, false, false));
            System.out.printf(Locale.ROOT, "### Encoding (GPT-2 vocab, %.1f MB of web text, %d cores)%n%n", mb, cores);
            System.out.println("| encoder | 1 thread | all threads |\n|---|---|---|");
            System.out.printf(Locale.ROOT, "| jlm (pure Java) | %.1f MB/s | %.1f MB/s |%n", mb / jlm1, mb / jlmN);
            System.out.printf(Locale.ROOT, "| HuggingFace tokenizers (Rust, DJL) | %.1f MB/s | %.1f MB/s (batchEncode) |%n", mb / hf1, mb / hfN);
            System.out.printf(Locale.ROOT, "| ratio jlm / HF | %.1fx | %.1fx |%n%n", hf1 / jlm1, hfN / jlmN);
        }

        // ---- BPE training
        System.out.println("### BPE training (time in this warm JVM; peak RSS per run: scripts/bench-tokenizer)\n");
        System.out.println("| corpus | vocab | time | pre-tokenize | merges |\n|---|---|---|---|---|");
        BpeTrainer.Listener quiet = (p, d, t) -> {};
        for (int i = 0; i < 5; i++) new BpeTrainer(500, EOT, cores).train(List.of(fixtures.resolve("corpus.en")), quiet);
        double[] times = new double[10];
        for (int i = 0; i < times.length; i++) {
            long t0 = System.nanoTime();
            new BpeTrainer(500, EOT, cores).train(List.of(fixtures.resolve("corpus.en")), quiet);
            times[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(times);
        System.out.printf(Locale.ROOT, "| corpus.en (130 KB) | 500 | %.3f s (median of 10) | | |%n", times[5]);
        for (Object[] row : new Object[][] {{tiny, 10_000}, {web, 32_000}}) {
            Path in = (Path) row[0];
            var r = new BpeTrainer((int) row[1], EOT, cores).train(List.of(in), quiet);
            var s = r.stats();
            System.out.printf(Locale.ROOT, "| %s (%.1f MB) | %,d | %.2f s | %.2f s | %.2f s |%n", in.getFileName(), s.corpusBytes() / 1e6,
                    (int) row[1], s.pretokenizeSeconds() + s.mergeSeconds(), s.pretokenizeSeconds(), s.mergeSeconds());
        }

        // ---- pre-tokenize + count throughput on a larger input (TinyStories + web text, repeated to ~58 MB)
        Path large = work.resolve("large.txt");
        byte[] t1 = Files.readAllBytes(tiny), t2 = Files.readAllBytes(web);
        try (var out = Files.newOutputStream(large)) {
            for (int i = 0; i < 10; i++) {
                out.write(t1);
                out.write(t2);
            }
        }
        double largeMb = Files.size(large) / 1e6;
        System.out.printf(Locale.ROOT, "%n### Pre-tokenize and count (%.0f MB)%n%n| threads | time | MB/s | MB/s per thread |%n|---|---|---|---|%n", largeMb);
        List<Integer> threadCounts = new ArrayList<>(List.of(1));
        if (cores > 1) threadCounts.add(cores);
        for (int th : threadCounts) {
            double sec = best(3, () -> new PreTokenCounter(EOT, th).count(List.of(large), b -> {}));
            System.out.printf(Locale.ROOT, "| %d | %.2f s | %.1f | %.1f |%n", th, sec, largeMb / sec, largeMb / sec / th);
        }
    }
}
