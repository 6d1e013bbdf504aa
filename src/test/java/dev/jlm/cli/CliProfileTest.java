package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jlm train --profile N` reads libtorch's profiler. Oracle: the number of matrix products a step of the CS336 model
 * must run, counted by hand — per layer 7 linears (q, k, v, o, w1, w2, w3) plus the lm_head, each one mm forward and
 * two backward (input and weight gradients): 3·(7L+1); attention: 2 bmm per layer forward, 4 backward: 6L.
 */
class CliProfileTest {
    @Test
    void theProfileCountsTheStepsMatrixProductsAndAttributesBothPhases(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 5000, 512, 1), events = dir.resolve("events.tsv");
        int layers = 2, steps = 3;
        var r = CliTrainTest.run("train", "--train", train.toString(), "--vocab-size", "512", "--context-length", "16", "--d-model", "32",
                "--num-layers", String.valueOf(layers), "--num-heads", "2", "--d-ff", "64", "--batch-size", "4", "--threads", "1",
                "--kernels", "reference", "--profile", String.valueOf(steps), "--profile-events", events.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertEquals(3 * (7 * layers + 1), callsPerStep(out, "aten::mm"), out);
        assertEquals(6 * layers, callsPerStep(out, "aten::bmm"), out);
        for (String component : new String[] {"attention", "ffn", "norm", "lm_head", "loss"}) {   // forward and backward both seen
            Matcher m = Pattern.compile("\\| " + component + " \\| ([\\d.]+) \\| ([\\d.]+) \\|").matcher(out);
            assertTrue(m.find(), component + " missing:\n" + out);
            assertTrue(Double.parseDouble(m.group(1)) > 0 && Double.parseDouble(m.group(2)) > 0, component + ": " + out);
        }
        assertTrue(Pattern.compile("\\| optimizer \\| 0\\.00 \\| 0\\.00 \\| [\\d.]+ \\|").matcher(out).find(), out);
        assertTrue(Files.size(events) > 0);
        assertFalse(Files.exists(dir.resolve("profile-run-not-written")), "a profile writes no run folder");
    }

    static int callsPerStep(String table, String op) {
        Matcher m = Pattern.compile("\\| " + Pattern.quote(op) + " \\| (\\d+) \\|").matcher(table);
        assertTrue(m.find(), op + " not in the table:\n" + table);
        return Integer.parseInt(m.group(1));
    }
}
