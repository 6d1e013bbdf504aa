package dev.jlm.tokenizer;

import dev.jlm.JlmException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Byte-level BPE encoding and decoding. Text is split at special tokens (longest first), each piece is
 * pre-tokenized ({@link PreTokenizer}), and each pre-token's UTF-8 bytes are merged by rank: repeatedly the
 * adjacent pair with the lowest merge rank, all its occurrences left to right (GPT-2's algorithm). Results for
 * repeated pre-tokens come from a cache. Instances are thread-safe for encoding if each thread uses its own
 * {@link #copy()} (the cache is per instance).
 */
public final class Tokenizer {
    private final BpeModel model;
    private final SpecialTokens specials;
    private final int[] specialIds;      // by SpecialTokens index
    private final int[] byteId = new int[256];
    private final RankMap ranks;         // (left, right) → rank
    private final int[] mergedId;        // by rank
    private final HashMap<String, int[]> cache = new HashMap<>();
    private static final int CACHE_LIMIT = 1 << 20;

    public Tokenizer(BpeModel model) {
        this.model = model;
        this.specials = new SpecialTokens(model.specials());
        Map<String, Integer> byBytes = new HashMap<>();
        for (int id = 0; id < model.vocab().length; id++) byBytes.putIfAbsent(key(model.vocab()[id]), id);
        specialIds = new int[specials.list().size()];
        for (int i = 0; i < specialIds.length; i++) {
            Integer id = byBytes.get(key(specials.get(i).getBytes(StandardCharsets.UTF_8)));
            if (id == null) throw new JlmException("special token " + specials.get(i) + " is not in the vocab");
            specialIds[i] = id;
        }
        for (int b = 0; b < 256; b++) {
            Integer id = byBytes.get(key(new byte[] {(byte) b}));
            if (id == null) throw new JlmException("the vocab lacks the single byte 0x" + Integer.toHexString(b));
            byteId[b] = id;
        }
        ranks = new RankMap(model.merges().length * 2 + 16);
        mergedId = new int[model.merges().length];
        for (int r = 0; r < model.merges().length; r++) {
            int[] m = model.merges()[r];
            byte[] a = model.vocab()[m[0]], b = model.vocab()[m[1]];
            byte[] ab = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, ab, a.length, b.length);
            Integer id = byBytes.get(key(ab));
            if (id == null) throw new JlmException("merge " + (r + 1) + " makes a token that is not in the vocab");
            ranks.putIfAbsent(m[0], m[1], r);
            mergedId[r] = id;
        }
    }

    private Tokenizer(Tokenizer o) {
        this.model = o.model;
        this.specials = o.specials;
        this.specialIds = o.specialIds;
        System.arraycopy(o.byteId, 0, byteId, 0, 256);
        this.ranks = o.ranks;
        this.mergedId = o.mergedId;
    }

    /** Loads a tokenizer folder (vocab.json + merges.txt); special tokens missing from the vocab are appended. */
    public static Tokenizer load(Path dir, List<String> specialTokens) throws IOException {
        return new Tokenizer(TokenizerFiles.read(dir, specialTokens));
    }

    /** A tokenizer sharing this one's tables, with its own cache (for another thread). */
    public Tokenizer copy() {
        return new Tokenizer(this);
    }

    public BpeModel model() {
        return model;
    }

    /** The id of this special token, or -1 if it is not one of this tokenizer's special tokens. */
    public int specialId(String token) {
        int i = specials.list().indexOf(token);
        return i < 0 ? -1 : specialIds[i];
    }

    public int vocabSize() {
        return model.vocab().length;
    }

    private static String key(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- encoding

    public int[] encode(CharSequence text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encode(text, 0, text.length(), out::add);
        return out.toArray();
    }

    /** Encodes text[from, to) and hands each id to {@code out}. */
    public void encode(CharSequence text, int from, int to, IntConsumer out) {
        int i = from;
        while (i < to) {
            int segEnd = specials.nextStart(text, i, to);
            for (int p = i; p < segEnd; ) {
                int q = PreTokenizer.next(text, p, segEnd);
                for (int id : encodePiece(text, p, q)) out.accept(id);
                p = q;
            }
            if (segEnd < to) {
                int s = specials.matchAt(text, segEnd, to);
                out.accept(specialIds[s]);
                i = segEnd + specials.get(s).length();
            } else {
                i = to;
            }
        }
    }

    /**
     * Streams a Reader's text in bounded memory, with exactly the ids of {@link #encode(CharSequence)} on the
     * whole text: it cuts only where pre-tokenization cannot see across (see {@link SafeChunks}).
     */
    public void encode(Reader in, IntConsumer out) throws IOException {
        char[] buf = new char[1 << 16];
        StringBuilder pending = new StringBuilder();
        for (int n; (n = in.read(buf)) >= 0; ) {
            pending.append(buf, 0, n);
            int cut = safeCut(pending);
            if (cut > 0) {
                encode(pending, 0, cut, out);
                pending.delete(0, cut);
            }
        }
        encode(pending, 0, pending.length(), out);
    }

    private int safeCut(CharSequence s) {
        for (int p = s.length() - 1; p >= 2; p--) {
            if (specials.matchAt(s, p, s.length()) >= 0) return p;
            char a = s.charAt(p - 2), c = s.charAt(p);
            if (s.charAt(p - 1) == '\n' && a > 0x20 && a < 0x7F && c > 0x20 && c < 0x7F) return p;
        }
        return -1;
    }

    private int[] encodePiece(CharSequence text, int p, int q) {
        String piece = text.subSequence(p, q).toString();
        int[] ids = cache.get(piece);
        if (ids != null) return ids;
        ids = bpe(piece.getBytes(StandardCharsets.UTF_8));
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(piece, ids);
        return ids;
    }

    /** GPT-2's merge loop on one pre-token's bytes. */
    int[] bpe(byte[] bytes) {
        int n = bytes.length;
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = byteId[bytes[i] & 0xFF];
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int r = ranks.get(t[i], t[i + 1]);
                if (r >= 0 && r < best) best = r;
            }
            if (best == Integer.MAX_VALUE) break;
            int[] m = model.merges()[best];
            int a = m[0], b = m[1], c = mergedId[best];
            int w = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && t[i] == a && t[i + 1] == b) {
                    t[w++] = c;
                    i++;
                } else {
                    t[w++] = t[i];
                }
            }
            n = w;
        }
        return n == t.length ? t : Arrays.copyOf(t, n);
    }

    // ---------------------------------------------------------------- decoding

    /** The text of these ids; invalid UTF-8 becomes U+FFFD. An id outside the vocab is an error. */
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    public byte[] decodeBytes(int[] ids) {
        int len = 0;
        byte[][] vocab = model.vocab();
        for (int id : ids) {
            if (id < 0 || id >= vocab.length) throw new JlmException("token id " + id + " is out of range [0, " + vocab.length + ")");
            len += vocab[id].length;
        }
        byte[] out = new byte[len];
        int p = 0;
        for (int id : ids) {
            byte[] b = vocab[id];
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
        }
        return out;
    }

    /** Growable int array. */
    static final class IntList {
        int[] a;
        int n;

        IntList(int cap) {
            a = new int[cap];
        }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** Open-addressing (int, int) → int map; -1 when absent. */
    static final class RankMap {
        private final long[] keys;
        private final int[] vals;
        private final int mask;

        RankMap(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
            keys = new long[cap];
            vals = new int[cap];
            Arrays.fill(vals, -1);
            mask = cap - 1;
        }

        private static int hash(long k) {
            k *= 0x9E3779B97F4A7C15L;
            return (int) (k ^ (k >>> 32));
        }

        void putIfAbsent(int a, int b, int v) {
            long k = ((long) a << 32) | (b & 0xFFFFFFFFL);
            int i = hash(k) & mask;
            while (vals[i] >= 0) {
                if (keys[i] == k) return;
                i = (i + 1) & mask;
            }
            keys[i] = k;
            vals[i] = v;
        }

        int get(int a, int b) {
            long k = ((long) a << 32) | (b & 0xFFFFFFFFL);
            int i = hash(k) & mask;
            while (true) {
                int v = vals[i];
                if (v < 0) return -1;
                if (keys[i] == k) return v;
                i = (i + 1) & mask;
            }
        }
    }
}
