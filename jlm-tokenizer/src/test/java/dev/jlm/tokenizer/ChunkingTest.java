package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle: whole-text processing. Cutting a file into small blocks (so every kind of cut point is used) on
 * several threads must give exactly the pre-token counts and the ids of processing the text in one piece.
 */
class ChunkingTest {
    static final List<String> EOT = List.of("<|endoftext|>");

    static Path corpus(Path dir) throws Exception {
        // real text with special tokens, runs of blank lines, CRLF and non-ASCII at block-size scale
        String base = Files.readString(Fixtures.path("tinystories_sample.txt")) + "\r\n\r\n  Ünïcödé  \n\n\n"
                + Files.readString(Fixtures.path("german.txt")) + "<|endoftext|>" + Files.readString(Fixtures.path("address.txt"));
        return Files.writeString(dir.resolve("c.txt"), base.repeat(6), StandardCharsets.UTF_8);
    }

    @Test
    void countsDoNotDependOnBlocksOrThreads(@TempDir Path dir) throws Exception {
        Path file = corpus(dir);
        Map<String, Long> whole = flat(new PreTokenCounter(EOT, 1, 1 << 24).count(List.of(file), b -> {}));
        for (int block : new int[] {257, 1024, 4096}) {
            for (int threads : new int[] {1, 3}) {
                assertEquals(whole, flat(new PreTokenCounter(EOT, threads, block).count(List.of(file), b -> {})), "block " + block);
            }
        }
        assertTrue(whole.keySet().stream().anyMatch(k -> k.contains("\r\n\r\n")), "the corpus exercises CRLF runs");
    }

    @Test
    void parallelEncodingEqualsWholeTextEncoding(@TempDir Path dir) throws Exception {
        Path file = corpus(dir);
        Tokenizer tok = new Tokenizer(new BpeTrainer(400, EOT, 1).train(List.of(Fixtures.path("corpus.en")), (p, d, t) -> {}).model());
        int[] whole = tok.encode(Files.readString(file));
        for (int block : new int[] {300, 2048}) {
            for (int threads : new int[] {1, 4}) {
                Tokenizer.IntList got = new Tokenizer.IntList(16);
                new ParallelEncoder(tok, threads, block).encode(file, (ids, done) -> {
                    for (int id : ids) got.add(id);
                });
                assertArrayEquals(whole, got.toArray(), "block " + block + ", threads " + threads);
            }
        }
    }

    static Map<String, Long> flat(PreTokenCounts t) {
        return new TreeMap<>(t.toMap());
    }
}
