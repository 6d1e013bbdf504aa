package dev.jlm.tokenizer;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.PrimitiveIterator;
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
    private final Pipeline pipeline;
    private final Map<String, Integer> wholeToken;   // token bytes (ISO-8859-1) → id, for ignore_merges; else null
    private final SpecialTokens specials;
    private final int[] specialIds;      // by SpecialTokens index
    private final int[] byteId = new int[256];
    private final PairIndex pairs;       // merge pairs (left, right) → slot
    private final int[] rankOfSlot;      // slot → the pair's (first) merge rank
    private final int[] mergedId;        // by rank
    private final HashMap<String, int[]> cache = new HashMap<>();
    private static final int CACHE_LIMIT = 1 << 20;

    /** GPT-2's tokenizer for this model ({@link Pipeline#GPT2}). */
    public Tokenizer(BpeModel model) {
        this(model, Pipeline.GPT2);
    }

    /** The tokenizer of {@code model} with {@code pipeline}'s normalizer, pre-tokenizer and ignore_merges. */
    public Tokenizer(BpeModel model, Pipeline pipeline) {
        this.model = model;
        this.pipeline = pipeline;
        this.specials = new SpecialTokens(model.specials());
        Map<String, Integer> byBytes = new HashMap<>();
        for (int id = 0; id < model.vocab().length; id++) byBytes.putIfAbsent(key(model.vocab()[id]), id);
        specialIds = new int[specials.list().size()];
        for (int i = 0; i < specialIds.length; i++) {
            Integer id = byBytes.get(key(specials.get(i).getBytes(StandardCharsets.UTF_8)));
            if (id == null) throw new TokenizerException("special token " + specials.get(i) + " is not in the vocab");
            specialIds[i] = id;
        }
        for (int b = 0; b < 256; b++) {
            Integer id = byBytes.get(key(new byte[] {(byte) b}));
            if (id == null) throw new TokenizerException("the vocab lacks the single byte 0x" + Integer.toHexString(b));
            byteId[b] = id;
        }
        wholeToken = pipeline.ignoreMerges() ? byBytes : null;
        pairs = new PairIndex(model.merges().length + 16);
        rankOfSlot = new int[model.merges().length];
        mergedId = new int[model.merges().length];
        for (int r = 0; r < model.merges().length; r++) {
            int[] m = model.merges()[r];
            byte[] a = model.vocab()[m[0]], b = model.vocab()[m[1]];
            byte[] ab = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, ab, a.length, b.length);
            Integer id = byBytes.get(key(ab));
            if (id == null) throw new TokenizerException("merge " + (r + 1) + " makes a token that is not in the vocab");
            int known = pairs.size(), slot = pairs.slot(m[0], m[1]);
            if (slot == known) rankOfSlot[slot] = r;                 // a repeated merge keeps its first rank
            mergedId[r] = id;
        }
    }

    private Tokenizer(Tokenizer o) {
        this.model = o.model;
        this.pipeline = o.pipeline;
        this.wholeToken = o.wholeToken;
        this.specials = o.specials;
        this.specialIds = o.specialIds;
        System.arraycopy(o.byteId, 0, byteId, 0, 256);
        this.pairs = o.pairs;
        this.rankOfSlot = o.rankOfSlot;
        this.mergedId = o.mergedId;
    }

    /** A tokenizer in CS336's form (its {@code Tokenizer(vocab, merges, special_tokens)}); see {@link BpeModel#fromBytes}. */
    public static Tokenizer of(Map<Integer, byte[]> vocab, List<BpeModel.Merge> merges, List<String> specialTokens) {
        return new Tokenizer(BpeModel.fromBytes(vocab, merges, specialTokens));
    }

    /**
     * Loads a tokenizer (see {@link TokenizerFiles#read}); special tokens missing from the vocab are appended. A
     * tokenizer.json brings its own pipeline (normalizer, pre-tokenizer, ignore_merges); GPT-2's files have GPT-2's.
     */
    public static Tokenizer load(Path dir, List<String> specialTokens) throws IOException {
        TokenizerSpec p = TokenizerFiles.read(dir, specialTokens);
        return new Tokenizer(p.model(), p.pipeline());
    }

    /** A tokenizer sharing this one's tables, with its own cache (for another thread). */
    public Tokenizer copy() {
        return new Tokenizer(this);
    }

    public BpeModel model() {
        return model;
    }

    /** The normalizer, pre-tokenizer and ignore_merges this tokenizer applies. */
    public Pipeline pipeline() {
        return pipeline;
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
        if (!pipeline.isGpt2()) {
            encodeWithPipeline(text, from, to, out);
            return;
        }
        PreTokenizer.split(text, from, to, specials, new PreTokenizer.Visitor() {
            @Override
            public void preToken(int start, int end) {
                for (int id : encodePiece(text, start, end)) out.accept(id);
            }

            @Override
            public void special(int index) {
                out.accept(specialIds[index]);
            }
        });
    }

    /** As GPT-2's path, for any pipeline: split at special tokens, normalize each text between, split it, BPE each piece. */
    private void encodeWithPipeline(CharSequence text, int from, int to, IntConsumer out) {
        for (int i = from; i < to; ) {
            int segEnd = specials.nextStart(text, i, to);
            if (segEnd > i) {
                String seg = pipeline.normalize(text.subSequence(i, segEnd).toString());
                pipeline.split(seg, 0, seg.length(), (p, q) -> {
                    for (int id : encodePiece(seg, p, q)) out.accept(id);
                });
            }
            if (segEnd == to) return;
            int s = specials.matchAt(text, segEnd, to);
            out.accept(specialIds[s]);
            i = segEnd + specials.get(s).length();
        }
    }

    /**
     * Streams a Reader's text in bounded memory, with exactly the ids of {@link #encode(CharSequence)} on the
     * whole text: it cuts only where pre-tokenization cannot see across (see {@link SafeChunks}).
     */
    public void encode(Reader in, IntConsumer out) throws IOException {
        char[] buf = new char[1 << 16];
        Stream stream = new Stream();
        for (int n; (n = in.read(buf)) >= 0; ) stream.feed(java.nio.CharBuffer.wrap(buf, 0, n), out);
        stream.finish(out);
    }

    /**
     * The ids of the concatenated chunks (a file's lines, say), lazily: a chunk is read only when the ids before it are
     * taken, so memory stays bounded by the longest span that cannot be cut and one chunk's ids (CS336's
     * {@code encode_iterable}). The same ids as {@link #encode(CharSequence)} on the whole text.
     */
    public PrimitiveIterator.OfInt encodeIterable(Iterable<? extends CharSequence> chunks) {
        Iterator<? extends CharSequence> source = chunks.iterator();
        return new PrimitiveIterator.OfInt() {
            private final Stream stream = new Stream();
            private final IntList ready = new IntList(64);
            private int next;
            private boolean finished;

            @Override
            public boolean hasNext() {
                while (next == ready.n && !finished) {
                    ready.n = 0;
                    next = 0;
                    if (source.hasNext()) {
                        stream.feed(source.next(), ready::add);
                    } else {
                        stream.finish(ready::add);
                        finished = true;
                    }
                }
                return next < ready.n;
            }

            @Override
            public int nextInt() {
                if (!hasNext()) throw new java.util.NoSuchElementException();
                return ready.a[next++];
            }
        };
    }

    /** Text arriving in pieces, encoded up to each safe cut as it comes; the one rule of both streaming encoders. */
    private final class Stream {
        private final StringBuilder pending = new StringBuilder();

        void feed(CharSequence chunk, IntConsumer out) {
            pending.append(chunk);
            int cut = safeCut(pending);
            if (cut > 0) {
                encode(pending, 0, cut, out);
                pending.delete(0, cut);
            }
        }

        void finish(IntConsumer out) {
            encode(pending, 0, pending.length(), out);
            pending.setLength(0);
        }
    }

    private int safeCut(CharSequence s) {
        for (int p = s.length() - 1; p >= 2; p--) {
            if (specials.matchAt(s, p, s.length()) >= 0 || SafeChunks.newlineCut(s.charAt(p - 2), s.charAt(p - 1), s.charAt(p))) return p;
        }
        return -1;
    }

    private int[] encodePiece(CharSequence text, int p, int q) {
        String piece = text.subSequence(p, q).toString();
        int[] ids = cache.get(piece);
        if (ids != null) return ids;
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        Integer whole = wholeToken == null ? null : wholeToken.get(key(bytes));
        ids = whole != null ? new int[] {whole} : bpe(bytes);
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(piece, ids);
        return ids;
    }

    /** GPT-2's merge loop on one pre-token's bytes: apply the lowest-ranked merge present until none is. */
    int[] bpe(byte[] bytes) {
        int n = bytes.length;
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = byteId[bytes[i] & 0xFF];
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int slot = pairs.find(t[i], t[i + 1]);
                if (slot >= 0 && rankOfSlot[slot] < best) best = rankOfSlot[slot];
            }
            if (best == Integer.MAX_VALUE) break;
            int[] m = model.merges()[best];
            n = BpeModel.mergePair(t, 0, n, m[0], m[1], mergedId[best]);
        }
        return n == t.length ? t : Arrays.copyOf(t, n);
    }

    // ---------------------------------------------------------------- decoding

    /**
     * How many of {@code b}'s bytes end on a character boundary: all of them, less an unfinished multi-byte UTF-8 sequence
     * at the end (tokens split characters; a streamed text holds those bytes back until the character is whole).
     */
    public static int wholeCharacters(byte[] b) {
        for (int back = 1; back <= 3 && b.length - back >= 0; back++) {     // an unfinished multi-byte sequence at the end?
            int lead = b[b.length - back] & 0xFF;
            if ((lead & 0xC0) == 0x80) continue;                           // continuation byte: keep looking back
            int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            return need > back ? b.length - back : b.length;
        }
        return b.length;
    }

    /** The text of these ids; invalid UTF-8 becomes U+FFFD. An id outside the vocab is an error. */
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    public byte[] decodeBytes(int[] ids) {
        byte[][] vocab = model.vocab();
        for (int id : ids) {
            if (id < 0 || id >= vocab.length) throw new TokenizerException("token id " + id + " is out of range [0, " + vocab.length + ")");
        }
        return concat(vocab, ids);
    }

    /** The bytes of {@code vocab[id]} for each id in turn (the ids already checked). */
    public static byte[] concat(byte[][] vocab, int[] ids) {
        int len = 0;
        for (int id : ids) len += vocab[id].length;
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
    public static final class IntList {
        int[] a;
        int n;

        public IntList(int cap) {
            a = new int[Math.max(1, cap)];
        }

        public void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, a.length * 2);
            a[n++] = v;
        }

        /** Appends v[0, k). */
        public void add(int[] v, int k) {
            if (n + k > a.length) a = Arrays.copyOf(a, Math.max(n + k, a.length * 2));
            System.arraycopy(v, 0, a, n, k);
            n += k;
        }

        public int size() {
            return n;
        }

        public int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
