package dev.jlm.tokenizer;

import java.util.Arrays;

/**
 * Pairs of token ids (a, b) → dense slots 0, 1, 2, … in first-seen order, by open addressing on a long key: no
 * boxing, no per-pair objects. The encoder maps merge pairs to their rank through it; the trainer keeps its pair
 * counts in arrays indexed by slot.
 */
final class PairIndex {
    private long[] keys;
    private int[] slots;          // slot + 1; 0 = empty
    private long[] slotKey;
    private int size;

    PairIndex(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        keys = new long[cap];
        slots = new int[cap];
        slotKey = new long[Math.max(16, expected)];
    }

    static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    int size() {
        return size;
    }

    int left(int slot) {
        return (int) (slotKey[slot] >>> 32);
    }

    int right(int slot) {
        return (int) slotKey[slot];
    }

    /** The slot of (a, b), or -1. */
    int find(int a, int b) {
        long k = key(a, b);
        int mask = keys.length - 1;
        for (int i = mix(k) & mask; ; i = (i + 1) & mask) {
            int v = slots[i];
            if (v == 0) return -1;
            if (keys[i] == k) return v - 1;
        }
    }

    /** The slot of (a, b), made (as the next slot number) if new. */
    int slot(int a, int b) {
        long k = key(a, b);
        int mask = keys.length - 1;
        int i = mix(k) & mask;
        for (; slots[i] != 0; i = (i + 1) & mask) if (keys[i] == k) return slots[i] - 1;
        if (size == slotKey.length) slotKey = Arrays.copyOf(slotKey, size * 2);
        int s = size++;
        slotKey[s] = k;
        keys[i] = k;
        slots[i] = s + 1;
        if (size * 2 > keys.length) rehash();
        return s;
    }

    private void rehash() {
        long[] ok = keys;
        int[] os = slots;
        keys = new long[ok.length * 2];
        slots = new int[os.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < ok.length; j++) {
            if (os[j] == 0) continue;
            int i = mix(ok[j]) & mask;
            while (slots[i] != 0) i = (i + 1) & mask;
            keys[i] = ok[j];
            slots[i] = os[j];
        }
    }

    private static int mix(long k) {
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k ^ (k >>> 29));
    }
}
