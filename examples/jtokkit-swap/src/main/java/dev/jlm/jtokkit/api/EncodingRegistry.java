package dev.jlm.jtokkit.api;

import dev.jlm.tokenizer.TokenizerException;
import dev.jlm.tokenizer.tiktoken.Encodings;
import dev.jlm.tokenizer.tiktoken.ModelEncodings;
import java.util.Optional;

/**
 * jtokkit's {@code EncodingRegistry} over {@link Encodings}: encodings by type, name or model. Registering custom
 * encodings ({@code registerGptBytePairEncoding}, {@code registerCustomEncoding}) is not covered.
 */
public final class EncodingRegistry {
    /** A registry over jlm's shared encodings; {@code Encodings.newDefaultEncodingRegistry()} is the usual way. */
    public EncodingRegistry() {}

    /** The encoding of {@code type}. */
    public Encoding getEncoding(EncodingType type) {
        return new Encoding(Encodings.get(type.getName()));
    }

    /** The encoding named {@code name} (e.g. "cl100k_base"), or empty if jtokkit has no such type. */
    public Optional<Encoding> getEncoding(String name) {
        return EncodingType.fromName(name).map(this::getEncoding);
    }

    /** The encoding of {@code model}. */
    public Encoding getEncodingForModel(ModelType model) {
        return getEncoding(model.getEncodingType());
    }

    /**
     * The encoding of a model name: jtokkit's model types first, then tiktoken's model table (exact name, then prefix,
     * which covers dated names such as "gpt-4o-2024-08-06"); empty if neither knows it.
     */
    public Optional<Encoding> getEncodingForModel(String modelName) {
        Optional<ModelType> known = ModelType.fromName(modelName);
        if (known.isPresent()) return Optional.of(getEncodingForModel(known.get()));
        try {
            return getEncoding(ModelEncodings.encodingName(modelName));
        } catch (TokenizerException unknown) {
            return Optional.empty();
        }
    }
}
