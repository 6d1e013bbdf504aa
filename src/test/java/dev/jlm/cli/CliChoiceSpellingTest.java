package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, silently wrong: a choice's domain check accepts any case and blanks (as the enum settings read them),
 * but export compared --format exactly: "--format LLAMA" passed the check and wrote the cs336 layout without a word;
 * generate's " halve" ended in Java's "No enum constant …". Each now means the choice it names.
 */
class CliChoiceSpellingTest {
    @Test
    void aChoiceMeansWhatItNamesInAnyCase(@TempDir Path dir) throws Exception {
        Path tok = CliNoDamageTest.tokenizer(dir);
        String ckpt = CliStandardOutputTest.modelForTokenizer(dir).toString();
        var upper = CliTrainTest.run("export", "--checkpoint", ckpt, "--format", "LLAMA", "--out", dir.resolve("a").toString());
        var lower = CliTrainTest.run("export", "--checkpoint", ckpt, "--format", "llama", "--out", dir.resolve("b").toString());
        assertEquals(0, upper.code(), upper.err());
        assertEquals(0, lower.code(), lower.err());
        assertEquals(Files.readString(dir.resolve("b/config.json")), Files.readString(dir.resolve("a/config.json")));
        assertTrue(Files.readString(dir.resolve("a/config.json")).contains("\"model_type\" : \"llama\""));
        String[] gen = {"generate", "--checkpoint", ckpt, "--tokenizer", tok.toString(), "--max-tokens", "20", "--temperature", "0",
                "--threads", "1", "--end-token", "", "--window", " HALVE"};
        var g = CliTrainTest.run(gen);
        assertEquals(0, g.code(), g.err());
        gen[gen.length - 1] = "halve";
        assertEquals(CliTrainTest.run(gen).out(), g.out());
    }
}
