package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.ChildJvm;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus with more distinct pre-tokens than the heap holds: bpe train stops while counting, before the heap is full,
 * with one line that says how much heap the counts and merges already need and which -Xmx to give — not an
 * OutOfMemoryError trace — and writes no tokenizer.
 */
class CliBpeHeapTest {
    @Test
    void tooSmallAHeapIsOneLineOfAdvice(@TempDir Path dir) throws Exception {
        Path corpus = dir.resolve("many-words.txt");
        SplittableRandom r = new SplittableRandom(9);
        try (BufferedWriter w = Files.newBufferedWriter(corpus, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 3_000_000; i++) {                         // ~3M distinct words of 10-14 letters
                StringBuilder b = new StringBuilder(i % 16 == 0 ? "" : " ");       // lines of 16 words: "w w … w\n", cut-safe
                for (int k = 10 + r.nextInt(5); k > 0; k--) b.append((char) ('a' + r.nextInt(26)));
                w.write(b.toString());
                if (i % 16 == 15) w.write("\n");
            }
        }
        List<String> cmd = new ArrayList<>(ChildJvm.jlm(List.of("bpe", "train", "--input", corpus.toString(), "--vocab-size", "1000",
                "--threads", "1", "--out", dir.resolve("tok").toString())));
        cmd.add(1, "-Xmx512m");                                          // the counts outgrow it well before the blocks in flight do
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out");
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(err);
        assertNotEquals(0, p.exitValue(), text);
        List<String> lines = text.lines().filter(l -> l.startsWith("jlm: ")).toList();
        assertTrue(lines.size() == 1 && lines.getFirst().matches("jlm: after \\d+% of the corpus, [\\d,]+ distinct pre-tokens already need about"
                + " [\\d.]+ GB of Java heap to count and merge, more than the max heap \\(0\\.5 GB\\): give the JVM more, e.g. JLM_JAVA_OPTS=-Xmx\\d+g"), text);
        assertFalse(text.contains("OutOfMemoryError") || text.contains("\tat "), text);
        assertFalse(Files.exists(dir.resolve("tok").resolve("vocab.json")), "no tokenizer written");
    }
}
