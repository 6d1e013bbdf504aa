package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, misleading: malformed JSON was said with the parser's advice to a Java programmer ("enable
 * `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow", "Feature 'ALLOW_COMMENTS' not enabled for parser"), and a
 * vocab.json's in another shape than every other JSON file's. Said as what is wrong with the text, the same way for
 * a --config and a tokenizer's vocab.json.
 */
class CliJsonWordsTest {
    @Test
    void malformedJsonIsSaidWithoutTheParsersAdvice(@TempDir Path dir) throws Exception {
        Path nan = Files.writeString(dir.resolve("nan.json"), "{\"lr_max\": NaN}");
        assertOneLine(CliTrainTest.run("train", "--config", nan.toString()), 1, "jlm: " + nan + ": malformed JSON (Non-standard token 'NaN')");
        Path comment = Files.writeString(dir.resolve("c.json"), "{\"steps\": 2 /* c */}");
        var c = CliTrainTest.run("train", "--config", comment.toString());
        assertEquals("jlm: " + comment + ": malformed JSON (Unexpected character ('/' (code 47)): maybe a (non-standard) comment?)", c.err());
        Path tok = CliNoDamageTest.tokenizer(dir);
        Files.delete(tok.resolve("tokenizer.json"));
        Files.writeString(tok.resolve("vocab.json"), "{\"a\": NaN}");
        assertOneLine(CliTrainTest.run("tokenize", "--tokenizer", tok.toString(), "--text", "hi"), 1,
                "jlm: " + tok.resolve("vocab.json") + ":1: malformed JSON (Non-standard token 'NaN')");
    }
}
