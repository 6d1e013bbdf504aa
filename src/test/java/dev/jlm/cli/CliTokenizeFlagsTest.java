package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static dev.jlm.cli.CliNothingSilentlyWrongTest.files;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, silently wrong: tokenize flags accepted and doing nothing. --out beside --text wrote no file without a
 * word; an empty --special-token (it matches nothing) and one given twice passed, where bpe train refuses both. Each
 * refused before any work, one line; no file written.
 */
class CliTokenizeFlagsTest {
    @Test
    void aTokenizeFlagThatWouldDoNothingIsRefused(@TempDir Path dir) throws Exception {
        Path tok = CliNoDamageTest.tokenizer(dir), out = dir.resolve("x.bin");
        String corpus = CliTokenizerTest.fixture("corpus.en").toString();
        List<String> before = files(dir);
        assertOneLine(CliTrainTest.run("tokenize", "--tokenizer", tok.toString(), "--text", "hi", "--out", out.toString()), 1,
                "jlm: --out " + out + " is for --input: --text shows its ids and pieces and writes no token file");
        assertOneLine(CliTrainTest.run("tokenize", "--tokenizer", tok.toString(), "--special-token", "", "--text", "hi"), 1,
                "jlm: --special-token must not be empty");
        assertOneLine(CliTrainTest.run("tokenize", "--tokenizer", tok.toString(), "--special-token", "<|x|>", "--special-token", "<|x|>",
                "--input", corpus, "--out", out.toString()), 1, "jlm: --special-token <|x|> is given twice");
        assertOneLine(CliTrainTest.run("bpe", "train", "--input", corpus, "--vocab-size", "300", "--special-token", "<|x|>", "--special-token", "<|x|>",
                "--out", dir.resolve("t2").toString()), 1, "jlm: --special-token <|x|> is given twice");
        assertOneLine(CliTrainTest.run("bpe", "train", "--input", corpus, "--input", corpus, "--vocab-size", "300", "--out", dir.resolve("t3").toString()), 1,
                "jlm: --input " + corpus + " is given twice");
        Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("link.txt"), Path.of(corpus));
        before = files(dir);
        assertOneLine(CliTrainTest.run("bpe", "train", "--input", corpus, "--input", link.toString(), "--vocab-size", "300", "--out", dir.resolve("t3").toString()), 1,
                "jlm: --input " + link + " is given twice (" + corpus + " is the same file)");
        assertEquals(before, files(dir));
        assertEquals(0, CliTrainTest.run("tokenize", "--tokenizer", tok.toString(), "--text", "hi").code());
        Path empty = java.nio.file.Files.writeString(dir.resolve("empty.txt"), "");     // said in words, not a Java list's "[a, b]"
        assertOneLine(CliTrainTest.run("bpe", "train", "--input", empty.toString(), "--vocab-size", "300", "--out", dir.resolve("t4").toString()), 1,
                "jlm: empty corpus: no text in " + empty);
        assertEquals(false, java.nio.file.Files.exists(dir.resolve("t4")));
    }
}
