package dev.jlm.jtokkit;

import dev.jlm.jtokkit.api.EncodingRegistry;

/** jtokkit's {@code com.knuddels.jtokkit.Encodings}: the entry point to the registry of OpenAI's encodings. */
public final class Encodings {
    private Encodings() {}

    /** A registry of r50k, p50k, cl100k and o200k (each loaded on first use and shared, as jlm's encodings are). */
    public static EncodingRegistry newDefaultEncodingRegistry() {
        return new EncodingRegistry();
    }

    /** jtokkit's lazy registry; jlm's encodings are always loaded on first use, so this is the default registry. */
    public static EncodingRegistry newLazyEncodingRegistry() {
        return new EncodingRegistry();
    }
}
