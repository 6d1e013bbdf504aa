package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A token given twice in vocab.json or tokenizer.json is refused by name, never "the last id wins". Oracle: the messages' texts. */
class TokenizerDuplicateKeysTest {
    @Test
    void aTokenTwiceInVocabJsonIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0,\n \"b\": 1,\n \"a\": 2}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        var e = assertThrows(TokenizerException.class, () -> TokenizerFiles.read(dir, List.of()));
        assertEquals(dir.resolve("vocab.json") + ":3: token \"a\" is given twice", e.getMessage());
    }

    @Test
    void aTokenTwiceInTokenizerJsonIsRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\",\n \"vocab\": {\"a\": 0, \"a\": 1}, \"merges\": []}}");
        var e = assertThrows(TokenizerException.class, () -> TokenizerFiles.read(dir, List.of()));
        assertEquals(dir.resolve("tokenizer.json") + ":2: a is given twice (say it once: JSON's last would win)", e.getMessage());
    }
}
