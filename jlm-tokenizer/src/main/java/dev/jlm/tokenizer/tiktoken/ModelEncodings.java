package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.TokenizerException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI model name → encoding name, tiktoken's {@code model.py} (0.14): an exact name first, then the first matching
 * prefix. Models of tiktoken's {@code gpt2} and {@code p50k_edit} encodings, which jlm does not carry, are left out.
 */
public final class ModelEncodings {
    private ModelEncodings() {}

    private static final String O200K = "o200k_base", CL100K = "cl100k_base", P50K = "p50k_base", R50K = "r50k_base";

    /** tiktoken's MODEL_PREFIX_TO_ENCODING, in its order. */
    static final Map<String, String> PREFIXES = new LinkedHashMap<>();
    /** tiktoken's MODEL_TO_ENCODING. */
    static final Map<String, String> MODELS = new LinkedHashMap<>();

    static {
        for (String p : new String[] {"o1-", "o3-", "o4-mini-", "gpt-5", "gpt-4.5-", "gpt-4.1-", "chatgpt-4o-", "gpt-4o-"}) PREFIXES.put(p, O200K);
        for (String p : new String[] {"gpt-4-", "gpt-3.5-turbo-", "gpt-35-turbo-"}) PREFIXES.put(p, CL100K);
        PREFIXES.put("gpt-oss-", "o200k_harmony");
        PREFIXES.put("ft:gpt-4o", O200K);
        for (String p : new String[] {"ft:gpt-4", "ft:gpt-3.5-turbo", "ft:davinci-002", "ft:babbage-002"}) PREFIXES.put(p, CL100K);

        for (String m : new String[] {"o1", "o3", "o4-mini", "gpt-5", "gpt-4.1", "gpt-4o"}) MODELS.put(m, O200K);
        for (String m : new String[] {"gpt-4", "gpt-3.5-turbo", "gpt-3.5", "gpt-35-turbo", "davinci-002", "babbage-002",
                "text-embedding-ada-002", "text-embedding-3-small", "text-embedding-3-large"}) MODELS.put(m, CL100K);
        for (String m : new String[] {"text-davinci-003", "text-davinci-002", "code-davinci-002", "code-davinci-001",
                "code-cushman-002", "code-cushman-001", "davinci-codex", "cushman-codex"}) MODELS.put(m, P50K);
        for (String m : new String[] {"text-davinci-001", "text-curie-001", "text-babbage-001", "text-ada-001", "davinci", "curie",
                "babbage", "ada", "text-similarity-davinci-001", "text-similarity-curie-001", "text-similarity-babbage-001",
                "text-similarity-ada-001", "text-search-davinci-doc-001", "text-search-curie-doc-001", "text-search-babbage-doc-001",
                "text-search-ada-doc-001", "code-search-babbage-code-001", "code-search-ada-code-001"}) MODELS.put(m, R50K);
    }

    /** The encoding name of {@code model}; an unknown model is refused by name. */
    public static String encodingName(String model) {
        String e = MODELS.get(model);
        if (e != null) return e;
        for (var p : PREFIXES.entrySet()) if (model.startsWith(p.getKey())) return p.getValue();
        throw new TokenizerException("no known encoding for model " + model + " (name an encoding instead: "
                + String.join(", ", Encodings.names()) + ")");
    }
}
