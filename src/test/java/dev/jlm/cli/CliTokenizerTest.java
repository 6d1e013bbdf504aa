package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The tokenizer commands end to end; bad input gives one line, a non-zero exit and no output file. */
class CliTokenizerTest {
    record Run(int code, String err) {}

    static Run run(String... args) {
        CommandLine cl = Jlm.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute(args);
        return new Run(code, err.toString().strip());
    }

    static Path fixture(String name) throws Exception {
        return Path.of(CliTokenizerTest.class.getResource("/fixtures/" + name).toURI());
    }

    static long files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void trainThenTokenizeWritesNumpyReadableUint16(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tok");
        assertEquals(0, run("bpe", "train", "--input", fixture("corpus.en").toString(), "--vocab-size", "500",
                "--special-token", "<|endoftext|>", "--out", tok.toString()).code());
        Path text = Files.writeString(dir.resolve("t.txt"), "the cat<|endoftext|>the dog");
        Path bin = dir.resolve("t.bin");
        for (String threads : new String[] {"1", "2"}) {
            assertEquals(0, run("tokenize", "--tokenizer", tok.toString(), "--input", text.toString(), "--out", bin.toString(),
                    "--threads", threads).code());
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
            int[] ids = new int[b.remaining() / 2];
            for (int i = 0; i < ids.length; i++) ids[i] = Short.toUnsignedInt(b.getShort());
            var t = dev.jlm.tokenizer.Tokenizer.load(tok, java.util.List.of());
            assertArrayEquals(t.encode("the cat<|endoftext|>the dog"), ids); // special_tokens.txt was picked up
            assertTrue(indexOf(ids, 0) > 0, "<|endoftext|> (id 0) was not encoded as one token");
        }
    }

    static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    @Test
    void badInputIsOneLineAndNoOutput(@TempDir Path dir) throws Exception {
        Run r = run("bpe", "train", "--input", dir.resolve("nope.txt").toString(), "--vocab-size", "500", "--out", dir.resolve("o").toString());
        assertEquals(1, r.code());
        assertEquals("jlm: --input " + dir.resolve("nope.txt") + ": no such file", r.err());

        r = run("bpe", "train", "--input", fixture("corpus.en").toString(), "--vocab-size", "256", "--special-token", "<|endoftext|>",
                "--out", dir.resolve("o").toString());
        assertEquals(1, r.code());
        assertEquals("jlm: --vocab-size 256 is smaller than 256 bytes + 1 special token(s) = 257", r.err());

        r = run("bpe", "train", "--input", fixture("corpus.en").toString(), "--vocab-size", "300", "--out", dir.resolve("missing/sub/o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("jlm: --out ") && r.err().contains("does not exist"), r.err());

        r = run("bpe", "train", "--vocab-size", "300");
        assertEquals(2, r.code());

        Path tok = dir.resolve("tok");
        Files.createDirectories(tok);
        Files.writeString(tok.resolve("vocab.json"), "{\"a\": 0, \"b\": 1}");
        Files.writeString(tok.resolve("merges.txt"), "a b\nab\n");
        r = run("tokenize", "--tokenizer", tok.toString(), "--text", "ab");
        assertEquals(1, r.code());
        assertEquals("jlm: " + tok.resolve("merges.txt") + ":2: expected two tokens separated by one space, got \"ab\"", r.err());

        Files.writeString(tok.resolve("vocab.json"), "{\"a\": 0,\n \"b\": }");
        r = run("tokenize", "--tokenizer", tok.toString(), "--text", "ab");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("vocab.json:2: malformed JSON"), r.err());

        // invalid UTF-8 in the input: error with the byte offset, and no partial token file
        Path good = dir.resolve("good");
        assertEquals(0, run("bpe", "train", "--input", fixture("corpus.en").toString(), "--vocab-size", "300", "--out", good.toString()).code());
        Path bad = Files.write(dir.resolve("bad.txt"), new byte[] {'o', 'k', '\n', (byte) 0xFF, 'x'});
        long before = files(dir);
        r = run("tokenize", "--tokenizer", good.toString(), "--input", bad.toString(), "--out", dir.resolve("bad.bin").toString());
        assertEquals(1, r.code());
        assertEquals("jlm: " + bad + ": invalid UTF-8 at byte offset 3 (the corpus must be UTF-8 text)", r.err());
        assertFalse(Files.exists(dir.resolve("bad.bin")));
        assertEquals(before, files(dir), "a temp file was left behind");
    }

    @Test
    void vocabTooLargeForUint16IsRefused(@TempDir Path dir) throws Exception {
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.jlm.JlmException.class,
                () -> new dev.jlm.data.TokenFileWriter(dir.resolve("x.bin"), 70_000));
        assertEquals("vocab size 70000 does not fit uint16 token files (at most 65,536 ids)", e.getMessage());
        assertEquals(0, files(dir));
    }
}
