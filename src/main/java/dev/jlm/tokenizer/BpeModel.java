package dev.jlm.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * A trained byte-level BPE: {@code vocab[id]} is the token's bytes; {@code merges[i] = {left id, right id}} in
 * merge order (merge i made the token {@code left ++ right}); {@code specials} are the special tokens, whose
 * bytes are their UTF-8. The ids of special tokens come first in a model jlm trains.
 */
public record BpeModel(byte[][] vocab, int[][] merges, List<String> specials) {
    public int vocabSize() {
        return vocab.length;
    }

    /**
     * One merge, the single BPE step of both training and encoding: every non-overlapping (a, b) in src[0, n), left
     * to right, becomes c. Writes to {@code dst} (which may be {@code src}: it writes no further than it reads) and
     * returns the new length.
     */
    public static int mergePair(int[] src, int n, int a, int b, int c, int[] dst) {
        int w = 0;
        for (int i = 0; i < n; i++) {
            if (i + 1 < n && src[i] == a && src[i + 1] == b) {
                dst[w++] = c;
                i++;
            } else {
                dst[w++] = src[i];
            }
        }
        return w;
    }

    /** The longest token (by bytes). */
    public byte[] longestToken() {
        return Arrays.stream(vocab).max((a, b) -> Integer.compare(a.length, b.length)).orElse(new byte[0]);
    }
}
