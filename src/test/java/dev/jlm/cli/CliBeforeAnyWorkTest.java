package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.nn.ModelConfig;
import dev.jlm.testing.SavedModels;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a verb is given is checked before its work, and what it reports is never made from nothing: the expected lines
 * are written here by hand.
 */
class CliBeforeAnyWorkTest {
    /** A unigram baseline estimated from no tokens would be the uniform ln V under another name: refused. */
    @Test
    void aUnigramBaselineFromAnEmptyFileIsRefused(@TempDir Path dir) throws Exception {
        Path ckpt = SavedModels.save(dir.resolve("m.safetensors"),
                ModelConfig.builder().vocabSize(64).contextLength(8).dModel(16).numLayers(1).numHeads(2).build(), 1);
        Path data = TokenFiles.random(dir.resolve("valid.bin"), 200, 64, 2), empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        var r = CliTrainTest.run("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--unigram-from", empty.toString(), "--threads", "1");
        assertEquals(1, r.code(), r.err());
        assertEquals("jlm: " + empty + " holds no tokens: a unigram baseline is estimated from the training tokens", r.err());
        assertEquals("", r.out(), "no loss is reported beside a refused baseline");
        var ok = CliTrainTest.run("eval", "--checkpoint", ckpt.toString(), "--data", data.toString(), "--unigram-from", data.toString(), "--threads", "1");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("\"unigram_loss\":"), ok.out());
    }

    /** generate: a prompt of no tokens, and a halving window that keeps none, are refused before the model is loaded. */
    @Test
    void generateRefusesWhatWouldConditionOnNothing(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tok");
        assertEquals(0, CliTrainTest.run("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300",
                "--out", tok.toString()).code());
        Path one = SavedModels.save(dir.resolve("c1.safetensors"),
                ModelConfig.builder().vocabSize(300).contextLength(1).dModel(16).numLayers(1).numHeads(2).build(), 1);
        var halve = CliTrainTest.run("generate", "--checkpoint", one.toString(), "--tokenizer", tok.toString(), "--window", "halve", "--threads", "1");
        assertEquals(2, halve.code(), halve.err());
        assertEquals("jlm: --window halve keeps the last context_length / 2 tokens past the context, and this model's context length is 1: that is"
                + " none; use --window sliding (see: jlm generate --help)", halve.err());
        assertEquals("", halve.out());
        var sliding = CliTrainTest.run("generate", "--checkpoint", one.toString(), "--tokenizer", tok.toString(), "--max-tokens", "3", "--threads", "1");
        assertEquals(0, sliding.code(), sliding.err());
        var empty = CliTrainTest.run("generate", "--checkpoint", one.toString(), "--tokenizer", tok.toString(), "--prompt", "", "--threads", "1");
        assertEquals(2, empty.code(), empty.err());
        assertEquals("jlm: --prompt is empty: give the text to continue (see: jlm generate --help)", empty.err());
        assertEquals("", empty.out());
        for (String[] flag : new String[][] {{"--top-p", "0.5"}, {"--seed", "3"}}) {   // greedy decoding samples nothing
            var greedy = CliTrainTest.run("generate", "--checkpoint", one.toString(), "--tokenizer", tok.toString(), "--temperature", "0",
                    flag[0], flag[1], "--threads", "1");
            assertEquals(2, greedy.code(), greedy.err());
            assertEquals("jlm: " + flag[0] + " is a setting of sampling; --temperature 0 decodes greedily (the most probable token): give a"
                    + " temperature above 0, or drop " + flag[0] + " (see: jlm generate --help)", greedy.err());
            assertEquals("", greedy.out());
        }
    }

    /** --profile-events belongs to --profile, and where it would be written is checked before the profiled steps. */
    @Test
    void profileEventsAreCheckedBeforeTheProfile(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        var alone = CliTrainTest.run(CliRobustnessTest.train(data, run, "--profile-events", dir.resolve("e.tsv").toString()));
        assertEquals(2, alone.code(), alone.err());
        assertEquals("jlm: --profile-events keeps the events of --profile N: give --profile too (see: jlm train --help)", alone.err());
        assertFalse(Files.exists(run), "a refused command made its run folder");
        Path nowhere = dir.resolve("no-such-folder/e.tsv");
        var missing = CliTrainTest.run(CliRobustnessTest.train(data, run, "--profile", "1", "--profile-events", nowhere.toString()));
        assertEquals(1, missing.code(), missing.err());
        assertEquals("jlm: --profile-events " + nowhere + ": folder " + nowhere.getParent() + " does not exist", missing.err());
        assertEquals("", missing.out(), "the profile ran before its output was checked");
        var folder = CliTrainTest.run(CliRobustnessTest.train(data, run, "--profile", "1", "--profile-events", dir.toString()));
        assertEquals(1, folder.code(), folder.err());
        assertEquals("jlm: --profile-events " + dir + " is a folder; it names the file to write", folder.err());
        assertEquals("", folder.out());
    }

    /** --eval-every and --eval-windows measure validation loss on --valid: without it they are refused, not ignored. */
    @Test
    void evalSettingsWithoutValidAreRefused(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        for (String flag : new String[] {"--eval-every", "--eval-windows"}) {
            var r = CliTrainTest.run(CliRobustnessTest.train(data, run, flag, "5"));
            assertEquals(2, r.code(), r.err());
            assertEquals("jlm: " + flag + " sets how validation loss is measured on --valid, which is not given: give --valid"
                    + " (validation tokens), or drop it (see: jlm train --help)", r.err());
            assertFalse(Files.exists(run), "a refused command made its run folder");
        }
    }

    /** --profile given in --config is a profile too (the file is read before the verb decides what to do). */
    @Test
    void aProfileAskedForInTheConfigFileIsRun(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        Path cfg = Files.writeString(dir.resolve("p.json"), "{\"profile\": 1}");
        var r = CliTrainTest.run(CliRobustnessTest.train(data, run, "--config", cfg.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("profile: batch "), r.out());
        assertFalse(Files.exists(run), "a profile writes no run folder");
    }
}
