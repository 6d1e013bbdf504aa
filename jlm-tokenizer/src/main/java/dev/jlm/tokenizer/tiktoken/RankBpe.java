package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.TokenizerException;
import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * tiktoken's byte-pair encoding of one pre-token, on token ids through a merge table derived from the ranks.
 *
 * <p>tiktoken merges, repeatedly, the leftmost adjacent pair of parts whose concatenation has the lowest rank. The
 * merge table holds, for each token t that this process builds from t's own bytes, the pair (a, b) it joins last;
 * pair (a, b) → t, ranked by t's rank. Exactness: inside any pre-token, the parts that end up as one token t were
 * merged only with each other, always as the lowest-ranked pair among themselves, so they went through exactly the
 * steps of the process on t's bytes alone, and their last step is t's derived pair. So every merge tiktoken makes is
 * in the table, and {@link #encode} making the same choice (lowest rank, leftmost) over the table makes the same
 * merges. A token the process cannot build (it stops short of t on t's bytes) is reached only as a whole pre-token,
 * which tiktoken looks up first, as this does. TiktokenParityTest checks the ids against tiktoken itself.
 *
 * <p>Deriving the table fast: tokens in rank order, each encoded with the merges of lower ranks found so far. While
 * tiktoken's process on t's bytes merges pairs ranked below t, this makes the same merges (the lowest-ranked pair is
 * a derived one, so it is in the table); when it stops at two parts that make t, tiktoken's next and last merge joins
 * them. Any other outcome (tiktoken would merge a pair ranked above t first) takes the exact, slower {@link #lastMerge}.
 */
final class RankBpe {
    private static final int NONE = Integer.MAX_VALUE;
    /** Pre-tokens longer than this (in bytes) merge through a heap, in n log n instead of n². */
    private static final int LONG = 128;

    private final TokenTable table;
    private final int[] byteRank = new int[256];
    private final PairTable pairs;       // derived pairs (a, b) → the rank of a ++ b
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
        pairs = new PairTable(tokens.length);
        int[] last = new int[2], parts = new int[64];
        for (int r = 0; r < tokens.length; r++) {                      // in rank order: the table holds the ranks below r
            byte[] t = tokens[r];
            if (t == null || t.length < 2) continue;
            if (parts.length < t.length) parts = new int[t.length];
            int m = encodeShort(t, 0, t.length, parts, 0);
            boolean two = m == 2 && tokens[parts[0]].length + tokens[parts[1]].length == t.length;
            if (two) {
                last[0] = parts[0];
                last[1] = parts[1];
            } else if (!lastMerge(t, last)) {
                continue;
            }
            pairs.putIfAbsent(last[0], last[1], r);
        }
    }

    /**
     * tiktoken's process on the bytes of t alone (by byte ranges and ranks, independent of the table being built):
     * when it ends in one token, {@code out} = the ranks of the two parts of its last merge, and true.
     */
    private boolean lastMerge(byte[] t, int[] out) {
        int n = t.length;
        int[] start = new int[n + 1];
        int[] rank = new int[n];          // rank[i] = rank of t[start[i], start[i + 2]); NONE if absent
        for (int i = 0; i <= n; i++) start[i] = i;
        int m = n;                         // parts
        for (int i = 0; i + 1 < m; i++) rank[i] = rankOf(t, start[i], start[i + 2]);
        while (m > 1) {
            int best = NONE, at = -1;
            for (int i = 0; i + 1 < m; i++) if (rank[i] < best) { best = rank[i]; at = i; }
            if (at < 0) return false;
            if (m == 2) {
                out[0] = table.rank(t, start[0], start[1]);
                out[1] = table.rank(t, start[1], start[2]);
                return true;
            }
            System.arraycopy(start, at + 2, start, at + 1, m - at - 1);
            System.arraycopy(rank, at + 1, rank, at, m - at - 2);
            m--;
            if (at > 0) rank[at - 1] = rankOf(t, start[at - 1], start[at + 1]);
            if (at + 1 < m) rank[at] = rankOf(t, start[at], start[at + 2]);
        }
        return false;
    }

    private int rankOf(byte[] t, int from, int to) {
        int r = table.rank(t, from, to);
        return r < 0 ? NONE : r;
    }

    /** The rank of the pair (a, b)'s token, or NONE. */
    private int pairRank(int a, int b) {
        return pairs.get(a, b, NONE);
    }

    /** The rank of b[from, to) as one token, or -1. */
    int rank(byte[] b, int from, int to) {
        return table.rank(b, from, to);
    }

    /** How many derived merges there are (one per token the process builds). */
    int merges() {
        return pairs.size();
    }

    /** The ids of one pre-token's bytes b[from, to), written to out[at..]; returns the count. out must have room for to - from. */
    int encode(byte[] b, int from, int to, int[] out, int at) {
        int n = to - from;
        if (n == 1) {
            out[at] = byteRank[b[from] & 0xFF];
            return 1;
        }
        int whole = table.rank(b, from, to);
        if (whole >= 0) {
            out[at] = whole;
            return 1;
        }
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

    private int encodeShort(byte[] b, int from, int n, int[] t, int at) {
        int[] rank = new int[n];
        for (int i = 0; i < n; i++) t[at + i] = byteRank[b[from + i] & 0xFF];
        for (int i = 0; i + 1 < n; i++) rank[i] = pairRank(t[at + i], t[at + i + 1]);
        int m = n;
        while (m > 1) {
            int best = NONE, i = -1;
            for (int k = 0; k + 1 < m; k++) if (rank[k] < best) { best = rank[k]; i = k; }
            if (i < 0) break;
            t[at + i] = best;
            System.arraycopy(t, at + i + 2, t, at + i + 1, m - i - 2);
            System.arraycopy(rank, i + 1, rank, i, m - i - 2);
            m--;
            if (i > 0) rank[i - 1] = pairRank(t[at + i - 1], t[at + i]);
            rank[i] = i + 1 < m ? pairRank(t[at + i], t[at + i + 1]) : NONE;
        }
        return m;
    }

    /** The same merges as {@link #encodeShort}, the lowest (rank, position) first from a heap; stale entries are skipped. */
    private int encodeLong(byte[] b, int from, int n, int[] out, int at) {
        int[] id = new int[n], next = new int[n], prev = new int[n], cur = new int[n];
        PriorityQueue<Long> heap = new PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            id[i] = byteRank[b[from + i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        for (int i = 0; i + 1 < n; i++) {
            cur[i] = pairRank(id[i], id[i + 1]);
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
            cur[i] = next[i] >= 0 ? pairRank(id[i], id[next[i]]) : NONE;
            if (cur[i] != NONE) heap.add(((long) cur[i] << 32) | i);
            int p = prev[i];
            if (p >= 0) {
                cur[p] = pairRank(id[p], id[i]);
                if (cur[p] != NONE) heap.add(((long) cur[p] << 32) | p);
            }
        }
        int m = 0;
        for (int i = 0; i >= 0; i = next[i]) out[at + m++] = id[i];
        return m;
    }
}
