package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Oracle: HuggingFace tokenizers (Rust) with the GPT-2 vocab and merges of the CS336 fixtures. */
class TokenizerTest {
    static final List<String> EOT = List.of("<|endoftext|>");
    static Tokenizer jlm;
    static HuggingFaceTokenizer hf;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Files.createTempDirectory("gpt2");
        Files.copy(Fixtures.path("gpt2_vocab.json"), dir.resolve("vocab.json"));
        Files.copy(Fixtures.path("gpt2_merges.txt"), dir.resolve("merges.txt"));
        jlm = Tokenizer.load(dir, EOT);
        hf = HfOracle.load(Fixtures.path("gpt2_vocab.json"), Fixtures.path("gpt2_merges.txt"), EOT);
    }

    @AfterAll
    static void close() {
        hf.close();
    }

    static Stream<String> texts() {
        return Stream.of("", " ", "?", "s", "Hello, how are you?", "Héllò hôw are ü? 🙃", "안녕하세요", "日本語のテキスト、中文。",
                "e\u0301 combining marks n\u0303", "line1\r\nline2\r\n", "tabs\tand\u00a0nbsp\u3000ideographic space",
                "  leading and trailing  ", "many\n\n\n\nnewlines \n \n", "digits 1234567 3.14159 ٣٤٥ ²³",
                "don't I'll we've they're he'd I'm it's DON'T 'S 'll", "<|endoftext|>", "a<|endoftext|>b",
                "<|endoftext|><|endoftext|>", "<|endoftext|  <|endoftext <endoftext|>", "emoji 👍🏽 family 👨‍👩‍👧 flags 🇫🇷",
                "\u0000\u0001\u001f\u007f control", "x\u2028y\u2029z\u0085w");
    }

    @Test
    void oracleIsGpt2() { // well-known GPT-2 ids, so the oracle is not trivially agreeing
        assertArrayEquals(new int[] {15496, 995}, HfOracle.encode(hf, "Hello world"));
        assertArrayEquals(new int[] {15496, 995, 50256}, jlm.encode("Hello world<|endoftext|>"));
    }

    @ParameterizedTest
    @MethodSource("texts")
    void encodeMatchesHuggingFace(String text) {
        int[] ids = jlm.encode(text);
        assertArrayEquals(HfOracle.encode(hf, text), ids, text);
        assertEquals(text, jlm.decode(ids));
    }

    @ParameterizedTest
    @ValueSource(strings = {"address.txt", "german.txt", "tinystories_sample.txt", "corpus.en"})
    void fixtureFilesMatchHuggingFaceAndRoundTrip(String name) throws Exception {
        String text = Files.readString(Fixtures.path(name), StandardCharsets.UTF_8);
        int[] ids = jlm.encode(text);
        assertArrayEquals(HfOracle.encode(hf, text), ids);
        assertEquals(text, jlm.decode(ids));
        Tokenizer.IntList streamed = new Tokenizer.IntList(16);
        jlm.copy().encode(new StringReader(text), streamed::add);
        assertArrayEquals(ids, streamed.toArray(), "streaming encode differs from whole-text encode");
    }

    @Test
    void randomUnicodeMatchesHuggingFace() {
        Random rnd = new Random(1234);
        int[][] ranges = {{0x20, 0x7E}, {0x09, 0x0D}, {0xA0, 0x24F}, {0x300, 0x36F}, {0x400, 0x4FF}, {0x600, 0x6FF},
                {0x2000, 0x206F}, {0x3000, 0x30FF}, {0x4E00, 0x4FFF}, {0xAC00, 0xAD00}, {0x1F300, 0x1F6FF}, {0x1D400, 0x1D7FF}};
        String[] pieces = {" ", "  ", "\n", "\r\n", "'s", "'ll", "'", "<|endoftext|>", "123", " the"};
        for (int trial = 0; trial < 500; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(40);
            for (int i = 0; i < n; i++) {
                if (rnd.nextInt(4) == 0) sb.append(pieces[rnd.nextInt(pieces.length)]);
                else {
                    int[] r = ranges[rnd.nextInt(ranges.length)];
                    int cp = r[0] + rnd.nextInt(r[1] - r[0] + 1);
                    if (Character.isDefined(cp) && !Character.isSurrogate((char) cp)) sb.appendCodePoint(cp);
                }
            }
            String text = sb.toString();
            assertArrayEquals(HfOracle.encode(hf, text), jlm.encode(text), () -> "text: " + text.codePoints()
                    .mapToObj(c -> String.format("U+%04X", c)).toList());
        }
    }

    @Test
    void longerSpecialTokenWinsWhenRegistered() throws Exception {
        var both = List.of("<|endoftext|>", "<|endoftext|><|endoftext|>");
        Path dir = Files.createTempDirectory("gpt2");
        Files.copy(Fixtures.path("gpt2_vocab.json"), dir.resolve("vocab.json"));
        Files.copy(Fixtures.path("gpt2_merges.txt"), dir.resolve("merges.txt"));
        Tokenizer t = Tokenizer.load(dir, both);
        int[] ids = t.encode("Hello<|endoftext|><|endoftext|>world<|endoftext|>");
        assertEquals(50257, ids[1]);                 // the appended double token
        assertEquals(50256, ids[ids.length - 1]);
        assertEquals("Hello<|endoftext|><|endoftext|>world<|endoftext|>", t.decode(ids));
        try (var hf2 = HfOracle.load(Fixtures.path("gpt2_vocab.json"), Fixtures.path("gpt2_merges.txt"), both)) {
            assertArrayEquals(HfOracle.encode(hf2, "Hello<|endoftext|><|endoftext|>world<|endoftext|>"), ids);
        }
    }

    @Test
    void decodeReplacesInvalidUtf8AndRejectsBadIds() {
        int[] partial = jlm.encode("🙃");
        assertEquals("\uFFFD", jlm.decode(new int[] {partial[0]}).substring(0, 1));
        var e = assertThrows(TokenizerException.class, () -> jlm.decode(new int[] {1, 999_999}));
        assertEquals("token id 999999 is out of range [0, 50257)", e.getMessage());
    }
}
