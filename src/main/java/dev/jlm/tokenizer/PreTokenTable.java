package dev.jlm.tokenizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Distinct pre-tokens and their counts with no object per pre-token: the characters of every key in one paged char
 * arena, entry e's (address, length, hash, count) in parallel arrays, and an open-addressing table of entry numbers.
 * A pre-token is looked up by its place in the text (chars start..end), so counting allocates nothing per
 * occurrence. About 2 bytes per key char + 32 bytes per distinct pre-token (against ~110 with a String per key).
 */
final class PreTokenTable {
    private static final int PAGE = 1 << 18;

    private char[][] pages = new char[4][];
    private int pageCount, top = PAGE;         // bump allocation in pages[pageCount - 1]
    private long[] address;                    // entry → (page << 32) | offset
    private int[] length, hash;
    private long[] count;
    private int[] slots;                       // entry + 1; 0 = empty
    private int size;

    PreTokenTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        slots = new int[cap];
        int entries = Math.max(16, expected);
        address = new long[entries];
        length = new int[entries];
        hash = new int[entries];
        count = new long[entries];
    }

    int size() {
        return size;
    }

    /** count[text[start, end)] += n. */
    void add(CharSequence text, int start, int end, long n) {
        int h = 0;
        for (int i = start; i < end; i++) h = 31 * h + text.charAt(i);          // String.hashCode's formula
        int len = end - start, mask = slots.length - 1;
        int i = mix(h) & mask;
        for (int e; (e = slots[i] - 1) >= 0; i = (i + 1) & mask) {
            if (hash[e] == h && length[e] == len && same(e, text, start)) {
                count[e] += n;
                return;
            }
        }
        long at = store(len);
        char[] p = pages[(int) (at >>> 32)];
        int off = (int) at;
        for (int j = 0; j < len; j++) p[off + j] = text.charAt(start + j);
        insert(i, at, len, h, n);
    }

    private boolean same(int e, CharSequence text, int start) {
        char[] p = pages[(int) (address[e] >>> 32)];
        int off = (int) address[e];
        for (int j = 0, n = length[e]; j < n; j++) if (p[off + j] != text.charAt(start + j)) return false;
        return true;
    }

    /** Adds every count of {@code other} to this table. */
    void addAll(PreTokenTable other) {
        int mask = slots.length - 1;
        for (int f = 0; f < other.size; f++) {
            char[] q = other.pages[(int) (other.address[f] >>> 32)];
            int qoff = (int) other.address[f], len = other.length[f], h = other.hash[f];
            int i = mix(h) & mask;
            boolean found = false;
            for (int e; (e = slots[i] - 1) >= 0; i = (i + 1) & mask) {
                if (hash[e] == h && length[e] == len
                        && Arrays.equals(pages[(int) (address[e] >>> 32)], (int) address[e], (int) address[e] + len, q, qoff, qoff + len)) {
                    count[e] += other.count[f];
                    found = true;
                    break;
                }
            }
            if (found) continue;
            long at = store(len);
            System.arraycopy(q, qoff, pages[(int) (at >>> 32)], (int) at, len);
            insert(i, at, len, h, other.count[f]);
            mask = slots.length - 1;
        }
    }

    /** A pre-token's characters: {@code chars[offset, offset + length)}, valid during the call only. */
    interface CharsEntry {
        void accept(char[] chars, int offset, int length, long count);
    }

    /** Every pre-token, in the order first counted. */
    void forEachChars(CharsEntry v) {
        for (int e = 0; e < size; e++) v.accept(pages[(int) (address[e] >>> 32)], (int) address[e], length[e], count[e]);
    }

    interface Entry {
        void accept(String preToken, long count);
    }

    void forEach(Entry v) {
        forEachChars((c, off, len, n) -> v.accept(new String(c, off, len), n));
    }

    /** Characters of all keys together. */
    long totalChars() {
        long t = 0;
        for (int e = 0; e < size; e++) t += length[e];
        return t;
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

    /** Room for {@code len} chars in the arena: (page << 32) | offset. A key longer than a page gets a page of its own. */
    private long store(int len) {
        if (top + len > PAGE) {
            if (pageCount == pages.length) pages = Arrays.copyOf(pages, pageCount * 2);
            if (len > PAGE) {
                pages[pageCount++] = new char[len];
                top = PAGE;                            // the next key starts a new page
                return (long) (pageCount - 1) << 32;
            }
            pages[pageCount++] = new char[PAGE];
            top = 0;
        }
        long at = ((long) (pageCount - 1) << 32) | top;
        top += len;
        return at;
    }

    private void insert(int slot, long at, int len, int h, long n) {
        if (size == address.length) {
            int cap = size + (size >> 1);
            address = Arrays.copyOf(address, cap);
            length = Arrays.copyOf(length, cap);
            hash = Arrays.copyOf(hash, cap);
            count = Arrays.copyOf(count, cap);
        }
        address[size] = at;
        length[size] = len;
        hash[size] = h;
        count[size] = n;
        slots[slot] = ++size;
        if (size * 2 > slots.length) rehash();
    }

    private void rehash() {
        slots = new int[slots.length * 2];
        int mask = slots.length - 1;
        for (int e = 0; e < size; e++) {
            int i = mix(hash[e]) & mask;
            while (slots[i] != 0) i = (i + 1) & mask;
            slots[i] = e + 1;
        }
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
