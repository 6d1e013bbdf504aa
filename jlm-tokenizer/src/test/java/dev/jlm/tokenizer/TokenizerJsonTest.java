package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HuggingFace's tokenizer.json, both ways. Oracle: HuggingFace tokenizers (Rust, via DJL) loading the very file
 * jlm wrote; and GPT-2's tokenizer.json layout, read by jlm, against jlm reading GPT-2's vocab.json + merges.txt
 * (itself checked against HuggingFace in TokenizerTest).
 */
class TokenizerJsonTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Fixture texts plus random strings over ASCII, Latin, CJK, emoji and specials. */
    static List<String> texts() throws Exception {
        List<String> out = new ArrayList<>();
        for (String f : new String[] {"tinystories_sample.txt", "german.txt", "address.txt"}) {
            out.add(Files.readString(Fixtures.path(f), StandardCharsets.UTF_8));
        }
        int[][] ranges = {{0x20, 0x7f}, {0xa0, 0x17f}, {0x4e00, 0x4e80}, {0x1f600, 0x1f640}, {0x9, 0xe}};
        out.addAll(RandomText.of(11, 300, 40, ranges, List.of("<|endoftext|>"), 25));
        return out;
    }

    @Test
    void huggingFaceLoadsJlmsTokenizerJsonAndEncodesTheSame(@TempDir Path dir) throws Exception {
        var result = new BpeTrainer(600, List.of("<|endoftext|>"), 2).train(List.of(Fixtures.path("tinystories_sample.txt")), (p, d, t) -> {});
        TokenizerFiles.write(result.model(), dir);
        Tokenizer fromPair = Tokenizer.load(dir, List.of());
        Tokenizer fromJson = Tokenizer.load(dir.resolve("tokenizer.json"), List.of());
        assertEquals(fromPair.vocabSize(), fromJson.vocabSize());
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
            for (String text : texts()) {
                int[] ids = fromJson.encode(text);
                assertArrayEquals(HfOracle.encode(hf, text), ids, text);
                assertArrayEquals(fromPair.encode(text), ids, text);
                assertEquals(text, hf.decode(java.util.Arrays.stream(ids).asLongStream().toArray(), false), text);
            }
            assertEquals(1, HfOracle.encode(hf, "<|endoftext|>").length, "the special token travels as an added token");
        }
    }

    /** GPT-2's published tokenizer.json layout (model without "type", ByteLevel everywhere, <|endoftext|> added). */
    static ObjectNode gpt2Layout(boolean mergesAsPairs) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0").putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens").addObject().put("id", 50256).put("special", true).put("content", "<|endoftext|>")
                .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true);
        root.putObject("post_processor").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", false);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true);
        ObjectNode model = root.putObject("model");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false);
        model.set("vocab", JSON.readTree(Fixtures.path("gpt2_vocab.json").toFile()));
        ArrayNode merges = model.putArray("merges");
        for (String line : Files.readAllLines(Fixtures.path("gpt2_merges.txt"), StandardCharsets.UTF_8)) {
            if (line.isEmpty() || line.startsWith("#version")) continue;
            if (mergesAsPairs) merges.addArray().add(line.split(" ")[0]).add(line.split(" ")[1]);
            else merges.add(line);
        }
        return root;
    }

    @Test
    void gpt2TokenizerJsonEqualsGpt2VocabAndMerges(@TempDir Path dir) throws Exception {
        Files.copy(Fixtures.path("gpt2_vocab.json"), dir.resolve("vocab.json"));
        Files.copy(Fixtures.path("gpt2_merges.txt"), dir.resolve("merges.txt"));
        Tokenizer pair = Tokenizer.load(dir, List.of("<|endoftext|>"));
        for (boolean pairs : new boolean[] {false, true}) {
            Path file = dir.resolve("gpt2-" + pairs + ".json");
            JSON.writeValue(file.toFile(), gpt2Layout(pairs));
            Tokenizer json = Tokenizer.load(file, List.of());
            assertEquals(pair.vocabSize(), json.vocabSize());
            assertEquals(pair.model().merges().length, json.model().merges().length);
            for (int i = 0; i < pair.model().merges().length; i++) assertArrayEquals(pair.model().merges()[i], json.model().merges()[i]);
            for (int id = 0; id < pair.vocabSize(); id++) assertArrayEquals(pair.model().vocab()[id], json.model().vocab()[id]);
            assertEquals(50256, json.specialId("<|endoftext|>"));
            for (String text : texts()) assertArrayEquals(pair.encode(text), json.encode(text), text);
        }
    }

    /**
     * Llama 3's ignore_merges: a pre-token that is itself in the vocab is that token, though no merge makes it. Oracle:
     * HF tokenizers (DJL) on the same file, with ignore_merges on and off; " xyzzyq" is added to GPT-2's vocab, no merge,
     * at id 50300: the ids 50257..50299 are unused (GPT-4o's tokenizer.json has such gaps) and decode to nothing.
     */
    @Test
    void ignoreMergesTakesAWholePreTokenFromTheVocab(@TempDir Path dir) throws Exception {
        String text = "a xyzzyq b xyzzyqq";
        int[][] got = new int[2][];
        for (boolean ignore : new boolean[] {false, true}) {
            ObjectNode root = gpt2Layout(false);
            ObjectNode model = (ObjectNode) root.get("model");
            model.put("ignore_merges", ignore);
            ((ObjectNode) model.get("vocab")).put("\u0120xyzzyq", 50300);
            Path file = dir.resolve("ignore-" + ignore + ".json");
            JSON.writeValue(file.toFile(), root);
            Tokenizer jlm = Tokenizer.load(file, List.of());
            int[] ids = jlm.encode(text);
            assertEquals(50301, jlm.vocabSize());
            assertEquals("", jlm.decode(new int[] {50257, 50299}));
            try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false"))) {
                assertArrayEquals(HfOracle.encode(hf, text), ids, "ignore_merges " + ignore);
            }
            got[ignore ? 1 : 0] = ids;
        }
        assertTrue(java.util.Arrays.stream(got[1]).anyMatch(id -> id == 50300), "the whole pre-token's id");
        assertTrue(java.util.Arrays.stream(got[0]).noneMatch(id -> id == 50300), "merges never make it");
    }

    @Test
    void otherPipelinesAreRefusedByName(@TempDir Path dir) throws Exception {
        ObjectNode split = JSON.createObjectNode().put("type", "Split").put("behavior", "Isolated").put("invert", false);
        split.putObject("pattern").put("Regex", "\\s+");
        Object[][] cases = {
                {"pre_tokenizer", JSON.createObjectNode().put("type", "Metaspace"), "pre_tokenizer Metaspace is not supported"},
                {"pre_tokenizer", split, "a pre_tokenizer without ByteLevel is not supported"},
                {"pre_tokenizer", split.deepCopy().put("behavior", "MergedWithPrevious"), "pre_tokenizer Split with behavior MergedWithPrevious is not supported"},
                {"normalizer", JSON.createObjectNode().put("type", "Lowercase"), "normalizer Lowercase is not supported"},
                {"decoder", JSON.createObjectNode().put("type", "WordPiece"), "decoder WordPiece is not supported"},
                {"post_processor", JSON.createObjectNode().put("type", "RobertaProcessing"), "post_processor RobertaProcessing is not supported"},
                {"pre_tokenizer", JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", true), "add_prefix_space true is not supported"},
        };
        for (Object[] c : cases) {
            ObjectNode root = gpt2Layout(false);
            root.set((String) c[0], (ObjectNode) c[1]);
            Path file = dir.resolve("t.json");
            JSON.writeValue(file.toFile(), root);
            var e = assertThrows(TokenizerException.class, () -> Tokenizer.load(file, List.of()));
            assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains((String) c[2]), e.getMessage());
        }
        ObjectNode stripped = gpt2Layout(false);
        ((ObjectNode) stripped.get("added_tokens").get(0)).put("lstrip", true);
        Path lstrip = dir.resolve("lstrip.json");
        JSON.writeValue(lstrip.toFile(), stripped);
        assertTrue(assertThrows(TokenizerException.class, () -> Tokenizer.load(lstrip, List.of())).getMessage()
                .startsWith(lstrip + ": added token \"<|endoftext|>\" with lstrip true is not supported"));
        ObjectNode wp = gpt2Layout(false);
        ((ObjectNode) wp.get("model")).put("type", "WordPiece");
        Path file = dir.resolve("wp.json");
        JSON.writeValue(file.toFile(), wp);
        assertEquals(file + ": model type WordPiece is not supported (jlm implements byte-level BPE)",
                assertThrows(TokenizerException.class, () -> Tokenizer.load(file, List.of())).getMessage());
    }
}
