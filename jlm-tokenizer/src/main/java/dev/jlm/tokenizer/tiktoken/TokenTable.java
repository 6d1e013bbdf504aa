package dev.jlm.tokenizer.tiktoken;

import java.util.Arrays;

/**
 * Byte strings → their rank (tiktoken's {@code encoder: HashMap<Vec<u8>, Rank>}), looked up by a slice without
 * copying it. Tokens of up to 7 bytes (most of them, and most pre-tokens) are packed into one long with their
 * length, key and rank side by side in one array: a lookup reads one cache line and compares one long. Longer tokens
 * are found by hash over {@code tokens[rank]}.
 */
final class TokenTable {
    private static final int PACKED = 7;
    private final long[] packed;          // [key, rank + 1] pairs; key 0 = empty
    private final int packedMask;
    private final byte[][] tokens;        // by rank; null = a hole
    private final int[] table;            // tokens longer than PACKED: rank + 1; 0 = empty
    private final int mask;

    TokenTable(byte[][] tokens) {
        this.tokens = tokens;
        int shortCount = 0;
        for (byte[] t : tokens) if (t != null && t.length <= PACKED) shortCount++;
        int pcap = capacity(shortCount);
        packed = new long[2 * pcap];
        packedMask = pcap - 1;
        int cap = capacity(tokens.length - shortCount);
        table = new int[cap];
        mask = cap - 1;
        for (int r = 0; r < tokens.length; r++) {
            byte[] t = tokens[r];
            if (t == null) continue;
            if (t.length <= PACKED) {
                long key = pack(t, 0, t.length);
                int i = mix(key) & packedMask;
                while (packed[2 * i] != 0) i = (i + 1) & packedMask;
                packed[2 * i] = key;
                packed[2 * i + 1] = r + 1;
            } else {
                int i = hash(t, 0, t.length) & mask;
                while (table[i] != 0) i = (i + 1) & mask;
                table[i] = r + 1;
            }
        }
    }

    private static int capacity(int n) {
        return Integer.highestOneBit(Math.max(16, n * 2) - 1) << 1;
    }

    /** The rank of b[from, to), or -1 if it is not a token. */
    int rank(byte[] b, int from, int to) {
        int n = to - from;
        if (n <= PACKED) {
            long key = pack(b, from, to);
            for (int i = mix(key) & packedMask; ; i = (i + 1) & packedMask) {
                long k = packed[2 * i];
                if (k == key) return (int) packed[2 * i + 1] - 1;
                if (k == 0) return -1;
            }
        }
        for (int i = hash(b, from, to) & mask; ; i = (i + 1) & mask) {
            int v = table[i];
            if (v == 0) return -1;
            byte[] t = tokens[v - 1];
            if (t.length == n && Arrays.equals(t, 0, n, b, from, to)) return v - 1;
        }
    }

    /** Up to 7 bytes, little-endian, with the length in the top byte (so never 0). */
    private static long pack(byte[] b, int from, int to) {
        long key = (long) (to - from) << 56;
        for (int i = from, s = 0; i < to; i++, s += 8) key |= (b[i] & 0xFFL) << s;
        return key;
    }

    private static int mix(long k) {
        k *= 0x9E3779B97F4A7C15L;
        return (int) (k >>> 32) ^ (int) k;
    }

    /** FNV-1a of b[from, to), its high bits folded in. */
    static int hash(byte[] b, int from, int to) {
        int h = 0x811C9DC5;
        for (int i = from; i < to; i++) h = (h ^ b[i]) * 0x01000193;
        return h ^ (h >>> 15);
    }
}
