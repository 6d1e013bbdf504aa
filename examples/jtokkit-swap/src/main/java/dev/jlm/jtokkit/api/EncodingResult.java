package dev.jlm.jtokkit.api;

/** jtokkit's {@code EncodingResult}: the ids of a possibly truncated encoding. */
public final class EncodingResult {
    private final IntArrayList tokens;
    private final boolean truncated;
    private final int lastProcessedCharacterIndex;

    /** Ids and whether they were cut short; no character index (-1). */
    public EncodingResult(IntArrayList tokens, boolean truncated) {
        this(tokens, truncated, -1);
    }

    /** Ids, whether they were cut short, and the index of the last character they cover. */
    public EncodingResult(IntArrayList tokens, boolean truncated, int lastProcessedCharacterIndex) {
        this.tokens = tokens;
        this.truncated = truncated;
        this.lastProcessedCharacterIndex = lastProcessedCharacterIndex;
    }

    /** The ids. */
    public IntArrayList getTokens() {
        return tokens;
    }

    /** Whether the text needed more ids than the limit. */
    public boolean isTruncated() {
        return truncated;
    }

    /** The index of the last character the ids cover (-1 when not given). */
    public int getLastProcessedCharacterIndex() {
        return lastProcessedCharacterIndex;
    }

    @Override
    public String toString() {
        return "EncodingResult{tokens=" + tokens + ", truncated=" + truncated + ", lastProcessedCharacterIndex="
                + lastProcessedCharacterIndex + "}";
    }
}
