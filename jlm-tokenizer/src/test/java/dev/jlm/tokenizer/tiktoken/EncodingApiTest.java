package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.OraclePython;
import dev.jlm.tokenizer.TokenizerException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API around the ids: special-token rules, counting, encoding up to a budget, decoding, sharing, the model map. */
class EncodingApiTest {
    static final String WEB = web();

    static String web() {
        try {
            return Files.readString(Path.of(System.getProperty("jlm.root", "."), "data/webtext_valid_snippets_4724docs.txt")).substring(0, 200_000);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void specialTokensFollowTiktokensRules() {
        Encoding cl = Encodings.get("cl100k_base");
        var e = assertThrows(TokenizerException.class, () -> cl.encode("a <|endoftext|> b"));
        assertTrue(e.getMessage().contains("<|endoftext|>"), e.getMessage());
        assertArrayEquals(new int[] {100257}, cl.encode("<|endoftext|>", Set.of("<|endoftext|>")));
        // not disallowed and not allowed: ordinary text
        assertArrayEquals(cl.encodeOrdinary("<|endoftext|>"), cl.encode("<|endoftext|>", Set.of(), Set.of()));
        assertTrue(cl.encodeOrdinary("<|endoftext|>").length > 1);
        // allowing one leaves the others disallowed
        assertThrows(TokenizerException.class, () -> cl.encode("<|endoftext|><|fim_prefix|>", Set.of("<|endoftext|>")));
        assertThrows(TokenizerException.class, () -> cl.encode("x", Set.of("<|nope|>")));
        Encoding h = Encodings.get("o200k_harmony");
        assertArrayEquals(new int[] {200006, 200008, 200007}, h.encode("<|start|><|message|><|end|>", h.specialTokens().keySet()));
        assertEquals("<|call|>", h.decode(new int[] {200012}));
    }

    @Test
    void countTokensCountsSpecialsAsText() {
        Encoding o = Encodings.get("o200k_base");
        String s = WEB.substring(0, 5000) + "<|endoftext|>";
        assertEquals(o.encodeOrdinary(s).length, o.countTokens(s));
    }

    @Test
    void encodeUpToABudgetStopsAtAWholePreToken() {
        Encoding o = Encodings.get("o200k_base");
        String s = WEB.substring(0, 3000);
        int[] all = o.encodeOrdinary(s);
        for (int max : new int[] {0, 1, 2, 7, 100, all.length - 1, all.length, all.length + 5}) {
            Encoding.Prefix p = o.encode(s, max);
            assertTrue(p.ids().length <= max, "budget " + max);
            assertArrayEquals(o.encodeOrdinary(s.substring(0, p.end())), p.ids(), "the ids are those of the text up to end");
            assertArrayEquals(Arrays.copyOf(all, p.ids().length), p.ids(), "a prefix of the whole text's ids");
            if (p.end() < s.length()) {
                int next = Splitter.O200K.next(s, p.end(), s.length());
                assertTrue(o.encodeOrdinary(s.substring(0, next)).length > max, "the next pre-token would pass the budget " + max);
            }
        }
        assertThrows(TokenizerException.class, () -> o.encode("x", -1));
    }

    @Test
    void decodeInvertsEncodeAndRefusesUnknownIds() {
        for (String name : Encodings.names()) {
            Encoding e = Encodings.get(name);
            String s = WEB.substring(0, 20_000) + " 🙂 日本語 e\u0301";
            assertEquals(s, e.decode(e.encodeOrdinary(s)), name);
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), e.decodeBytes(e.encodeOrdinary(s)), name);
            assertThrows(TokenizerException.class, () -> e.decode(new int[] {e.vocabSize()}), name);
        }
        assertEquals("\uFFFD", Encodings.get("cl100k_base").decode(Encodings.get("cl100k_base").encodeOrdinary("\uD800")));
    }

    @Test
    void sharedInstancesAreLazyAndThreadSafe() throws Exception {
        Encoding o = Encodings.get("o200k_base");
        assertSame(o, Encodings.get("o200k_base"));
        assertSame(o, Encodings.forModel("gpt-4o"));
        int[] want = o.encodeOrdinary(WEB);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> got = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) got.add(pool.submit(() -> o.encodeOrdinary(WEB)));
            for (Future<int[]> f : got) assertArrayEquals(want, f.get());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aRankFileIsHeldToTiktokensHash(@TempDir Path dir) throws Exception {
        byte[] real;
        try (var in = getClass().getClassLoader().getResourceAsStream("com/knuddels/jtokkit/r50k_base.tiktoken")) {
            real = in.readAllBytes();
        }
        Path ok = Files.write(dir.resolve("r50k_base.tiktoken"), real);
        assertArrayEquals(Encodings.get("r50k_base").encodeOrdinary(WEB), Encodings.load("r50k_base", ok).encodeOrdinary(WEB));
        real[5] ^= 1;
        Path bad = Files.write(dir.resolve("bad.tiktoken"), real);
        var e = assertThrows(TokenizerException.class, () -> Encodings.load("r50k_base", bad));
        assertTrue(e.getMessage().startsWith(bad + ": SHA-256 "), e.getMessage());
        assertThrows(TokenizerException.class, () -> RankFile.parse("YQ== x\n".getBytes(StandardCharsets.UTF_8), "f"));
    }

    @Test
    void theModelMapIsTiktokens() throws Exception {
        OraclePython.requireModule("tiktoken");
        Process p = new ProcessBuilder(OraclePython.python(), "-c", "import tiktoken.model as m\n"
                + "for k, v in m.MODEL_TO_ENCODING.items(): print('=', k, v)\n"
                + "for k, v in m.MODEL_PREFIX_TO_ENCODING.items(): print('^', k, v)").redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        int checked = 0;
        for (String line : lines) {
            String[] f = line.split(" ");
            if (!Encodings.names().contains(f[2])) continue;              // gpt2, p50k_edit: not carried
            String model = f[0].equals("=") ? f[1] : f[1] + "x-2099";
            assertEquals(f[2], ModelEncodings.encodingName(model), model);
            checked++;
        }
        assertTrue(checked > 50, "checked " + checked);
        assertEquals("o200k_harmony", ModelEncodings.encodingName("gpt-oss-120b"));
        assertThrows(TokenizerException.class, () -> ModelEncodings.encodingName("llama-3"));
    }
}
