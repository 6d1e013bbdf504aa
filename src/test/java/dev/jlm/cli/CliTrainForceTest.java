package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, silently wrong: train --force (it lifts --nproc's checks of cores and memory) without --nproc was
 * accepted and did nothing. A usage error before any work, given as a flag or in --config; no run folder made.
 */
class CliTrainForceTest {
    @Test
    void forceWithoutNprocIsRefusedBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        String said = "jlm: --force starts --nproc's workers past its checks of cores and memory; without --nproc N (N > 1) it does nothing"
                + " (see: jlm train --help)";
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "1", "--force")), 2, said);
        Path cfg = Files.writeString(dir.resolve("c.json"), "{\"force\": true}");
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "1", "--config", cfg.toString())), 2, said);
        assertEquals(false, Files.exists(run));
    }
}
