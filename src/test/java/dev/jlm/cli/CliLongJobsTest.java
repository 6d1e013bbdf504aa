package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.testing.ChildJvm;
import dev.jlm.testing.PyTorchOracle;
import dev.jlm.testing.TokenFiles;
import dev.jlm.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long jobs a user can watch, and evaluation over the whole file. */
class CliLongJobsTest {
    /** Runs jlm in a child JVM with stderr to a file (not a terminal); returns stderr. */
    static String child(Path dir, String... args) throws Exception {
        List<String> cmd = ChildJvm.jlm(List.of(args));
        Path err = dir.resolve("stderr-" + System.nanoTime() + ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JLM_PROGRESS_SECONDS", "0.001");
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out");
        } finally {
            p.destroyForcibly();                                          // never leave a worker behind
        }
        String text = Files.readString(err);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    @Test
    void offATerminalProgressIsPlainLines(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tok");
        String bpe = child(dir, "bpe", "train", "--input", CliTokenizerTest.fixture("tinystories_sample.txt").toString(), "--vocab-size", "400",
                "--out", tok.toString());
        assertFalse(bpe.contains("\r"), "no carriage returns in a log");
        assertTrue(bpe.lines().anyMatch(l -> l.matches("pre-tokenize [\\d,]+/[\\d,]+ \\(\\d+\\.\\d%\\) .* MB/s .*ETA .*")), bpe);
        assertTrue(bpe.lines().anyMatch(l -> l.matches("merge [\\d,]+/144 \\(\\d+\\.\\d%\\)  (-|[\\d.,]+) merges/s  ETA .*")), bpe);

        Path train = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1);
        String log = child(dir, "train", "--train", train.toString(), "--out", dir.resolve("run").toString(), "--vocab-size", "64",
                "--context-length", "16", "--d-model", "32", "--num-layers", "1", "--num-heads", "2", "--batch-size", "4", "--steps", "6",
                "--log-every", "2", "--threads", "1");
        assertFalse(log.contains("\r"));
        List<String> lines = log.lines().filter(l -> l.startsWith("train ")).toList();
        assertTrue(lines.size() >= 3, log);
        assertTrue(lines.getLast().matches("train 6/6 \\(100\\.0%\\)  [\\d.,]+ steps/s \\([\\d.,]+ tok/s\\)  ETA -  loss \\d+\\.\\d{4}  lr \\S+"), lines.getLast());
    }

    @Test
    void evalWindowsAllAndSampledAndIdsCheckedWhereRead(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), valid = TokenFiles.random(dir.resolve("v.bin"), 16 * 37 + 1, 64, 2);
        var t = CliTrainTest.run("train", "--train", train.toString(), "--out", dir.resolve("run").toString(), "--vocab-size", "64",
                "--context-length", "16", "--d-model", "32", "--num-layers", "1", "--num-heads", "2", "--batch-size", "4", "--steps", "3",
                "--threads", "1");
        assertEquals(0, t.code(), t.err());
        Path ckpt = dir.resolve("run/last.safetensors");
        var all = CliTrainTest.run("eval", "--checkpoint", ckpt.toString(), "--data", valid.toString(), "--windows", "all", "--threads", "1");
        assertEquals(0, all.code(), all.err());
        var json = new ObjectMapper().readTree(all.out());
        assertEquals(37, json.get("windows").asLong());                                   // every window of the file
        assertEquals(PyTorchOracle.eval(ckpt, valid, 1000), json.get("loss").asDouble(), 1e-4);   // Python, all 37

        long[] a = Evaluator.sample(10, 1000, 1), b = Evaluator.sample(10, 1000, 1), c = Evaluator.sample(10, 1000, 2);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(10, Arrays.stream(a).distinct().count());
        assertTrue(Arrays.stream(a).allMatch(k -> k >= 0 && k < 1000) && a[9] > 500, Arrays.toString(a));   // spread over the file
        var sampled = CliTrainTest.run("eval", "--checkpoint", ckpt.toString(), "--data", valid.toString(), "--windows", "5", "--sample",
                "--seed", "3", "--threads", "1");
        assertEquals(5, new ObjectMapper().readTree(sampled.out()).get("windows").asLong());
        assertNotEquals(json.get("loss").asDouble(), new ObjectMapper().readTree(sampled.out()).get("loss").asDouble());

        int[] ids = new int[16 * 4 + 1];
        ids[16 * 2 + 5] = 900;                                            // in window 2 only
        Path bad = TokenFiles.write(dir.resolve("bad.bin"), ids);
        var first = CliTrainTest.run("eval", "--checkpoint", ckpt.toString(), "--data", bad.toString(), "--windows", "2");
        assertEquals(0, first.code(), "windows 0 and 1 never read the bad id: " + first.err());
        var hit = CliTrainTest.run("eval", "--checkpoint", ckpt.toString(), "--data", bad.toString(), "--windows", "all");
        assertEquals(1, hit.code());
        assertEquals("jlm: " + bad + ": token id 900 at offset 37 exceeds the checkpoint's vocab size 64", hit.err());
        var check = CliTrainTest.run("check-tokens", bad.toString(), "--vocab-size", "64");
        assertEquals("jlm: " + bad + ": token id 900 at offset 37 exceeds --vocab-size 64", check.err());
    }
}
