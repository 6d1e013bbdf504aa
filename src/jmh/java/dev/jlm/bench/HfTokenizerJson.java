package dev.jlm.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The benchmark peer: HuggingFace tokenizers configured as GPT-2 from the fixture vocab and merges. */
final class HfTokenizerJson {
    private HfTokenizerJson() {}

    static HuggingFaceTokenizer gpt2(Path fixtures) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = (ObjectNode) json.readTree(fixtures.resolve("gpt2_vocab.json").toFile());
        ObjectNode root = json.createObjectNode().put("version", "1.0");
        root.putArray("added_tokens").addObject().put("id", vocab.get("<|endoftext|>").asInt()).put("content", "<|endoftext|>")
                .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        root.putNull("normalizer");
        ObjectNode bl = json.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false)
                .put("use_regex", true);
        root.set("pre_tokenizer", bl);
        root.putNull("post_processor");
        root.set("decoder", bl.deepCopy());
        ObjectNode model = root.putObject("model").put("type", "BPE");
        model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false).put("byte_fallback", false);
        model.set("vocab", vocab);
        ArrayNode merges = model.putArray("merges");
        for (String line : Files.readAllLines(fixtures.resolve("gpt2_merges.txt"), StandardCharsets.UTF_8)) {
            if (!line.isEmpty() && !line.startsWith("#version")) merges.add(line);
        }
        return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json.writeValueAsBytes(root)),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    }
}
