package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.testing.ChildJvm;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A `jlm train` process killed between two checkpoints, then `--resume`d, reads as one uninterrupted run. Oracle:
 * the same run trained without interruption (same seed, one thread: bit-identical losses).
 */
class CliResumeTest {
    static List<JsonNode> rows(Path run) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) out.add(new ObjectMapper().readTree(line));
        return out;
    }

    static long lines(Path f) {
        try {
            return Files.isRegularFile(f) ? Files.readAllLines(f).size() : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void killedBetweenCheckpointsThenResumedEqualsUninterrupted(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("train.bin"), 20_000, 64, 1);
        Path run = dir.resolve("run"), ref = dir.resolve("ref");
        List<String> common = List.of("train", "--train", train.toString(), "--vocab-size", "64", "--context-length", "32", "--d-model", "64",
                "--num-layers", "2", "--num-heads", "4", "--batch-size", "16", "--steps", "40", "--save-every", "10",
                "--threads", "1", "--seed", "5");

        List<String> cmd = new ArrayList<>(ChildJvm.jlm(common));
        cmd.addAll(List.of("--out", run.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long killedAt;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (lines(run.resolve("metrics.jsonl")) < 13 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(1);
            child.destroyForcibly();                                   // SIGKILL: no shutdown hook, no flush
            child.waitFor(30, TimeUnit.SECONDS);
            killedAt = lines(run.resolve("metrics.jsonl"));
        } finally {
            child.destroyForcibly();
        }
        assertTrue(killedAt > 10 && killedAt < 40, "killed at step " + killedAt + ": " + Files.readString(dir.resolve("child.log")));
        long lastCheckpoint = killedAt / 10 * 10;
        assertTrue(Files.isRegularFile(run.resolve(String.format("step-%06d.safetensors", lastCheckpoint))));

        List<String> resume = new ArrayList<>(common);
        resume.addAll(List.of("--out", run.toString(), "--resume"));
        var r = CliTrainTest.run(resume.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("trained steps " + (lastCheckpoint + 1) + "-40 (" + (40 - lastCheckpoint) + " steps)"), r.out());

        List<String> full = new ArrayList<>(common);
        full.addAll(List.of("--out", ref.toString()));
        assertEquals(0, CliTrainTest.run(full.toArray(String[]::new)).code());
        List<JsonNode> a = rows(run), b = rows(ref);
        assertEquals(40, a.size(), "metrics.jsonl must hold each step once");
        for (int i = 0; i < 40; i++) {
            assertEquals(i + 1, a.get(i).get("step").asLong());
            assertEquals(b.get(i).get("train_loss").asDouble(), a.get(i).get("train_loss").asDouble(), 0.0, "step " + (i + 1));
            assertEquals(b.get(i).get("tokens").asLong(), a.get(i).get("tokens").asLong());
        }

        var again = CliTrainTest.run(resume.toArray(String[]::new));               // nothing left to do
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().lines().anyMatch(l -> l.startsWith(run + " is already complete at step 40 of --steps 40")), again.out());
        assertEquals(40, rows(run).size());
    }
}
