package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.TokenizerException;
import dev.jlm.tokenizer.tiktoken.EncodingSpec.PreTokenization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI's encodings by name, loaded once on first use and shared ({@code Encodings.get("o200k_base")},
 * {@code Encodings.forModel("gpt-4o")}).
 *
 * <p>Where the rank files come from (see docs/tiktoken.md): {@link #load(String, Path)} reads the file a user gives;
 * {@link #get} looks, in order, in the folder named by the system property {@code jlm.tiktoken.dir} or the environment
 * variable {@code JLM_TIKTOKEN_DIR} ({@code NAME.tiktoken}), then on the class path at
 * {@code dev/jlm/tokenizer/tiktoken/data/NAME.tiktoken} (the artifact {@code dev.jlm:jlm-tokenizer-data}) and at {@code com/knuddels/jtokkit/NAME.tiktoken}
 * (jtokkit's jar carries the same four files). Every file is held to tiktoken's SHA-256.
 */
public final class Encodings {
    private Encodings() {}

    private static final String BASE = "https://openaipublic.blob.core.windows.net/encodings/";
    private static final String ENDOFTEXT = "<|endoftext|>", FIM_PREFIX = "<|fim_prefix|>", FIM_MIDDLE = "<|fim_middle|>",
            FIM_SUFFIX = "<|fim_suffix|>", ENDOFPROMPT = "<|endofprompt|>";

    private static final Map<String, EncodingSpec> SPECS = specs();
    private static final Map<String, Encoding> LOADED = new ConcurrentHashMap<>();

    /** The names of the encodings: r50k_base, p50k_base, cl100k_base, o200k_base, o200k_harmony. */
    public static List<String> names() {
        return List.copyOf(SPECS.keySet());
    }

    /** The encoding's spec; an unknown name is refused, listing the known ones. */
    public static EncodingSpec spec(String name) {
        EncodingSpec s = SPECS.get(name);
        if (s == null) throw new TokenizerException("unknown encoding " + name + " (known: " + String.join(", ", SPECS.keySet()) + ")");
        return s;
    }

    /** The shared encoding {@code name}, loaded on first use from the places the class comment lists. */
    public static Encoding get(String name) {
        EncodingSpec spec = spec(name);
        return LOADED.computeIfAbsent(name, n -> {
            try {
                return new Encoding(spec, findRanks(spec));
            } catch (IOException e) {
                throw new UncheckedIOException(spec.rankFile() + ": " + e.getMessage(), e);
            }
        });
    }

    /** The encoding {@code name} with the ranks of {@code rankFile} (checked against tiktoken's SHA-256); not shared. */
    public static Encoding load(String name, Path rankFile) throws IOException {
        EncodingSpec spec = spec(name);
        if (!Files.isRegularFile(rankFile)) throw new TokenizerException("rank file " + rankFile + " does not exist");
        try (InputStream in = Files.newInputStream(rankFile)) {
            return new Encoding(spec, RankFile.read(in, rankFile.toString(), spec.sha256()));
        }
    }

    /** The shared encoding of an OpenAI model (tiktoken's {@code encoding_for_model}). */
    public static Encoding forModel(String model) {
        return get(ModelEncodings.encodingName(model));
    }

    private static byte[][] findRanks(EncodingSpec spec) throws IOException {
        String dir = System.getProperty("jlm.tiktoken.dir", System.getenv("JLM_TIKTOKEN_DIR"));
        if (dir != null && Files.isRegularFile(Path.of(dir, spec.rankFile()))) {
            Path f = Path.of(dir, spec.rankFile());
            try (InputStream in = Files.newInputStream(f)) {
                return RankFile.read(in, f.toString(), spec.sha256());
            }
        }
        for (String resource : List.of("dev/jlm/tokenizer/tiktoken/data/" + spec.rankFile(), "com/knuddels/jtokkit/" + spec.rankFile())) {
            InputStream in = Encodings.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) continue;
            try (in) {
                return RankFile.read(in, "classpath:" + resource, spec.sha256());
            }
        }
        throw new TokenizerException("no rank file " + spec.rankFile() + " for " + spec.name() + ": put it in the folder of -Djlm.tiktoken.dir"
                + " or JLM_TIKTOKEN_DIR (from " + spec.url() + "), or add dev.jlm:jlm-tokenizer-data to the class path, or give its path");
    }

    private static Map<String, EncodingSpec> specs() {
        Map<String, EncodingSpec> m = new LinkedHashMap<>();
        add(m, "r50k_base", "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930", PreTokenization.GPT2,
                Map.of(ENDOFTEXT, 50256));
        add(m, "p50k_base", "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069", PreTokenization.GPT2,
                Map.of(ENDOFTEXT, 50256));
        Map<String, Integer> cl = new LinkedHashMap<>();
        cl.put(ENDOFTEXT, 100257);
        cl.put(FIM_PREFIX, 100258);
        cl.put(FIM_MIDDLE, 100259);
        cl.put(FIM_SUFFIX, 100260);
        cl.put(ENDOFPROMPT, 100276);
        add(m, "cl100k_base", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", PreTokenization.CL100K, cl);
        Map<String, Integer> o200k = new LinkedHashMap<>();
        o200k.put(ENDOFTEXT, 199999);
        o200k.put(ENDOFPROMPT, 200018);
        String o200kSha = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d";
        add(m, "o200k_base", o200kSha, PreTokenization.O200K, o200k);
        Map<String, Integer> harmony = new LinkedHashMap<>(o200k);       // tiktoken's openai_public.o200k_harmony
        harmony.put("<|startoftext|>", 199998);
        harmony.put(ENDOFTEXT, 199999);
        String[] named = {"<|reserved_200000|>", "<|reserved_200001|>", "<|return|>", "<|constrain|>", "<|reserved_200004|>",
                "<|channel|>", "<|start|>", "<|end|>", "<|message|>", "<|reserved_200009|>", "<|reserved_200010|>",
                "<|reserved_200011|>", "<|call|>"};
        for (int i = 0; i < named.length; i++) harmony.put(named[i], 200000 + i);
        for (int i = 200013; i < 201088; i++) harmony.put("<|reserved_" + i + "|>", i);
        m.put("o200k_harmony", new EncodingSpec("o200k_harmony", "o200k_base.tiktoken", BASE + "o200k_base.tiktoken", o200kSha,
                PreTokenization.O200K, harmony));
        return m;
    }

    private static void add(Map<String, EncodingSpec> m, String name, String sha, PreTokenization p, Map<String, Integer> specials) {
        m.put(name, new EncodingSpec(name, name + ".tiktoken", BASE + name + ".tiktoken", sha, p, specials));
    }
}
