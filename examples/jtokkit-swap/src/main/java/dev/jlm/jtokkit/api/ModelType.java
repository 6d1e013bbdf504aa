package dev.jlm.jtokkit.api;

import java.util.Optional;

/** jtokkit 1.1.0's {@code ModelType}: the same constants, names, encodings and context lengths. */
public enum ModelType {
    GPT_4("gpt-4", EncodingType.CL100K_BASE, 8192),
    GPT_4O("gpt-4o", EncodingType.O200K_BASE, 128000),
    GPT_4O_MINI("gpt-4o-mini", EncodingType.O200K_BASE, 128000),
    GPT_4_32K("gpt-4-32k", EncodingType.CL100K_BASE, 32768),
    GPT_4_TURBO("gpt-4-turbo", EncodingType.CL100K_BASE, 128000),
    GPT_3_5_TURBO("gpt-3.5-turbo", EncodingType.CL100K_BASE, 16385),
    GPT_3_5_TURBO_16K("gpt-3.5-turbo-16k", EncodingType.CL100K_BASE, 16385),
    TEXT_DAVINCI_003("text-davinci-003", EncodingType.P50K_BASE, 4097),
    TEXT_DAVINCI_002("text-davinci-002", EncodingType.P50K_BASE, 4097),
    TEXT_DAVINCI_001("text-davinci-001", EncodingType.R50K_BASE, 2049),
    TEXT_CURIE_001("text-curie-001", EncodingType.R50K_BASE, 2049),
    TEXT_BABBAGE_001("text-babbage-001", EncodingType.R50K_BASE, 2049),
    TEXT_ADA_001("text-ada-001", EncodingType.R50K_BASE, 2049),
    DAVINCI("davinci", EncodingType.R50K_BASE, 2049),
    CURIE("curie", EncodingType.R50K_BASE, 2049),
    BABBAGE("babbage", EncodingType.R50K_BASE, 2049),
    ADA("ada", EncodingType.R50K_BASE, 2049),
    CODE_DAVINCI_002("code-davinci-002", EncodingType.P50K_BASE, 8001),
    CODE_DAVINCI_001("code-davinci-001", EncodingType.P50K_BASE, 8001),
    CODE_CUSHMAN_002("code-cushman-002", EncodingType.P50K_BASE, 2048),
    CODE_CUSHMAN_001("code-cushman-001", EncodingType.P50K_BASE, 2048),
    DAVINCI_CODEX("davinci-codex", EncodingType.P50K_BASE, 4096),
    CUSHMAN_CODEX("cushman-codex", EncodingType.P50K_BASE, 2048),
    TEXT_DAVINCI_EDIT_001("text-davinci-edit-001", EncodingType.P50K_EDIT, 3000),
    CODE_DAVINCI_EDIT_001("code-davinci-edit-001", EncodingType.P50K_EDIT, 3000),
    TEXT_EMBEDDING_ADA_002("text-embedding-ada-002", EncodingType.CL100K_BASE, 8191),
    TEXT_EMBEDDING_3_SMALL("text-embedding-3-small", EncodingType.CL100K_BASE, 8191),
    TEXT_EMBEDDING_3_LARGE("text-embedding-3-large", EncodingType.CL100K_BASE, 8191),
    TEXT_SIMILARITY_DAVINCI_001("text-similarity-davinci-001", EncodingType.R50K_BASE, 2046),
    TEXT_SIMILARITY_CURIE_001("text-similarity-curie-001", EncodingType.R50K_BASE, 2046),
    TEXT_SIMILARITY_BABBAGE_001("text-similarity-babbage-001", EncodingType.R50K_BASE, 2046),
    TEXT_SIMILARITY_ADA_001("text-similarity-ada-001", EncodingType.R50K_BASE, 2046),
    TEXT_SEARCH_DAVINCI_DOC_001("text-search-davinci-doc-001", EncodingType.R50K_BASE, 2046),
    TEXT_SEARCH_CURIE_DOC_001("text-search-curie-doc-001", EncodingType.R50K_BASE, 2046),
    TEXT_SEARCH_BABBAGE_DOC_001("text-search-babbage-doc-001", EncodingType.R50K_BASE, 2046),
    TEXT_SEARCH_ADA_DOC_001("text-search-ada-doc-001", EncodingType.R50K_BASE, 2046),
    CODE_SEARCH_BABBAGE_CODE_001("code-search-babbage-code-001", EncodingType.R50K_BASE, 2046),
    CODE_SEARCH_ADA_CODE_001("code-search-ada-code-001", EncodingType.R50K_BASE, 2046);

    private final String name;
    private final EncodingType encodingType;
    private final int maxContextLength;

    ModelType(String name, EncodingType encodingType, int maxContextLength) {
        this.name = name;
        this.encodingType = encodingType;
        this.maxContextLength = maxContextLength;
    }

    /** The OpenAI model name, e.g. "gpt-4o". */
    public String getName() {
        return name;
    }

    /** The encoding the model uses. */
    public EncodingType getEncodingType() {
        return encodingType;
    }

    /** The model's context length in tokens, as jtokkit 1.1.0 gives it. */
    public int getMaxContextLength() {
        return maxContextLength;
    }

    /** The type of the model named {@code name}, or empty. */
    public static Optional<ModelType> fromName(String name) {
        for (ModelType m : values()) if (m.name.equals(name)) return Optional.of(m);
        return Optional.empty();
    }
}
