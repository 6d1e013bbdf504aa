package dev.jlm.tokenizer.tiktoken;

/**
 * Pairs of token ids (a, b) → the rank of their merge, one {@code long} per entry (key and value packed, so a lookup
 * touches one cache line): ids below 2^18 (OpenAI's vocabularies have at most 200,000 ranked tokens). Open addressing,
 * linear probing, never more than half full.
 */
final class PairTable {
    static final int MAX_ID = 1 << 18;
    private long[] table;
    private int size;

    PairTable(int expected) {
        table = new long[Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1];
    }

    /** The rank of (a, b)'s merge, or {@code none}. */
    int get(int a, int b, int none) {
        long key = ((long) a << 18) | b;
        long[] t = table;
        int mask = t.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long e = t[i];
            if (e == 0) return none;
            if ((e >>> 20) == key) return (int) (e & 0xFFFFF) - 1;
        }
    }

    /** Records (a, b) → rank, unless (a, b) has one already. */
    void putIfAbsent(int a, int b, int rank) {
        if (a >= MAX_ID || b >= MAX_ID || rank + 1 >= (1 << 20)) throw new IllegalArgumentException("pair table: id past 2^18");
        if ((size + 1) * 2 > table.length) grow();
        long key = ((long) a << 18) | b;
        int mask = table.length - 1;
        int i = mix(key) & mask;
        for (; table[i] != 0; i = (i + 1) & mask) if ((table[i] >>> 20) == key) return;
        table[i] = (key << 20) | (rank + 1);
        size++;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        for (long e : old) if (e != 0) table[freeSlot(e >>> 20)] = e;
    }

    /** The first empty slot on key's probe path (the key is known to be absent). */
    private int freeSlot(long key) {
        int mask = table.length - 1, i = mix(key) & mask;
        while (table[i] != 0) i = (i + 1) & mask;
        return i;
    }

    private static int mix(long k) {
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k ^ (k >>> 31));
    }
}
