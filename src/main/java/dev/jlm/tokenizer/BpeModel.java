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

    /** The longest token (by bytes). */
    public byte[] longestToken() {
        return Arrays.stream(vocab).max((a, b) -> Integer.compare(a.length, b.length)).orElse(new byte[0]);
    }
}
