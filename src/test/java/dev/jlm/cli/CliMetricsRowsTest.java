package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import dev.jlm.testing.TokenFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, silently wrong: a run's metrics.jsonl (read by plot and sweep) is read as the trainer writes it or
 * refused naming the file and line. Before, a misspelt key was passed over, a string or null value read as 0 (a
 * validation loss of 0 plotted), a fraction read as a step, and a step out of order plotted as a line turning back.
 * Oracle: the rows the trainer writes (Trainer's keys, all numbers, steps from 1 growing), written here by hand.
 */
class CliMetricsRowsTest {
    private static final String GOOD = "{\"step\":1,\"tokens\":64,\"wall_s\":0.5,\"train_loss\":5.7,\"lr\":0.0,\"grad_norm\":0.5,\"tokens_per_s\":128.0}\n"
            + "{\"step\":2,\"tokens\":128,\"wall_s\":1.0,\"train_loss\":5.6,\"lr\":0.001,\"grad_norm\":0.5,\"tokens_per_s\":128.0,\"val_loss\":5.65}\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"step\":3,\"train_los\":3.0}   | unknown key \"train_los\" (did you mean train_loss?)",
            "{\"step\":3,\"val_loss\":\"abc\"} | val_loss is string, not a number",
            "{\"step\":3,\"val_loss\":null}   | val_loss is null, not a number",
            "{\"step\":3,\"wall_s\":true}     | wall_s is boolean, not a number",
            "{\"step\":3.5,\"train_loss\":3}  | step 3.5 is not a whole number",
            "{\"step\":3,\"tokens\":1.5}      | tokens 1.5 is not a whole number",
            "{\"step\":1,\"train_loss\":3}    | step 1 after step 2 (a run's steps only grow)",
            "{\"step\":2,\"train_loss\":3}    | step 2 after step 2 (a run's steps only grow)"})
    void aRowNotAsTheTrainerWritesItIsRefusedNamingFileAndLine(String row, String said, @TempDir Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("metrics.jsonl"), GOOD);
        assertEquals(0, CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("ok.png").toString()).code());
        Files.writeString(run.resolve("metrics.jsonl"), GOOD + row + "\n");
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("c.png").toString()), 1,
                "jlm: " + run.resolve("metrics.jsonl") + ":3: " + said);
        assertEquals(false, Files.exists(dir.resolve("c.png")));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":0,\"train_loss\":3}\n");
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("c.png").toString()), 1,
                "jlm: " + run.resolve("metrics.jsonl") + ":1: step 0 (steps start at 1)");
    }

    /**
     * --resume rewrites metrics.jsonl without the rows past its checkpoint; a row it could not read was dropped with
     * them, without a word (only a torn last line may be: a crash cut it). Refused, the file byte for byte as it was.
     */
    @Test
    void aResumeDoesNotDropARowItCannotRead(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "4", "--save-every", "2")).code());
        Path m = run.resolve("metrics.jsonl");
        var lines = new java.util.ArrayList<>(Files.readAllLines(m));
        lines.set(1, "not json");
        Files.write(m, lines);
        byte[] before = Files.readAllBytes(m);
        var r = CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "6", "--save-every", "2", "--resume"));
        assertEquals(1, r.code(), r.err());                        // after the note that --steps differs from the run's
        String last = r.err().lines().reduce((a, b) -> b).orElse("");
        org.junit.jupiter.api.Assertions.assertTrue(last.startsWith("jlm: " + m + ":2: malformed JSON") && last.endsWith("resuming would drop it: fix the row"
                + " or move the file aside to go on with the run"), r.err());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(m));
    }

    /**
     * Two run folders of one name (a/run, b/run) were refused with the chart library's words ("This dataset already
     * contains a series with the key run train"); they are drawn, each by its path. One folder given twice (by another
     * spelling or a link) is refused, one line naming both.
     */
    @Test
    void runsOfOneNameAreDrawnAndOneRunGivenTwiceIsRefused(@TempDir Path dir) throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/run")), b = Files.createDirectories(dir.resolve("b/run"));
        Files.writeString(a.resolve("metrics.jsonl"), GOOD);
        Files.writeString(b.resolve("metrics.jsonl"), GOOD);
        var both = CliTrainTest.run("plot", a.toString(), b.toString(), "--out", dir.resolve("ab.png").toString());
        assertEquals(0, both.code(), both.err());
        assertEquals(true, Files.size(dir.resolve("ab.png")) > 0);
        assertOneLine(CliTrainTest.run("plot", a.toString(), a.toString(), "--out", dir.resolve("c.png").toString()), 1, "jlm: RUN_DIR " + a + " is given twice");
        Path link = Files.createSymbolicLink(dir.resolve("link"), a);
        assertOneLine(CliTrainTest.run("plot", a.toString(), link.toString(), "--out", dir.resolve("c.png").toString()), 1,
                "jlm: RUN_DIR " + link + " is given twice (" + a + " is the same folder)");
        assertEquals(false, Files.exists(dir.resolve("c.png")));
    }
}
