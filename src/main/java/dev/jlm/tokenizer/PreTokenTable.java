package dev.jlm.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Distinct pre-tokens and their counts with no object per pre-token: the characters of every key in one paged char
 * arena; entry e as two longs, meta[2e] = where its chars are (page, offset, length packed) and meta[2e+1] = its
 * count; and an open-addressing table of (hash, entry) longs, so a probe compares hashes without touching entries.
 * A lookup costs about three cache misses (slot, entry, chars). A pre-token is looked up by its place in the text
 * (chars start..end): counting allocates nothing per occurrence. About 2 bytes per key char + ~45 bytes per distinct
 * pre-token (against ~110 with a String per key).
 */
final class PreTokenTable {
    private static final int PAGE_BITS = 18, PAGE = 1 << PAGE_BITS;
    private static final int LENGTH_BITS = 22, LONG_KEY = (1 << LENGTH_BITS) - 1;   // length field; LONG_KEY: see longKeys

    private char[][] pages = new char[4][];
    private int pageCount, top = PAGE;         // bump allocation in pages[pageCount - 1]
    private long[] meta;                       // entry e: [2e] = page << 40 | offset << 22 | length, [2e + 1] = count
    private long[] slots;                      // hash << 32 | (entry + 1); 0 = empty
    private final Map<Integer, Integer> longKeys = new HashMap<>();   // entry → length, for keys of ≥ LONG_KEY chars
    private int size;

    PreTokenTable(int expected) {
        slots = new long[Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1];
        meta = new long[2 * Math.max(16, expected)];
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
        for (long s; (s = slots[i]) != 0; i = (i + 1) & mask) {
            if ((int) (s >>> 32) != h) continue;
            int e = (int) s - 1;
            long m = meta[2 * e];
            if (length(e, m) == len && same(m, text, start, len)) {
                meta[2 * e + 1] += n;
                return;
            }
        }
        long m = store(len);
        char[] p = pages[page(m)];
        int off = offset(m);
        for (int j = 0; j < len; j++) p[off + j] = text.charAt(start + j);
        insert(i, h, m, len, n);
    }

    private boolean same(long m, CharSequence text, int start, int len) {
        char[] p = pages[page(m)];
        int off = offset(m);
        for (int j = 0; j < len; j++) if (p[off + j] != text.charAt(start + j)) return false;
        return true;
    }

    /** Adds every count of {@code other} to this table. */
    void addAll(PreTokenTable other) {
        for (long os : other.slots) if (os != 0) other.addEntryTo(this, os);
    }

    /**
     * Adds every count of this table to {@code parts}, the entry with hash h to parts[{@link #partition}(h, bits)],
     * partition by partition: each part's slots and entries stay in cache while it takes its share.
     */
    void addAllTo(PreTokenTable[] parts) {
        int bits = Integer.numberOfTrailingZeros(parts.length);
        int[] start = new int[parts.length + 1];
        for (long s : slots) if (s != 0) start[partition((int) (s >>> 32), bits) + 1]++;
        for (int p = 0; p < parts.length; p++) start[p + 1] += start[p];
        long[] sorted = new long[size];
        int[] at = Arrays.copyOf(start, parts.length);
        for (long s : slots) if (s != 0) sorted[at[partition((int) (s >>> 32), bits)]++] = s;
        for (int p = 0; p < parts.length; p++) {
            for (int k = start[p]; k < start[p + 1]; k++) addEntryTo(parts[p], sorted[k]);
        }
    }

    /** Which of 2^bits partitions a pre-token with hash h belongs to (the hash's top bits: slots use its bottom bits). */
    static int partition(int h, int bits) {
        return bits == 0 ? 0 : mix(h) >>> (32 - bits);
    }

    /** Adds entry (slot value s) of this table to {@code to}. */
    private void addEntryTo(PreTokenTable to, long s) {
        int f = (int) s - 1, h = (int) (s >>> 32);
        long om = meta[2 * f];
        char[] q = pages[page(om)];
        int qoff = offset(om), len = length(f, om), mask = to.slots.length - 1;
        int i = mix(h) & mask;
        for (long t; (t = to.slots[i]) != 0; i = (i + 1) & mask) {
            if ((int) (t >>> 32) != h) continue;
            int e = (int) t - 1;
            long m = to.meta[2 * e];
            if (to.length(e, m) == len && Arrays.equals(to.pages[page(m)], offset(m), offset(m) + len, q, qoff, qoff + len)) {
                to.meta[2 * e + 1] += meta[2 * f + 1];
                return;
            }
        }
        long m = to.store(len);
        System.arraycopy(q, qoff, to.pages[page(m)], offset(m), len);
        to.insert(i, h, m, len, meta[2 * f + 1]);
    }

    /** A pre-token's characters: {@code chars[offset, offset + length)}, valid during the call only. */
    interface CharsEntry {
        void accept(char[] chars, int offset, int length, long count);
    }

    /** Every pre-token, in the order first stored. */
    void forEachChars(CharsEntry v) {
        for (int e = 0; e < size; e++) {
            long m = meta[2 * e];
            v.accept(pages[page(m)], offset(m), length(e, m), meta[2 * e + 1]);
        }
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
        for (int e = 0; e < size; e++) t += length(e, meta[2 * e]);
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

    private static int page(long m) {
        return (int) (m >>> 40);
    }

    private static int offset(long m) {
        return (int) (m >>> LENGTH_BITS) & (PAGE - 1);
    }

    private int length(int e, long m) {
        int len = (int) m & LONG_KEY;
        return len == LONG_KEY ? longKeys.get(e) : len;
    }

    /** Room for {@code len} chars in the arena, as packed meta without the length. A key longer than a page gets its own. */
    private long store(int len) {
        if (top + len > PAGE) {
            if (pageCount == pages.length) pages = Arrays.copyOf(pages, pageCount * 2);
            if (len > PAGE) {
                pages[pageCount++] = new char[len];
                top = PAGE;                            // the next key starts a new page
                return (long) (pageCount - 1) << 40;
            }
            pages[pageCount++] = new char[PAGE];
            top = 0;
        }
        long m = ((long) (pageCount - 1) << 40) | ((long) top << LENGTH_BITS);
        top += len;
        return m;
    }

    private void insert(int slot, int h, long m, int len, long n) {
        if (2 * size == meta.length) meta = Arrays.copyOf(meta, 2 * (size + (size >> 1)));
        if (len >= LONG_KEY) longKeys.put(size, len);
        meta[2 * size] = m | Math.min(len, LONG_KEY);
        meta[2 * size + 1] = n;
        slots[slot] = ((long) h << 32) | ++size;
        if (size * 2 > slots.length) rehash();
    }

    private void rehash() {
        long[] old = slots;
        slots = new long[old.length * 2];
        int mask = slots.length - 1;
        for (long s : old) {
            if (s == 0) continue;
            int i = mix((int) (s >>> 32)) & mask;
            while (slots[i] != 0) i = (i + 1) & mask;
            slots[i] = s;
        }
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
