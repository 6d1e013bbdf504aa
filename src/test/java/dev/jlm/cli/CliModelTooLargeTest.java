package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, misleading: a model too large to count was said with Java's own words, a record's toString
 * ("ModelConfig[vocabSize=10000, dModel=…]"). Said in the flags' words, in account and in train (before any folder).
 */
class CliModelTooLargeTest {
    @Test
    void aModelWithMoreThan2To63ParametersIsSaidInTheFlagsWords(@TempDir Path dir) throws Exception {
        String said = "has more than 2^63 parameters";
        String[] huge = {"--d-model", "1000000000", "--d-ff", "64", "--num-heads", "1", "--num-layers", "2000000000"};
        var account = CliTrainTest.run(concat(new String[] {"account"}, huge));
        assertEquals(1, account.code(), account.err());
        assertEquals("jlm: the model of --vocab-size 10000, --d-model 1000000000, --d-ff 64 and --num-layers 2000000000 " + said, account.err());
        Path data = dev.jlm.testing.TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1);
        assertOneLine(CliTrainTest.run(concat(new String[] {"train", "--train", data.toString(), "--vocab-size", "64", "--context-length", "16",
                "--batch-size", "4", "--out", dir.resolve("run").toString()}, huge)), 1,
                "jlm: the model of --vocab-size 64, --d-model 1000000000, --d-ff 64 and --num-layers 2000000000 " + said);
        assertEquals(false, Files.exists(dir.resolve("run")));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
