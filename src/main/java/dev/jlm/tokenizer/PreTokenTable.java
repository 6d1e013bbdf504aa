package dev.jlm.tokenizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Distinct pre-tokens and their counts, by open addressing on parallel arrays. A pre-token is looked up by its
 * place in the text (chars start..end) — no String per occurrence; only a new distinct pre-token is copied out.
 * About 70 bytes per distinct pre-token, against ~130 for a HashMap of String → int[].
 */
final class PreTokenTable {
    private String[] keys;
    private int[] hashes;
    private long[] counts;
    private int size;

    PreTokenTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        keys = new String[cap];
        hashes = new int[cap];
        counts = new long[cap];
    }

    int size() {
        return size;
    }

    /** count[text[start, end)] += n. */
    void add(CharSequence text, int start, int end, long n) {
        int h = 0;
        for (int i = start; i < end; i++) h = 31 * h + text.charAt(i);          // String.hashCode's formula
        int mask = keys.length - 1;
        int i = mix(h) & mask;
        for (String k; (k = keys[i]) != null; i = (i + 1) & mask) {
            if (hashes[i] == h && same(k, text, start, end)) {
                counts[i] += n;
                return;
            }
        }
        keys[i] = text.subSequence(start, end).toString();
        hashes[i] = h;
        counts[i] = n;
        if (++size * 2 > keys.length) grow();
    }

    private static boolean same(String k, CharSequence text, int start, int end) {
        if (k.length() != end - start) return false;
        for (int j = 0; j < k.length(); j++) if (k.charAt(j) != text.charAt(start + j)) return false;
        return true;
    }

    /** Adds every count of {@code other} to this table. */
    void addAll(PreTokenTable other) {
        for (int i = 0; i < other.keys.length; i++) if (other.keys[i] != null) add(other.keys[i], 0, other.keys[i].length(), other.counts[i]);
    }

    interface Entry {
        void accept(String preToken, long count);
    }

    void forEach(Entry e) {
        for (int i = 0; i < keys.length; i++) if (keys[i] != null) e.accept(keys[i], counts[i]);
    }

    static PreTokenTable of(Map<String, int[]> counts) {
        PreTokenTable t = new PreTokenTable(counts.size());
        counts.forEach((k, v) -> t.add(k, 0, k.length(), v[0]));
        return t;
    }

    Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        forEach(m::put);
        return m;
    }

    private void grow() {
        String[] ok = keys;
        int[] oh = hashes;
        long[] oc = counts;
        keys = new String[ok.length * 2];
        hashes = new int[ok.length * 2];
        counts = new long[ok.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < ok.length; j++) {
            if (ok[j] == null) continue;
            int i = mix(oh[j]) & mask;
            while (keys[i] != null) i = (i + 1) & mask;
            keys[i] = ok[j];
            hashes[i] = oh[j];
            counts[i] = oc[j];
        }
        Arrays.fill(ok, null);
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
