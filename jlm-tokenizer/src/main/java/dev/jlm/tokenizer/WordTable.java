package dev.jlm.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The distinct pre-tokens ("words") of a corpus as token ids, for the merge phase: word w is
 * pool[start[w], start[w] + length[w]) and occurs freq[w] times. One int pool, no object per word; the merge phase
 * rewrites a word in place as it shrinks.
 */
record WordTable(int[] pool, int[] start, int[] length, long[] freq) {
    /** Each pre-token's UTF-8 bytes, byte b as token id {@code byteId[b]}. */
    static WordTable of(PreTokenCounts counts, int[] byteId) {
        int n = counts.size();
        long total = utf8Length(counts);
        if (total > Integer.MAX_VALUE - 16) {
            throw new TokenizerException("the distinct pre-tokens hold " + total + " bytes: more than one pool of 2^31 token ids");
        }
        WordTable t = new WordTable(new int[(int) total], new int[n], new int[n], new long[n]);
        int[] at = {0, 0};                                                     // word, pool position
        counts.forEachChars((chars, off, len, count) -> {
            int w = at[0]++, p = at[1];
            t.start[w] = p;
            t.freq[w] = count;
            for (byte b : new String(chars, off, len).getBytes(StandardCharsets.UTF_8)) t.pool[p++] = byteId[b & 0xFF];
            t.length[w] = p - at[1];
            at[1] = p;
        });
        return t;
    }

    /** UTF-8 bytes of all keys: an upper bound (a lone surrogate, which encodes as one '?', is counted as 3). */
    private static long utf8Length(PreTokenCounts counts) {
        long[] t = {0};
        counts.forEachChars((chars, off, len, count) -> {
            for (int i = off; i < off + len; i++) {
                char ch = chars[i];
                if (ch < 0x80) t[0] += 1;
                else if (ch < 0x800) t[0] += 2;
                else if (Character.isHighSurrogate(ch) && i + 1 < off + len && Character.isLowSurrogate(chars[i + 1])) {
                    t[0] += 4;
                    i++;
                } else t[0] += 3;
            }
        });
        return t[0];
    }
}
