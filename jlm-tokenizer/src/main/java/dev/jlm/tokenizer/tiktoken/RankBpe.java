package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.TokenizerException;
import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * tiktoken's byte-pair encoding of one pre-token, exactly its {@code byte_pair_merge}: the pre-token's bytes start as
 * one part each; repeatedly, the leftmost adjacent pair of parts whose concatenated bytes have the lowest rank is
 * merged, until no concatenation is a token. Ranks are looked up by byte span in the {@link TokenTable} (two-byte spans
 * in a direct table), so loading needs no merge table: nothing is derived from the ranks but the lookup tables.
 */
final class RankBpe {
    private static final int NONE = Integer.MAX_VALUE;
    /** Pre-tokens longer than this (in bytes) merge through a heap, in n log n instead of n². */
    private static final int LONG = 128;

    private final TokenTable table;
    private final int[] byteRank = new int[256];
    /** The rank of the two-byte token xy at [x << 8 | y], or NONE: every pre-token's first lookups, without hashing. */
    private final int[] bytePairs = new int[1 << 16];
    /**
     * Recent pre-tokens that are not one token, and their ids: direct-mapped by hash, shared by all threads. An entry
     * is immutable (final fields), so a racing reader sees a whole old or a whole new entry; a lost write costs a recount.
     */
    private final Cached[] recent = new Cached[1 << 16];

    private record Cached(byte[] bytes, int[] ids) {}

    RankBpe(byte[][] tokens, String name) {
        table = new TokenTable(tokens);
        for (int b = 0; b < 256; b++) {
            byteRank[b] = table.rank(new byte[] {(byte) b}, 0, 1);
            if (byteRank[b] < 0) throw new TokenizerException(name + ": no token for the single byte 0x" + Integer.toHexString(b));
        }
        Arrays.fill(bytePairs, NONE);
        for (int r = tokens.length - 1; r >= 0; r--) {                  // downwards: a repeated byte string keeps its lowest rank, as the table does
            byte[] t = tokens[r];
            if (t != null && t.length == 2) bytePairs[(t[0] & 0xFF) << 8 | (t[1] & 0xFF)] = r;
        }
    }

    /** The rank of b[from, to) as one token, or -1. */
    int rank(byte[] b, int from, int to) {
        return to - from == 1 ? byteRank[b[from] & 0xFF] : table.rank(b, from, to);
    }

    /** The rank of b[from, to) (two bytes or more) as one token, or NONE. */
    private int spanRank(byte[] b, int from, int to) {
        int r = to - from == 2 ? bytePairs[(b[from] & 0xFF) << 8 | (b[from + 1] & 0xFF)] : table.rank(b, from, to);
        return r < 0 ? NONE : r;
    }

    /** {@link TokenTable#rankAscii}: the rank of an ASCII pre-token s[from, to) read from its chars, -1, or NOT_ASCII. */
    int rankAscii(CharSequence s, int from, int to) {
        return table.rankAscii(s, from, to);
    }

    /** The ids of one pre-token's bytes b[from, to), written to out[at..]; returns the count. out must have room for to - from. */
    int encode(byte[] b, int from, int to, int[] out, int at) {
        int whole = rank(b, from, to);
        if (whole >= 0) {
            out[at] = whole;
            return 1;
        }
        return encodeParts(b, from, to, out, at);
    }

    /** {@link #encode} of a pre-token known not to be one token. */
    int encodeParts(byte[] b, int from, int to, int[] out, int at) {
        int n = to - from;
        if (n > LONG) return encodeLong(b, from, n, out, at);
        int slot = TokenTable.hash(b, from, to) & (recent.length - 1);
        Cached c = recent[slot];
        if (c != null && Arrays.equals(c.bytes, 0, c.bytes.length, b, from, to)) {
            System.arraycopy(c.ids, 0, out, at, c.ids.length);
            return c.ids.length;
        }
        int m = encodeShort(b, from, n, out, at);
        recent[slot] = new Cached(Arrays.copyOfRange(b, from, to), Arrays.copyOfRange(out, at, at + m));
        return m;
    }

    /** byte_pair_merge in n²: part i is b[start[i], start[i + 1]) with id t[at + i]; rank[i] ranks parts i and i + 1 joined. */
    private int encodeShort(byte[] b, int from, int n, int[] t, int at) {
        int[] start = new int[n + 1], rank = new int[n];
        for (int i = 0; i <= n; i++) start[i] = from + i;
        for (int i = 0; i < n; i++) t[at + i] = byteRank[b[from + i] & 0xFF];
        for (int i = 0; i + 1 < n; i++) rank[i] = spanRank(b, from + i, from + i + 2);
        int m = n;
        while (m > 1) {
            int best = NONE, i = -1;
            for (int k = 0; k + 1 < m; k++) if (rank[k] < best) { best = rank[k]; i = k; }
            if (i < 0) break;
            t[at + i] = best;
            System.arraycopy(t, at + i + 2, t, at + i + 1, m - i - 2);
            System.arraycopy(start, i + 2, start, i + 1, m - i - 1);
            System.arraycopy(rank, i + 1, rank, i, m - i - 2);
            m--;
            if (i > 0) rank[i - 1] = spanRank(b, start[i - 1], start[i + 1]);
            rank[i] = i + 1 < m ? spanRank(b, start[i], start[i + 2]) : NONE;
        }
        return m;
    }

    /**
     * The same merges as {@link #encodeShort}, the lowest (rank, position) first from a heap; stale entries are skipped.
     * Parts are named by their first byte i (a linked list by next/prev); part i is b[from + i, from + end(i)).
     */
    private int encodeLong(byte[] b, int from, int n, int[] out, int at) {
        int[] id = new int[n], next = new int[n], prev = new int[n], cur = new int[n];
        PriorityQueue<Long> heap = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            id[i] = byteRank[b[from + i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        for (int i = 0; i + 1 < n; i++) {
            cur[i] = spanRank(b, from + i, from + i + 2);
            if (cur[i] != NONE) heap.add(((long) cur[i] << 32) | i);
        }
        cur[n - 1] = NONE;
        while (!heap.isEmpty()) {
            long e = heap.poll();
            int r = (int) (e >>> 32), i = (int) e;
            if (cur[i] != r || next[i] < 0) continue;           // merged away or changed since pushed
            int j = next[i];
            id[i] = r;
            next[i] = next[j];
            if (next[j] >= 0) prev[next[j]] = i;
            cur[j] = NONE;
            prev[j] = -2;                                        // dead
            cur[i] = next[i] >= 0 ? spanRank(b, from + i, from + end(next, next[i], n)) : NONE;
            if (cur[i] != NONE) heap.add(((long) cur[i] << 32) | i);
            int p = prev[i];
            if (p >= 0) {
                cur[p] = spanRank(b, from + p, from + end(next, i, n));
                if (cur[p] != NONE) heap.add(((long) cur[p] << 32) | p);
            }
        }
        int m = 0;
        for (int i = 0; i >= 0; i = next[i]) out[at + m++] = id[i];
        return m;
    }

    /** The end (exclusive, from the pre-token's start) of part i. */
    private static int end(int[] next, int i, int n) {
        return next[i] >= 0 ? next[i] : n;
    }
}
