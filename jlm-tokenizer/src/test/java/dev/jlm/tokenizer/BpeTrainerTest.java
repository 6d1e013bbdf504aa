package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Oracle: the official CS336 reference merges and vocab for corpus.en at vocab 500 (train-bpe-reference-*). */
class BpeTrainerTest {
    static final BpeTrainer.Listener QUIET = (phase, done, total) -> {};

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2, 3})
    void reproducesReferenceMergesAndVocab(int threads, @TempDir Path out) throws Exception {
        var result = new BpeTrainer(500, List.of("<|endoftext|>"), threads).train(List.of(Fixtures.path("corpus.en")), QUIET);
        TokenizerFiles.write(result.model(), out);
        // merges.txt: GPT-2's "#version: 0.2" line, then the reference line for line (GPT-2's byte-to-unicode strings)
        List<String> merges = Files.readAllLines(out.resolve("merges.txt"));
        assertEquals("#version: 0.2", merges.get(0));
        assertEquals(Files.readAllLines(Fixtures.path("train-bpe-reference-merges.txt")), merges.subList(1, merges.size()));
        // vocab.json equals the reference token for token and id for id
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(mapper.readTree(Fixtures.path("train-bpe-reference-vocab.json").toFile()), mapper.readTree(out.resolve("vocab.json").toFile()));
    }

    @Test
    void specialTokensNeverMergeAndSplitText(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("c.txt");
        Files.writeString(in, "ab<|eot|>ab<|eot|>ab ab");
        BpeModel m = new BpeTrainer(256 + 1 + 2, List.of("<|eot|>"), 1).train(List.of(in), QUIET).model();
        assertArrayEquals("<|eot|>".getBytes(StandardCharsets.UTF_8), m.vocab()[0]);
        for (byte[] t : m.vocab()) assertTrue(!new String(t, StandardCharsets.UTF_8).contains("<|") || t.length == 7);
        assertEquals("ab", new String(m.vocab()[257], StandardCharsets.UTF_8)); // (a,b) ×4 is the top pair
    }

    @Test
    void tiesGoToTheLexicographicallyGreaterPair(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("c.txt");
        Files.writeString(in, "ab cd"); // pairs (a,b) and (c,d) once each: (c,d) is greater
        BpeModel m = new BpeTrainer(257, List.of(), 1).train(List.of(in), QUIET).model();
        assertEquals("cd", new String(m.vocab()[256], StandardCharsets.UTF_8));
    }

    @Test
    void badInputIsAClearError(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        var e = assertThrows(TokenizerException.class, () -> new BpeTrainer(300, List.of(), 1).train(List.of(empty), QUIET));
        assertTrue(e.getMessage().contains("empty corpus"), e.getMessage());
        assertThrows(TokenizerException.class, () -> new BpeTrainer(256, List.of("<|endoftext|>"), 1));
        Path bad = Files.write(dir.resolve("bad.txt"), new byte[] {'h', 'i', ' ', (byte) 0xC3, '(', 'x'});
        var u = assertThrows(TokenizerException.class, () -> new BpeTrainer(300, List.of(), 1).train(List.of(bad), QUIET));
        assertTrue(u.getMessage().contains("invalid UTF-8 at byte offset 3"), u.getMessage());
    }
}
