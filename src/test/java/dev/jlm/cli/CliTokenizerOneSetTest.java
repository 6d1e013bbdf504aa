package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, silently wrong: a tokenizer folder holds vocab.json + merges.txt and, as bpe train writes it, the same
 * tokenizer as tokenizer.json. A folder whose tokenizer.json is another tokenizer was read by its vocab.json alone,
 * the other file passed over. Oracle: the two tokenizers themselves, each read from its own file (they tokenize the
 * text differently), and the folder as bpe train wrote it (read, as either file reads).
 */
class CliTokenizerOneSetTest {
    @Test
    void aFolderWhoseTokenizerJsonIsAnotherTokenizerIsRefused(@TempDir Path dir) throws Exception {
        String corpus = CliTokenizerTest.fixture("corpus.en").toString();
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, CliTrainTest.run("bpe", "train", "--input", corpus, "--vocab-size", "300", "--out", a.toString(), "--threads", "1").code());
        assertEquals(0, CliTrainTest.run("bpe", "train", "--input", corpus, "--vocab-size", "260", "--out", b.toString(), "--threads", "1").code());
        String text = "the quick brown fox jumps over the lazy dog";
        var folder = CliTrainTest.run("tokenize", "--tokenizer", a.toString(), "--text", text);
        var fileA = CliTrainTest.run("tokenize", "--tokenizer", a.resolve("tokenizer.json").toString(), "--text", text);
        var fileB = CliTrainTest.run("tokenize", "--tokenizer", b.resolve("tokenizer.json").toString(), "--text", text);
        assertEquals(0, folder.code(), folder.err());
        assertEquals(folder.out(), fileA.out());                      // the set as written: one tokenizer in two formats
        assertNotEquals(folder.out(), fileB.out());                   // the other one tokenizes this text otherwise
        Files.copy(b.resolve("tokenizer.json"), a.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        assertOneLine(CliTrainTest.run("tokenize", "--tokenizer", a.toString(), "--text", text), 1,
                "jlm: " + a + ": tokenizer.json and vocab.json + merges.txt are different tokenizers (jlm writes them as one set);"
                        + " give --tokenizer the one file you mean, or remove the other");
        var alone = CliTrainTest.run("tokenize", "--tokenizer", a.resolve("tokenizer.json").toString(), "--text", text);
        assertEquals(fileB.out(), alone.out());                       // the file itself is read as what it is
    }
}
