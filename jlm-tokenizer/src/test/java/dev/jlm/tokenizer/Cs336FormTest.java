package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PrimitiveIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer built as CS336's adapters build it — {@code vocab: dict[int, bytes]}, {@code merges: list[tuple[bytes,
 * bytes]]}, special tokens — from the GPT-2 fixture, decoded to bytes by this test's own copy of GPT-2's
 * {@code bytes_to_unicode}; and {@code encode_iterable} over a file's lines. Oracle: HuggingFace tokenizers on the same files.
 */
class Cs336FormTest {
    static final List<String> EOT = List.of("<|endoftext|>");
    static HuggingFaceTokenizer hf;
    static Map<Integer, byte[]> vocab = new LinkedHashMap<>();
    static List<BpeModel.Merge> merges = new ArrayList<>();

    /** GPT-2's bytes_to_unicode, inverted: the printable character that stands for each byte → the byte. */
    static Map<Integer, Integer> unicodeToByte() {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) bs.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) bs.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) bs.add(b);
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n++);
            }
        }
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < bs.size(); i++) m.put(cs.get(i), bs.get(i));
        return m;
    }

    static byte[] bytes(String gpt2Token, Map<Integer, Integer> u2b) {
        return gpt2Token.codePoints().map(u2b::get).collect(java.io.ByteArrayOutputStream::new, (o, b) -> o.write(b), (a, b) -> { }).toByteArray();
    }

    @BeforeAll
    static void load() throws Exception {
        Map<Integer, Integer> u2b = unicodeToByte();
        var json = new ObjectMapper().readTree(Fixtures.path("gpt2_vocab.json").toFile());
        json.properties().forEach(e -> vocab.put(e.getValue().asInt(), e.getKey().equals("<|endoftext|>")
                ? e.getKey().getBytes(StandardCharsets.UTF_8) : bytes(e.getKey(), u2b)));
        for (String line : Files.readAllLines(Fixtures.path("gpt2_merges.txt"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#version")) continue;
            String[] p = line.split(" ");
            merges.add(new BpeModel.Merge(bytes(p[0], u2b), bytes(p[1], u2b)));
        }
        hf = HfOracle.load(Fixtures.path("gpt2_vocab.json"), Fixtures.path("gpt2_merges.txt"), EOT);
    }

    @AfterAll
    static void close() {
        hf.close();
    }

    static int[] drain(PrimitiveIterator.OfInt it) {
        Tokenizer.IntList out = new Tokenizer.IntList(1024);
        while (it.hasNext()) out.add(it.nextInt());
        return out.toArray();
    }

    @Test
    void theCs336FormEncodesAsHuggingFaceDoes() throws Exception {
        Tokenizer t = Tokenizer.of(vocab, merges, EOT);
        for (String name : List.of("tinystories_sample.txt", "address.txt", "german.txt")) {
            String text = Files.readString(Fixtures.path(name));
            int[] expected = HfOracle.encode(hf, text);
            assertArrayEquals(expected, t.encode(text), name);
            assertEquals(text, t.decode(expected), name);
            List<String> lines = text.lines().map(l -> l + "\n").toList();                 // a file read line by line
            String joined = String.join("", lines);
            assertArrayEquals(HfOracle.encode(hf, joined), drain(t.encodeIterable(lines)), name + ", encodeIterable");
        }
        assertArrayEquals(new int[] {15496, 995, 50256}, t.encode("Hello world<|endoftext|>"));
    }

    /** encodeIterable pulls: the first ids of an endless source come back (an eager encoder would never return). */
    @Test
    void encodeIterableIsLazy() {
        Tokenizer t = Tokenizer.of(vocab, merges, EOT);
        Iterable<String> endless = () -> new Iterator<>() {
            public boolean hasNext() {
                return true;
            }

            public String next() {
                return "Hello world<|endoftext|>\n";
            }
        };
        PrimitiveIterator.OfInt it = t.encodeIterable(endless);
        int[] first = new int[8];
        for (int i = 0; i < first.length; i++) first[i] = it.nextInt();
        assertArrayEquals(new int[] {15496, 995, 50256, 198, 15496, 995, 50256, 198}, first);
    }

    @Test
    void idsOutsideZeroToNAndUnknownMergesAreRefused() {
        Map<Integer, byte[]> gap = new HashMap<>(vocab);
        byte[] last = gap.remove(50256);
        gap.put(50300, last);
        assertEquals("vocab: id 50300 is outside 0..50256 (the ids of 50257 tokens must be 0..n-1)",
                assertThrows(TokenizerException.class, () -> Tokenizer.of(gap, merges, EOT)).getMessage());
        List<BpeModel.Merge> bad = new ArrayList<>(merges);
        bad.add(new BpeModel.Merge(new byte[] {'q', 'q', 'q', 'q', 'q', 'q', 'q', 'q', 'q'}, new byte[] {'z'}));
        assertEquals("merges[" + merges.size() + "]: token [113, 113, 113, 113, 113, 113, 113, 113, 113] is not in the vocab",
                assertThrows(TokenizerException.class, () -> Tokenizer.of(vocab, bad, EOT)).getMessage());
    }
}
