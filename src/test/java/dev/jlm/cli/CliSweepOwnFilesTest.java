package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, damage: a sweep writes OUT/summary.md, summary.csv and curves.png by renaming new files over those
 * paths. A grid file (or a run's token file) kept there was replaced by the summary after the runs, and a pipe there
 * replaced by a file. Both refused before any run; the folder as it was. Oracle: the file system (CliNoDamageTest's
 * snapshot: bytes, kinds).
 */
class CliSweepOwnFilesTest {
    @Test
    void anInputOrAPipeWhereTheSweepWritesItsSummaryIsRefusedBeforeAnyRun(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), out = Files.createDirectories(dir.resolve("sw"));
        String grid = """
                {"base": {"train": "%s", "vocab_size": 64, "d_model": 16, "num_heads": 2, "num_layers": 1, "context_length": 16,
                          "batch_size": 4, "steps": 2, "threads": 1},
                 "grid": {"lr_max": [0.001]}}
                """.formatted(data);
        for (String name : new String[] {"summary.md", "summary.csv", "curves.png"}) {
            Path g = Files.writeString(out.resolve(name), grid);
            Map<String, String> before = CliNoDamageTest.snapshot(dir);
            assertOneLine(CliTrainTest.run("sweep", "--grid", g.toString(), "--out", out.toString()), 1,
                    "jlm: the sweep's " + name + " " + g + " is the --grid file: writing it would replace what this command reads");
            assertEquals(before, CliNoDamageTest.snapshot(dir), name);
            Files.delete(g);
        }
        Path g = Files.writeString(dir.resolve("grid.json"), grid);
        Path t = Files.copy(data, out.resolve("summary.csv"));             // a run's training tokens where the summary goes
        String other = grid.replace(data.toString(), t.toString());
        Files.writeString(g, other);
        Map<String, String> before = CliNoDamageTest.snapshot(dir);
        assertOneLine(CliTrainTest.run("sweep", "--grid", g.toString(), "--out", out.toString()), 1,
                "jlm: the sweep's summary.csv " + t + " is the run lr_max=0.001's train file");
        assertEquals(before, CliNoDamageTest.snapshot(dir));
        Files.delete(t);
        Files.writeString(g, grid);
        assertTrue(CliNoDamageTest.make("mkfifo", out.resolve("curves.png").toString()));
        before = CliNoDamageTest.snapshot(dir);
        assertOneLine(CliTrainTest.run("sweep", "--grid", g.toString(), "--out", out.toString()), 1,
                "jlm: the sweep's curves.png " + out.resolve("curves.png") + " is a named pipe (FIFO), not a regular file");
        assertEquals(before, CliNoDamageTest.snapshot(dir));
    }

    /**
     * "The whole file is checked before the first run": a run's token file that is not there was found only when that
     * run started (its folder made, error.txt, a summary of failures). Refused before any run, naming the run and the
     * path (a relative one with the folder it is read from); nothing written.
     */
    @Test
    void aRunsMissingTokenFileIsRefusedBeforeAnyRun(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), out = dir.resolve("sw");
        Path g = Files.writeString(dir.resolve("grid.json"), """
                {"base": {"train": "%s", "vocab_size": 64, "d_model": 16, "num_heads": 2, "num_layers": 1, "context_length": 16,
                          "batch_size": 4, "steps": 2, "threads": 1},
                 "runs": {"a": {}, "b": {"valid": "%s"}}}
                """.formatted(data, dir.resolve("missing.bin")));
        assertOneLine(CliTrainTest.run("sweep", "--grid", g.toString(), "--out", out.toString()), 1,
                "jlm: " + g + ": run b: valid " + dir.resolve("missing.bin") + ": no such token file");
        assertEquals(false, Files.exists(out));
        Files.writeString(g, Files.readString(g).replace(dir.resolve("missing.bin").toString(), "relative-missing.bin"));
        assertOneLine(CliTrainTest.run("sweep", "--grid", g.toString(), "--out", out.toString()), 1,
                "jlm: " + g + ": run b: valid relative-missing.bin: no such token file (a relative path is read from the current folder, "
                        + Path.of("").toAbsolutePath() + ")");
        assertEquals(false, Files.exists(out));
    }
}
