package dev.jlm.tokenizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Distinct pre-tokens and their counts with no object per pre-token. Each entry is one record in a paged long arena:
 * [length, count, its chars packed four to a long (zero-padded)], so a hit reads one place; an open-addressing
 * table of (hash, record address + 1) longs compares hashes without touching records. A lookup costs about two cache
 * misses (slot, record). A pre-token is looked up by its place in the text (chars start..end): counting allocates
 * nothing per occurrence. About 2 bytes per key char + ~40 bytes per distinct pre-token.
 */
final class PreTokenTable {
    private static final int PAGE_BITS = 15, PAGE = 1 << PAGE_BITS, MAX_PAGES = (1 << 16) - 1;   // 256 KB pages: not humongous in 1 MB G1 regions

    private long[][] pages = new long[4][];
    private int[] used = new int[4];           // longs of records in each page
    private int pageCount;
    private long[] slots;                      // hash << 32 | (record address + 1); 0 = empty
    private int size;
    private long chars;                        // of all keys
    private long[] key = new long[16];         // the key being looked up, packed (a table is used by one thread at a time)

    PreTokenTable(int expected) {
        slots = new long[Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1];
    }

    int size() {
        return size;
    }

    /** Empties the table, keeping its arrays for reuse. */
    void clear() {
        Arrays.fill(slots, 0);
        pageCount = 0;                                       // the pages stay allocated for reuse
        size = 0;
        chars = 0;
    }

    /** count[text[start, end)] += n. */
    void add(CharSequence text, int start, int end, long n) {
        int len = end - start, h = 0;
        if (key.length < (len + 3) >> 2) key = new long[Math.max((len + 3) >> 2, 2 * key.length)];
        for (int j = 0; j < len; j += 4) {                                      // pack and hash in one pass
            long v = 0;
            for (int k = 0, m = Math.min(4, len - j); k < m; k++) {
                char ch = text.charAt(start + j + k);
                v |= (long) ch << (16 * k);
                h = 31 * h + ch;                                                  // String.hashCode's formula
            }
            key[j >> 2] = v;
        }
        add(h, key, 0, len, n);
    }

    /**
     * count[key] += n for the key of {@code len} chars packed at keys[from, from + ⌈len/4⌉) (four to a long, first char
     * lowest, zero-padded) with hash h: the one probe both counting and merging tables go through.
     */
    private void add(int h, long[] keys, int from, int len, long n) {
        int words = (len + 3) >> 2, mask = slots.length - 1;
        int i = mix(h) & mask;
        for (long s; (s = slots[i]) != 0; i = (i + 1) & mask) {
            if ((int) (s >>> 32) != h) continue;
            int a = (int) s - 1;
            long[] p = pages[a >>> PAGE_BITS];
            int x = a & (PAGE - 1);
            if (p[x] == len && same(p, x + 2, keys, from, words)) {
                p[x + 1] += n;
                return;
            }
        }
        int a = store(len);
        long[] p = pages[a >>> PAGE_BITS];
        int x = a & (PAGE - 1);
        p[x] = len;
        p[x + 1] = n;
        System.arraycopy(keys, from, p, x + 2, words);
        insert(i, h, a, len);
    }

    private static boolean same(long[] p, int x, long[] q, int y, int words) {
        for (int j = 0; j < words; j++) if (p[x + j] != q[y + j]) return false;
        return true;
    }

    /** Adds every count of {@code other} to this table. */
    void addAll(PreTokenTable other) {
        for (long os : other.slots) if (os != 0) other.addRecordTo(this, os);
    }

    /**
     * Adds every count of this table to {@code parts}, the entry with hash h to parts[{@link #partition}(h, bits)],
     * partition by partition: each part's slots and records stay in cache while it takes its share.
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
            for (int k = start[p]; k < start[p + 1]; k++) addRecordTo(parts[p], sorted[k]);
        }
    }

    /** Which of 2^bits partitions a pre-token with hash h belongs to (the hash's top bits: slots use its bottom bits). */
    static int partition(int h, int bits) {
        return bits == 0 ? 0 : mix(h) >>> (32 - bits);
    }

    /** Adds the record of slot value s of this table to {@code to}. */
    private void addRecordTo(PreTokenTable to, long s) {
        int a = (int) s - 1;
        long[] q = pages[a >>> PAGE_BITS];
        int y = a & (PAGE - 1);
        to.add((int) (s >>> 32), q, y + 2, (int) q[y], q[y + 1]);
    }

    /** A pre-token's characters: {@code chars[offset, offset + length)}, valid during the call only. */
    interface CharsEntry {
        void accept(char[] chars, int offset, int length, long count);
    }

    /** Every pre-token, in the order first stored. */
    void forEachChars(CharsEntry v) {
        char[] buf = new char[64];
        for (int pg = 0; pg < pageCount; pg++) {
            long[] p = pages[pg];
            for (int x = 0; x < used[pg]; ) {
                int len = (int) p[x];
                if (buf.length < len) buf = new char[Math.max(len, 2 * buf.length)];
                for (int j = 0; j < len; j++) buf[j] = (char) (p[x + 2 + (j >> 2)] >>> (16 * (j & 3)));
                v.accept(buf, 0, len, p[x + 1]);
                x += 2 + ((len + 3) >> 2);
            }
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
        return chars;
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

    /** Room for a record of {@code len} chars: its address (page << 15 | offset). A record longer than a page gets its own. */
    private int store(int len) {
        int need = 2 + ((len + 3) >> 2);
        int pg = pageCount - 1;
        if (pg < 0 || used[pg] + need > PAGE) {                 // offsets stay below PAGE, even in a reused larger page
            pg = pageCount++;
            if (pg == MAX_PAGES) throw new IllegalStateException("pre-token table full: " + size + " distinct pre-tokens");
            if (pg == pages.length) {
                pages = Arrays.copyOf(pages, 2 * pg);
                used = Arrays.copyOf(used, 2 * pg);
            }
            if (need > PAGE) pages[pg] = new long[need];
            else if (pages[pg] == null || pages[pg].length != PAGE) pages[pg] = new long[PAGE];
            used[pg] = 0;
        }
        int a = (pg << PAGE_BITS) | used[pg];
        used[pg] += need;
        return a;
    }

    private void insert(int slot, int h, int a, int len) {
        slots[slot] = ((long) h << 32) | (a + 1L);
        chars += len;
        if (++size * 2 > slots.length) rehash();
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
