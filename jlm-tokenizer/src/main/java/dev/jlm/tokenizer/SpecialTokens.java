package dev.jlm.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds special tokens in text, longest match first (so "<|endoftext|><|endoftext|>", when registered itself,
 * wins over two single ones). Text that only resembles a special token is ordinary text.
 */
public final class SpecialTokens {
    private final String[] tokens; // longest first
    private final boolean[] firstChar = new boolean[65536];

    public SpecialTokens(List<String> specials) {
        List<String> sorted = new ArrayList<>(specials);
        sorted.removeIf(String::isEmpty);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        tokens = sorted.toArray(String[]::new);
        for (String t : tokens) firstChar[t.charAt(0)] = true;
    }

    public List<String> list() {
        return List.of(tokens);
    }

    /** Index in {@link #list()} of the special token starting at i, or -1. */
    public int matchAt(CharSequence s, int i, int end) {
        if (!firstChar[s.charAt(i)]) return -1;
        outer:
        for (int t = 0; t < tokens.length; t++) {
            String tok = tokens[t];
            if (i + tok.length() > end) continue;
            for (int k = 0; k < tok.length(); k++) if (s.charAt(i + k) != tok.charAt(k)) continue outer;
            return t;
        }
        return -1;
    }

    /** Start of the next special token at or after {@code from}, or end. */
    public int nextStart(CharSequence s, int from, int end) {
        if (tokens.length == 0) return end;
        for (int i = from; i < end; i++) if (firstChar[s.charAt(i)] && matchAt(s, i, end) >= 0) return i;
        return end;
    }

    public String get(int index) {
        return tokens[index];
    }
}
