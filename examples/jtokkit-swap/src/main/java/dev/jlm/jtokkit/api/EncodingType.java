package dev.jlm.jtokkit.api;

import java.util.Optional;

/** jtokkit's {@code EncodingType}: the OpenAI encodings, by their tiktoken names. */
public enum EncodingType {
    R50K_BASE("r50k_base"),
    P50K_BASE("p50k_base"),
    P50K_EDIT("p50k_edit"),
    CL100K_BASE("cl100k_base"),
    O200K_BASE("o200k_base");

    private final String name;

    EncodingType(String name) {
        this.name = name;
    }

    /** The tiktoken name, e.g. "o200k_base". */
    public String getName() {
        return name;
    }

    /** The type named {@code name}, or empty. */
    public static Optional<EncodingType> fromName(String name) {
        for (EncodingType t : values()) if (t.name.equals(name)) return Optional.of(t);
        return Optional.empty();
    }
}
