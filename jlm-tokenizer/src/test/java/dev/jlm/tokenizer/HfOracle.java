package dev.jlm.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The independent oracle: HuggingFace tokenizers (Rust core, through DJL's binding) configured as GPT-2 —
 * ByteLevel pre-tokenizer and decoder, BPE model — from a vocab.json + merges.txt pair, with the given
 * special tokens as added tokens.
 */
public final class HfOracle {
    private HfOracle() {}

    public static HuggingFaceTokenizer load(Path vocabJson, Path mergesTxt, List<String> specials) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = (ObjectNode) json.readTree(vocabJson.toFile());
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        int next = vocab.size();
        for (String s : specials) {
            int id = vocab.has(s) ? vocab.get(s).asInt() : next++;
            if (!vocab.has(s)) vocab.put(s, id);
            added.addObject().put("id", id).put("content", s).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode bl = json.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false)
                .put("trim_offsets", false).put("use_regex", true);
        root.set("pre_tokenizer", bl);
        root.putNull("post_processor");
        root.set("decoder", bl.deepCopy());
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false).put("byte_fallback", false);
        model.set("vocab", vocab);
        ArrayNode merges = model.putArray("merges");
        for (String line : Files.readAllLines(mergesTxt, StandardCharsets.UTF_8)) {
            if (!line.isEmpty() && !line.startsWith("#version")) merges.add(line);
        }
        byte[] bytes = json.writeValueAsBytes(root);
        return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    }

    public static int[] encode(HuggingFaceTokenizer hf, String text) {
        long[] ids = hf.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = (int) ids[i];
        return out;
    }
}
