package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jlm.testing.ChildJvm;
import dev.jlm.testing.TokenFiles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, silently wrong: a verb whose answer goes to standard output fails when that output cannot be written.
 * Java's System.out swallows the write error, so {@code jlm eval … > result.json} on a full disk left a cut or empty
 * result and exited 0. Oracle: the kernel's /dev/full, whose every write fails with ENOSPC; each verb must then exit 1
 * with one line naming standard output (and generate stops at once instead of generating for no one).
 */
class CliStandardOutputTest {
    record Child(int code, String err) {}

    /** jlm ARGS in a child JVM with its standard output on /dev/full. */
    static Child toDevFull(Path dir, String... args) throws Exception {
        Path err = dir.resolve("stderr-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(ChildJvm.jlm(List.of(args))).redirectOutput(new File("/dev/full")).redirectError(err.toFile()).start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out");
        } finally {
            p.destroyForcibly();
        }
        return new Child(p.exitValue(), Files.readString(err).strip());
    }

    /** A one-step model of DIR/tok's vocab (300), trained on DIR/t.bin (random ids): DIR/run/last.safetensors. */
    static Path modelForTokenizer(Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 300, 1), run = dir.resolve("run");
        var trained = CliTrainTest.run("train", "--train", data.toString(), "--out", run.toString(), "--vocab-size", "300", "--context-length", "16",
                "--d-model", "16", "--num-layers", "1", "--num-heads", "2", "--batch-size", "4", "--threads", "1", "--steps", "1");
        assertEquals(0, trained.code(), trained.err());
        return run.resolve("last.safetensors");
    }

    @Test
    void aVerbWhoseStandardOutputCannotBeWrittenFails(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full here");
        Path tok = CliNoDamageTest.tokenizer(dir), data = dir.resolve("t.bin");
        String ckpt = modelForTokenizer(dir).toString();
        List<String[]> verbs = List.of(
                new String[] {"account", "--vocab-size", "300", "--d-model", "16", "--num-heads", "2", "--num-layers", "1"},
                new String[] {"tokenize", "--tokenizer", tok.toString(), "--text", "hello world"},
                new String[] {"check-tokens", "--vocab-size", "300", data.toString()},
                new String[] {"eval", "--checkpoint", ckpt, "--data", data.toString(), "--windows", "2", "--threads", "1"},
                new String[] {"generate", "--checkpoint", ckpt, "--tokenizer", tok.toString(), "--max-tokens", "200", "--temperature", "0",
                        "--threads", "1"});
        for (String[] args : verbs) {
            Child c = toDevFull(dir, args);
            assertEquals(1, c.code(), args[0] + ": " + c.err());
            String last = c.err().lines().reduce((a, b) -> b).orElse("");
            assertEquals("jlm: could not write standard output (No space left on device): what it holds is incomplete", last, args[0]);
            if (args[0].equals("generate")) {                      // stopped at the first token it could not write
                assertTrue(c.err().contains("[1 tokens in "), c.err());
            }
        }
    }
}
