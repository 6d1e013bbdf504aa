package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.tokenizer.tiktoken.Encodings;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jlm tokenize --encoding}: --ids prints the library's ids as one JSON array (the library is held to tiktoken by
 * TiktokenParityTest); --out writes r50k ids as uint16 and refuses an id past 65,535 by number; --tokenizer keeps working.
 */
class CliEncodingTest {
    static final String TEXT = "Hello, world! Ünïcödé 12345 <|endoftext|> done";

    @Test
    void idsArePrintedAsOneJsonArray(@TempDir Path dir) throws Exception {
        for (String name : Encodings.names()) {
            var r = CliTrainTest.run("tokenize", "--encoding", name, "--text", TEXT, "--special-token", "<|endoftext|>", "--ids");
            assertEquals(0, r.code(), r.err());
            int[] printed = new ObjectMapper().readValue(r.out().strip(), int[].class);
            assertArrayEquals(Encodings.get(name).encode(TEXT, java.util.Set.of("<|endoftext|>")), printed, name);
            assertEquals(1, r.out().strip().lines().count());
        }
        Path rank = dir.resolve("cl100k_base.tiktoken");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("dev/jlm/tokenizer/tiktoken/data/cl100k_base.tiktoken")) {
            Files.write(rank, in.readAllBytes());
        }
        Path input = Files.writeString(dir.resolve("in.txt"), TEXT.replace("<|endoftext|>", ""));
        var r = CliTrainTest.run("tokenize", "--encoding", "cl100k_base", "--rank-file", rank.toString(), "--input", input.toString(), "--ids");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Encodings.get("cl100k_base").encodeOrdinary(Files.readString(input)),
                new ObjectMapper().readValue(r.out().strip(), int[].class));
    }

    @Test
    void outWritesUint16AndRefusesLargeIdsByNumber(@TempDir Path dir) throws Exception {
        Path input = Files.writeString(dir.resolve("in.txt"), "Hello world, hello tokens.");
        Path out = dir.resolve("r50k.bin");
        assertEquals(0, CliTrainTest.run("tokenize", "--encoding", "r50k_base", "--input", input.toString(), "--out", out.toString()).code());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        int[] want = Encodings.get("r50k_base").encodeOrdinary(Files.readString(input));
        int[] got = new int[b.remaining() / 2];
        for (int i = 0; i < got.length; i++) got[i] = b.getShort() & 0xFFFF;
        assertArrayEquals(want, got);
        Path big = Files.writeString(dir.resolve("big.txt"), "Привет, мир! Здравствуйте. 日本語のテキスト नमस्ते दुनिया");
        int over = java.util.Arrays.stream(Encodings.get("o200k_base").encodeOrdinary(Files.readString(big))).filter(i -> i > 65_535).findFirst().orElseThrow();
        Path out2 = dir.resolve("o200k.bin");
        assertOneLine(CliTrainTest.run("tokenize", "--encoding", "o200k_base", "--input", big.toString(), "--out", out2.toString()), 1,
                "jlm: --out " + out2 + ": o200k_base gave token id " + over + ", past 65,535");
        assertFalse(Files.exists(out2));
    }

    @Test
    void badFlagsAreOneLine(@TempDir Path dir) throws Exception {
        assertOneLine(CliTrainTest.run("tokenize", "--encoding", "o300k", "--text", "x"), 1, "jlm: unknown encoding o300k (known: r50k_base");
        assertOneLine(CliTrainTest.run("tokenize", "--text", "x"), 1, "jlm: give --tokenizer DIR|FILE or --encoding NAME");
        assertOneLine(CliTrainTest.run("tokenize", "--encoding", "o200k_base", "--text", "<|endoftext|>"), 1,
                "jlm: the text holds the disallowed special token <|endoftext|>");
        Path missing = dir.resolve("none.tiktoken");
        assertOneLine(CliTrainTest.run("tokenize", "--encoding", "o200k_base", "--rank-file", missing.toString(), "--text", "x"), 1,
                "jlm: --rank-file " + missing + ": no such file");
        Path wrong = Files.writeString(dir.resolve("wrong.tiktoken"), "YQ== 0\n");
        assertOneLine(CliTrainTest.run("tokenize", "--encoding", "o200k_base", "--rank-file", wrong.toString(), "--text", "x"), 1,
                "jlm: " + wrong + ": SHA-256 ");
        Path tok = CliNoDamageTest.tokenizer(dir);
        var r = CliTrainTest.run("tokenize", "--tokenizer", tok.toString(), "--text", "hi there", "--ids");
        assertEquals(0, r.code(), r.err());
        assertEquals(r.out().strip(), r.out().strip().replaceAll("[^\\[\\]0-9,]", ""));
    }
}
