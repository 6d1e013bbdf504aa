package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.PythonCsv;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jlm sweep` runs the trainer in-process: a diverging point is recognised by its typed exception, not by its text. */
class CliSweepTest {
    @Test
    void divergenceIsTypedAndRunsAreNotRepeated(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1);
        Path grid = Files.writeString(dir.resolve("g.json"), """
                {"base": {"train": "%s", "steps": 4, "vocab_size": 64, "context_length": 16, "d_model": 32, "num_layers": 1,
                          "num_heads": 2, "batch_size": 4, "threads": 1, "grad_clip": 0, "warmup": 0},
                 "grid": {"lr_max": [0.001, 1e30]}}""".formatted(train));
        var r = CliTrainTest.run("sweep", "--grid", grid.toString(), "--out", dir.resolve("sw").toString());
        assertEquals(0, r.code(), r.err());
        List<List<String>> csv = PythonCsv.read(dir.resolve("sw/summary.csv"));     // the oracle: Python's csv module
        assertEquals(List.of("run", "final_val_loss", "best_val_loss", "final_train_loss", "tokens", "wall_s", "diverged", "error"), csv.get(0));
        assertEquals(List.of("lr_max=0.001", "no", ""), List.of(csv.get(1).get(0), csv.get(1).get(6), csv.get(1).get(7)), r.out());
        assertEquals(List.of("lr_max=1.0E30", "yes"), List.of(csv.get(2).get(0), csv.get(2).get(6)));
        long step = Long.parseLong(Files.readString(dir.resolve("sw/lr_max=1.0E30/diverged-at-step")).strip());
        assertEquals(Files.readString(dir.resolve("sw/lr_max=1.0E30/error.txt")).strip(), csv.get(2).get(7), "the message, commas and all");
        assertTrue(csv.get(2).get(7).contains(","), "a field with a comma: " + csv.get(2).get(7));
        assertTrue(Files.readString(dir.resolve("sw/summary.md")).contains("| yes (NaN at step " + step + ") |"));
        var again = CliTrainTest.run("sweep", "--grid", grid.toString(), "--out", dir.resolve("sw").toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(!again.out().contains("== lr_max"), "finished and diverged points are not run again: " + again.out());
    }
}
