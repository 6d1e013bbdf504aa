package dev.jlm.jtokkit.api;

import dev.jlm.tokenizer.TokenizerException;

/**
 * jtokkit's {@code Encoding} over jlm's {@link dev.jlm.tokenizer.tiktoken.Encoding}. As in jtokkit, {@code encode} and
 * {@code countTokens} refuse text holding a special token's text (UnsupportedOperationException), the
 * {@code ...Ordinary} methods encode it as ordinary text, and {@code encode(text, maxTokens)} keeps the first
 * {@code maxTokens} ids, then drops ids from the end until they decode to a prefix of the text (no split character).
 * jtokkit's interface is not implemented as an interface here: custom encodings are not covered.
 */
public final class Encoding {
    private final dev.jlm.tokenizer.tiktoken.Encoding jlm;

    Encoding(dev.jlm.tokenizer.tiktoken.Encoding jlm) {
        this.jlm = jlm;
    }

    /** The ids of {@code text}; text of a special token is refused, as in jtokkit. */
    public IntArrayList encode(String text) {
        return IntArrayList.wrap(checked(text));
    }

    /** At most {@code maxTokens} ids of {@code text} (see the class comment); special tokens' text is refused. */
    public EncodingResult encode(String text, int maxTokens) {
        return truncate(text, checked(text), maxTokens);
    }

    /** The ids of {@code text}, special tokens' text encoded as ordinary text. */
    public IntArrayList encodeOrdinary(String text) {
        return IntArrayList.wrap(jlm.encodeOrdinary(text));
    }

    /** At most {@code maxTokens} ids of {@code text}, special tokens' text encoded as ordinary text. */
    public EncodingResult encodeOrdinary(String text, int maxTokens) {
        return truncate(text, jlm.encodeOrdinary(text), maxTokens);
    }

    /** The number of ids of {@link #encode(String)}. */
    public int countTokens(String text) {
        return checked(text).length;
    }

    /** The number of ids of {@link #encodeOrdinary(String)}. */
    public int countTokensOrdinary(String text) {
        return jlm.countTokens(text);
    }

    /** The text of the ids (bytes that are not UTF-8 become U+FFFD). */
    public String decode(IntArrayList tokens) {
        return jlm.decode(tokens.toArray());
    }

    /** The bytes of the ids. */
    public byte[] decodeBytes(IntArrayList tokens) {
        return jlm.decodeBytes(tokens.toArray());
    }

    /** The encoding's name, e.g. "o200k_base". */
    public String getName() {
        return jlm.name();
    }

    private int[] checked(String text) {
        try {
            return jlm.encode(text);
        } catch (TokenizerException e) {
            throw new UnsupportedOperationException("Encoding special tokens is not supported: " + e.getMessage(), e);
        }
    }

    /** jtokkit 1.1.0's truncation: the first max ids, shortened until their text is a prefix of {@code text}. */
    private EncodingResult truncate(String text, int[] ids, int max) {
        if (max < 0) throw new IllegalArgumentException("maxTokens must be >= 0, not " + max);
        if (max == Integer.MAX_VALUE) return new EncodingResult(IntArrayList.wrap(ids), false, text.length() - 1);
        for (int size = Math.min(max, ids.length); size >= 0; size--) {
            int[] head = java.util.Arrays.copyOf(ids, size);
            String decoded = jlm.decode(head);
            if (text.startsWith(decoded)) {
                return new EncodingResult(IntArrayList.wrap(head), text.length() > decoded.length(), decoded.length() - 1);
            }
        }
        throw new IllegalStateException("no prefix of the ids decodes to a prefix of the text");   // size 0 always does
    }
}
