package dev.jlm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained byte-level BPE: {@code vocab[id]} is the token's bytes; {@code merges[i] = {left id, right id}} in
 * merge order (merge i made the token {@code left ++ right}); {@code specials} are the special tokens, whose
 * bytes are their UTF-8. The ids of special tokens come first in a model jlm trains.
 */
public record BpeModel(byte[][] vocab, int[][] merges, List<String> specials) {
    /** One merge as CS336 writes it, {@code (left bytes, right bytes)}: the two tokens it joins. */
    public record Merge(byte[] left, byte[] right) {}

    /**
     * A model in CS336's form ({@code vocab: dict[int, bytes]}, {@code merges: list[tuple[bytes, bytes]]}, special tokens):
     * the ids must be 0..n−1 (in any order), each merge's two tokens in the vocab; a special token missing from the vocab
     * is appended (as {@link Tokenizer#load} does). Refused by name otherwise.
     */
    public static BpeModel fromBytes(Map<Integer, byte[]> vocab, List<Merge> merges, List<String> specials) {
        byte[][] tokens = new byte[vocab.size()][];
        for (var e : vocab.entrySet()) {
            int id = e.getKey();
            if (id < 0 || id >= tokens.length) {
                throw new TokenizerException("vocab: id " + id + " is outside 0.." + (tokens.length - 1) + " (the ids of " + tokens.length
                        + " tokens must be 0..n-1)");
            }
            if (e.getValue() == null) throw new TokenizerException("vocab: id " + id + " has no bytes");
            tokens[id] = e.getValue().clone();
        }
        Map<String, Integer> byBytes = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) byBytes.putIfAbsent(new String(tokens[id], StandardCharsets.ISO_8859_1), id);
        List<byte[]> all = new ArrayList<>(List.of(tokens));
        for (String s : specials) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (byBytes.putIfAbsent(new String(b, StandardCharsets.ISO_8859_1), all.size()) == null) all.add(b);
        }
        int[][] pairs = new int[merges.size()][];
        for (int i = 0; i < pairs.length; i++) {
            Merge m = merges.get(i);
            Integer a = byBytes.get(new String(m.left(), StandardCharsets.ISO_8859_1)), b = byBytes.get(new String(m.right(), StandardCharsets.ISO_8859_1));
            if (a == null || b == null) {
                throw new TokenizerException("merges[" + i + "]: token " + Arrays.toString(a == null ? m.left() : m.right()) + " is not in the vocab");
            }
            pairs[i] = new int[] {a, b};
        }
        return new BpeModel(all.toArray(byte[][]::new), pairs, List.copyOf(specials));
    }

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
