package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jlm.checkpoint.NonFiniteWeightsTest;
import dev.jlm.checkpoint.Safetensors;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN in a model file or in a run's optimizer state is one line naming the file and the tensor, from eval and from a
 * resume, before any work. Oracle: the IEEE 754 NaN written into the file by hand, and the run folder left as it was.
 */
class CliNonFiniteWeightsTest {
    @Test
    void evalAndResumeRefuseANaNByName(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")).code());
        Path last = run.resolve("last.safetensors"), optim = run.resolve("last.optim.safetensors");
        String moment = Safetensors.readHeader(optim).entries().keySet().stream().filter(n -> n.startsWith("exp_avg_sq.")).findFirst().orElseThrow();
        NonFiniteWeightsTest.poke(optim, moment, 0, 0x7fc00000);
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        var resume = CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "4", "--resume"));
        assertEquals(1, resume.code(), resume.err());
        assertEquals("jlm: " + optim + ": tensor " + moment + " holds NaN or infinite values (no training writes them: a damaged file, or weights"
                + " saved after a diverged step)", resume.err().lines().reduce((a, b) -> b).orElseThrow(), "the error, after the resume's note");
        assertEquals(metrics, Files.readString(run.resolve("metrics.jsonl")), "the run is left as it was");

        NonFiniteWeightsTest.poke(last, "token_embeddings.weight", 3, 0x7f800000);
        var eval = CliTrainTest.run("eval", "--checkpoint", last.toString(), "--data", data.toString(), "--windows", "2");
        assertEquals(1, eval.code(), eval.err());
        assertFalse(eval.err().contains("\n"), eval.err());
        assertEquals("jlm: " + last + ": tensor token_embeddings.weight holds NaN or infinite values", eval.err().substring(0, eval.err().indexOf(" (")));
    }
}
