package dev.jlm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HuggingFace's one-file tokenizer format, for a byte-level BPE in GPT-2's layout: a BPE model (vocab, merges),
 * the ByteLevel pre-tokenizer (GPT-2's regex, no prefix space), the ByteLevel decoder, no normalizer, and special
 * tokens as added tokens. Reading accepts exactly what jlm implements and refuses any other normalizer,
 * pre-tokenizer, post-processor, decoder or model by name.
 */
public final class TokenizerJson {
    public static final String FILE = "tokenizer.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerJson() {}

    public static void write(BpeModel m, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode vocab = JSON.createObjectNode();
        for (int id = 0; id < m.vocab().length; id++) {
            String s = TokenizerFiles.tokenString(m, id);
            vocab.put(s, id);
            if (m.specials().contains(s)) {
                added.addObject().put("id", id).put("content", s).put("single_word", false).put("lstrip", false).put("rstrip", false)
                        .put("normalized", false).put("special", true);
            }
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel().put("trim_offsets", true));
        root.set("post_processor", byteLevel().put("trim_offsets", false));
        root.set("decoder", byteLevel().put("trim_offsets", true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE").putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false).put("byte_fallback", false);
        model.set("vocab", vocab);
        ArrayNode merges = model.putArray("merges");
        for (int[] mg : m.merges()) merges.add(ByteUnicode.encode(m.vocab()[mg[0]]) + " " + ByteUnicode.encode(m.vocab()[mg[1]]));
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        TokenizerFiles.writeSynced(file, bytes);
    }

    private static ObjectNode byteLevel() {
        return JSON.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
    }

    /**
     * Reads a HuggingFace tokenizer.json of the byte-level BPE family (GPT-2, Llama 3, Qwen2/3, SmolLM): model BPE;
     * normalizer none or NFC; pre-tokenizer ByteLevel, Split (a regex or a string; behavior Isolated, or Removed), Digits, or a Sequence of them,
     * with a ByteLevel among them; decoder ByteLevel; added tokens as special tokens. A post-processor (ByteLevel,
     * TemplateProcessing) is read past: jlm encodes as HF does with {@code add_special_tokens=False}. Any other
     * component is refused by its name.
     */
    public static TokenizerSpec read(Path file, List<String> extraSpecials) throws IOException {
        JsonNode root = Reading.json(file, "tokenizer.json");
        if (!root.isObject()) throw new TokenizerException(file + ": not a tokenizer.json (expected a JSON object)");
        boolean nfc = HfComponents.normalizer(file, root.path("normalizer"));
        List<Splitter> splitters = HfComponents.preTokenizer(file, root.path("pre_tokenizer"));
        HfComponents.postProcessor(file, root.path("post_processor"));
        HfComponents.decoder(file, root.path("decoder"));
        JsonNode model = root.path("model");
        if (!model.isObject()) throw new TokenizerException(file + ": no \"model\" object");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) throw new TokenizerException(file + ": model type " + type + " is not supported (jlm implements byte-level BPE)");
        if (!model.path("dropout").isMissingNode() && !model.path("dropout").isNull()) throw unsupported(file, "model.dropout " + model.get("dropout"));
        for (String affix : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(affix).asText("").isEmpty()) throw unsupported(file, "model." + affix + " \"" + model.get(affix).asText() + "\"");
        }
        if (model.path("byte_fallback").asBoolean(false)) throw unsupported(file, "model.byte_fallback true");
        boolean ignoreMerges = model.path("ignore_merges").asBoolean(false);

        Map<String, Integer> vocab = new HashMap<>();
        JsonNode v = model.path("vocab");
        if (!v.isObject()) throw new TokenizerException(file + ": model.vocab is not a JSON object of token → id");
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt()) {
                throw new TokenizerException(file + ": model.vocab: id of \"" + e.getKey() + "\" is not an integer");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        List<String> specials = new ArrayList<>();
        for (JsonNode a : root.path("added_tokens")) {                    // special tokens travel as added tokens
            String content = a.path("content").asText(null);
            if (content == null || !a.path("id").canConvertToInt()) throw new TokenizerException(file + ": added_tokens entry without content and id: " + a);
            for (String flag : new String[] {"lstrip", "rstrip", "single_word"}) {
                if (a.path(flag).asBoolean(false)) throw unsupported(file, "added token \"" + content + "\" with " + flag + " true");
            }
            Integer at = vocab.putIfAbsent(content, a.get("id").asInt());
            if (at != null && at != a.get("id").asInt()) {
                throw new TokenizerException(file + ": added token \"" + content + "\" has id " + a.get("id").asInt() + " but model.vocab gives " + at);
            }
            specials.add(content);
        }
        for (String s : extraSpecials) if (!specials.contains(s)) specials.add(s);
        List<String[]> merges = new ArrayList<>();
        List<String> where = new ArrayList<>();
        JsonNode ms = model.path("merges");
        if (!ms.isArray()) throw new TokenizerException(file + ": model.merges is not a list");
        for (int i = 0; i < ms.size(); i++) {
            JsonNode m = ms.get(i);
            String[] pair = m.isTextual() ? m.asText().split(" ", -1)                        // "a b" (tokenizers < 0.20)
                    : m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()
                    ? new String[] {m.get(0).asText(), m.get(1).asText()} : new String[0];      // ["a", "b"]
            if (pair.length != 2 || pair[0].isEmpty() || pair[1].isEmpty()) {
                throw new TokenizerException(file + ": model.merges[" + i + "]: expected two tokens, got " + m);
            }
            merges.add(new String[] {pair[0], pair[1]});
            where.add(file + ": model.merges[" + i + "]");
        }
        BpeModel bpe = TokenizerFiles.assemble(vocab, merges, where, specials, file + ": model.vocab", "model.vocab", true);
        return new TokenizerSpec(bpe, new Pipeline(nfc, splitters, ignoreMerges));
    }

    static TokenizerException unsupported(Path file, String what) {
        return new TokenizerException(file + ": " + what + " is not supported (jlm reads byte-level BPE: normalizer none or NFC;"
                + " pre-tokenizer ByteLevel, Split, Digits; decoder ByteLevel)");
    }
}
