package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, silently wrong: eval --seed without --sample was accepted and did nothing (the first windows are taken
 * whatever the seed: two seeds, one loss). Refused as a usage error before the checkpoint is looked at.
 */
class CliEvalSeedTest {
    @Test
    void aSeedWithoutSampleIsRefusedBeforeAnyWork(@TempDir Path dir) {
        String missing = dir.resolve("none.safetensors").toString(), data = dir.resolve("none.bin").toString();
        assertOneLine(CliTrainTest.run("eval", "--checkpoint", missing, "--data", data, "--windows", "2", "--seed", "5"), 2,
                "jlm: --seed seeds --sample's draw; without --sample eval takes the first windows and --seed would do nothing (see: jlm eval --help)");
        var sampled = CliTrainTest.run("eval", "--checkpoint", missing, "--data", data, "--windows", "2", "--seed", "5", "--sample");
        assertOneLine(sampled, 1, "jlm: ");                            // past that check: the missing checkpoint is what is said
        org.junit.jupiter.api.Assertions.assertTrue(sampled.err().contains("none."), sampled.err());
    }
}
