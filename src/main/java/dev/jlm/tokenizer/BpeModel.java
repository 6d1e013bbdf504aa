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
     * One merge, the single BPE step of both training and encoding: every non-overlapping (a, b) in t[from, from + n),
     * left to right, becomes c, in place (it writes no further than it reads); returns the new length.
     */
    public static int mergePair(int[] t, int from, int n, int a, int b, int c) {
        int w = from, end = from + n;
        for (int i = from; i < end; i++) {
            if (i + 1 < end && t[i] == a && t[i + 1] == b) {
                t[w++] = c;
                i++;
            } else {
                t[w++] = t[i];
            }
        }
        return w - from;
    }

    /** The longest token (by bytes). */
    public byte[] longestToken() {
        return Arrays.stream(vocab).max((a, b) -> Integer.compare(a.length, b.length)).orElse(new byte[0]);
    }
}
