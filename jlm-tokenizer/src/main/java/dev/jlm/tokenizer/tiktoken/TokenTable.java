package dev.jlm.tokenizer.tiktoken;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Byte strings → their rank (tiktoken's {@code encoder: HashMap<Vec<u8>, Rank>}), looked up by a slice without
 * copying it. Every pre-token is looked up once as a whole, so a lookup should cost one cache line: tokens of up to
 * 7 bytes are one long (bytes and length) beside their rank; tokens of 8 to 16 bytes are two longs of bytes and one
 * of length and rank, side by side. Only the few longer tokens are found by hash over {@code tokens[rank]}.
 * All three tables are open-addressed with linear probing, at most 5/8 full.
 */
final class TokenTable {
    private static final int SHORT = 7, MID = 16;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long[] shortTable;      // [key, rank + 1] pairs; key 0 = empty
    private final int shortMask;
    private final long[] midTable;        // [bytes 0..7, bytes 8..15, length << 32 | rank + 1] triples; third 0 = empty
    private final int midMask;
    private final byte[][] tokens;        // by rank; null = a hole
    private final int[] longTable;        // tokens longer than MID: rank + 1; 0 = empty
    private final int longMask;

    TokenTable(byte[][] tokens) {
        this.tokens = tokens;
        int shortCount = 0, midCount = 0, longCount = 0;
        for (byte[] t : tokens) {
            if (t == null) continue;
            if (t.length <= SHORT) shortCount++;
            else if (t.length <= MID) midCount++;
            else longCount++;
        }
        int scap = capacity(shortCount), mcap = capacity(midCount), lcap = capacity(longCount);
        shortTable = new long[2 * scap];
        shortMask = scap - 1;
        midTable = new long[3 * mcap];
        midMask = mcap - 1;
        longTable = new int[lcap];
        longMask = lcap - 1;
        for (int r = 0; r < tokens.length; r++) {
            byte[] t = tokens[r];
            if (t == null) continue;
            int n = t.length;
            if (n <= SHORT) {
                long key = pack(t, 0, n);
                int i = mix(key) & shortMask;
                while (shortTable[2 * i] != 0) i = (i + 1) & shortMask;
                shortTable[2 * i] = key;
                shortTable[2 * i + 1] = r + 1;
            } else if (n <= MID) {
                long lo = (long) LONG_LE.get(t, 0), hi = tail(t, 8, n);
                int i = midHash(lo, hi, n) & midMask;
                while (midTable[3 * i + 2] != 0) i = (i + 1) & midMask;
                midTable[3 * i] = lo;
                midTable[3 * i + 1] = hi;
                midTable[3 * i + 2] = ((long) n << 32) | (r + 1);
            } else {
                int i = hash(t, 0, n) & longMask;
                while (longTable[i] != 0) i = (i + 1) & longMask;
                longTable[i] = r + 1;
            }
        }
    }

    /** The smallest power of two (at least 16) that holds n entries at most 5/8 full. */
    private static int capacity(int n) {
        int cap = 16;
        while (cap * 5L < n * 8L) cap <<= 1;
        return cap;
    }

    /** The rank of b[from, to), or -1 if it is not a token. */
    int rank(byte[] b, int from, int to) {
        int n = to - from;
        if (n <= SHORT) return rankShort(pack(b, from, to));
        if (n <= MID) return rankMid((long) LONG_LE.get(b, from), tail(b, from + 8, to), n);
        for (int i = hash(b, from, to) & longMask; ; i = (i + 1) & longMask) {
            int v = longTable[i];
            if (v == 0) return -1;
            byte[] t = tokens[v - 1];
            if (t.length == n && Arrays.equals(t, 0, n, b, from, to)) return v - 1;
        }
    }

    /**
     * The rank of s[from, to) as one token when those chars are all ASCII (then they are its UTF-8 bytes), read straight
     * from the chars; -1 if it is not a token; {@link #NOT_ASCII} if a char is not ASCII or the span is past 16.
     */
    int rankAscii(CharSequence s, int from, int to) {
        int n = to - from;
        if (n > MID) return NOT_ASCII;
        long lo = 0, hi = 0;
        int split = Math.min(n, 8);
        for (int i = 0; i < split; i++) {
            char c = s.charAt(from + i);
            if (c >= 0x80) return NOT_ASCII;
            lo |= (long) c << (i << 3);
        }
        for (int i = 8; i < n; i++) {
            char c = s.charAt(from + i);
            if (c >= 0x80) return NOT_ASCII;
            hi |= (long) c << ((i - 8) << 3);
        }
        return n <= SHORT ? rankShort(shortKey(lo, n)) : rankMid(lo, hi, n);
    }

    static final int NOT_ASCII = -2;

    /** A token of up to 7 bytes by its {@link #pack}ed key. */
    private int rankShort(long key) {
        for (int i = mix(key) & shortMask; ; i = (i + 1) & shortMask) {
            long k = shortTable[2 * i];
            if (k == key) return (int) shortTable[2 * i + 1] - 1;
            if (k == 0) return -1;
        }
    }

    /** A token of 8 to 16 bytes by its bytes 0..7 and 8..15 (little-endian, zero-filled) and length. */
    private int rankMid(long lo, long hi, int n) {
        for (int i = midHash(lo, hi, n) & midMask; ; i = (i + 1) & midMask) {
            long meta = midTable[3 * i + 2];
            if (meta == 0) return -1;
            if (midTable[3 * i] == lo && midTable[3 * i + 1] == hi && (int) (meta >>> 32) == n) return (int) meta - 1;
        }
    }

    /** Up to 7 bytes, little-endian, with the length in the top byte (so never 0). */
    private static long pack(byte[] b, int from, int to) {
        return shortKey(tail(b, from, to), to - from);
    }

    /** The key of a token of n <= 7 bytes, given as a little-endian long: the length in the top byte. */
    private static long shortKey(long bytes, int n) {
        return bytes | (long) n << 56;
    }

    /** Up to 8 bytes b[from, to), little-endian, zero above them. */
    private static long tail(byte[] b, int from, int to) {
        int n = to - from;
        if (n <= 0) return 0;
        if (from + 8 <= b.length) {
            long v = (long) LONG_LE.get(b, from);
            return n >= 8 ? v : v & ((1L << (n << 3)) - 1);
        }
        long v = 0;
        for (int i = from, s = 0; i < to; i++, s += 8) v |= (b[i] & 0xFFL) << s;
        return v;
    }

    private static int midHash(long lo, long hi, int n) {
        return mix(lo * 0xC2B2AE3D27D4EB4FL + hi + n);
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
