package dev.jlm.tokenizer;

import dev.jlm.JlmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.LongConsumer;

/**
 * Byte-level BPE training with the CS336 reference semantics: special tokens take the first ids, then the 256
 * bytes (in GPT-2's table order, so a trained vocab equals the reference file id for id), then one token per
 * merge. Each step merges the most frequent adjacent pair; ties go to the lexicographically greater pair,
 * compared as bytes (left token first). Pair counts are updated incrementally through an index from each pair
 * to the words containing it: no full recount per merge.
 */
public final class BpeTrainer {
    /** Receives progress: phase name, done, total. */
    public interface Listener {
        void progress(String phase, long done, long total);
    }

    public record Stats(double pretokenizeSeconds, double mergeSeconds, long corpusBytes, int distinctPreTokens) {}

    public record Result(BpeModel model, Stats stats) {}

    private final int vocabSize;
    private final List<String> specials;
    private final int threads;

    public BpeTrainer(int vocabSize, List<String> specials, int threads) {
        int min = 256 + specials.size();
        if (vocabSize < min) {
            throw new JlmException("--vocab-size " + vocabSize + " is smaller than 256 bytes + " + specials.size()
                    + " special token(s) = " + min);
        }
        this.vocabSize = vocabSize;
        this.specials = List.copyOf(specials);
        this.threads = threads;
    }

    public Result train(List<Path> inputs, Listener listener) throws IOException {
        long t0 = System.nanoTime();
        long total = 0;
        for (Path p : inputs) total += java.nio.file.Files.size(p);
        final long totalBytes = total;
        long[] done = {0};
        LongConsumer onBytes = b -> {
            done[0] += b;
            listener.progress("pre-tokenize", done[0], totalBytes);
        };
        Map<String, int[]> counts = new PreTokenCounter(specials, threads).count(inputs, onBytes);
        if (counts.isEmpty()) {
            throw new JlmException("empty corpus: no text in " + inputs.stream().map(Path::toString).toList()
                    + (specials.isEmpty() ? "" : " besides special tokens"));
        }
        long t1 = System.nanoTime();
        BpeModel model = merge(counts, listener);
        long t2 = System.nanoTime();
        return new Result(model, new Stats((t1 - t0) / 1e9, (t2 - t1) / 1e9, totalBytes, counts.size()));
    }

    /** The merge phase on pre-token counts (exposed for tests and benchmarks). */
    public BpeModel merge(Map<String, int[]> counts, Listener listener) {
        // 1) initial vocab: specials, then the 256 bytes in GPT-2 table order
        List<byte[]> vocab = new ArrayList<>(vocabSize);
        for (String s : specials) vocab.add(s.getBytes(StandardCharsets.UTF_8));
        int[] byteId = new int[256];
        for (int b : ByteUnicode.ORDER) {
            byteId[b] = vocab.size();
            vocab.add(new byte[] {(byte) b});
        }
        // 2) words as token-id sequences with their counts
        int nWords = counts.size();
        int[][] words = new int[nWords][];
        long[] freq = new long[nWords];
        int w = 0;
        for (var e : counts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) ids[i] = byteId[bytes[i] & 0xFF];
            words[w] = ids;
            freq[w++] = e.getValue()[0];
        }
        // 3) pair counts and the pair → words index
        Pairs pairs = new Pairs();
        PriorityQueue<long[]> heap = new PriorityQueue<>(1 << 16, (x, y) -> {
            if (x[0] != y[0]) return Long.compare(y[0], x[0]);          // higher count first
            return compareDesc(vocab, pairs.key(x[1]), pairs.key(y[1]));  // then the greater pair
        });
        for (w = 0; w < nWords; w++) {
            int[] t = words[w];
            for (int i = 0; i + 1 < t.length; i++) pairs.add(t[i], t[i + 1], freq[w], w);
        }
        for (int s = 0; s < pairs.size(); s++) if (pairs.count[s] > 0) heap.add(new long[] {pairs.count[s], s});

        // 4) merge until the vocab is full or no pair is left
        int target = vocabSize - vocab.size();
        List<int[]> merges = new ArrayList<>(Math.max(target, 0));
        int[] seen = new int[nWords];
        Arrays.fill(seen, -1);
        while (vocab.size() < vocabSize) {
            long[] top = heap.poll();
            if (top == null) break;
            int slot = (int) top[1];
            long current = pairs.count[slot];
            if (current != top[0]) {                 // stale entry: requeue with its current count
                if (current > 0) heap.add(new long[] {current, slot});
                continue;
            }
            long key = pairs.key(slot);
            int a = (int) (key >>> 32), b = (int) key;
            int c = vocab.size();
            byte[] ab = Arrays.copyOf(vocab.get(a), vocab.get(a).length + vocab.get(b).length);
            System.arraycopy(vocab.get(b), 0, ab, vocab.get(a).length, vocab.get(b).length);
            vocab.add(ab);
            merges.add(new int[] {a, b});
            int mergeIndex = merges.size();
            int[] list = pairs.words[slot];
            int n = pairs.nWords[slot];
            for (int k = 0; k < n; k++) {
                int wi = list[k];
                if (seen[wi] == mergeIndex) continue;
                seen[wi] = mergeIndex;
                int[] t = words[wi];
                int[] merged = replace(t, a, b, c);
                if (merged == t) continue;
                long f = freq[wi];
                for (int i = 0; i + 1 < t.length; i++) pairs.add(t[i], t[i + 1], -f, -1);
                for (int i = 0; i + 1 < merged.length; i++) {
                    int s = pairs.add(merged[i], merged[i + 1], f, wi);
                    if (merged[i] == c || merged[i + 1] == c) heap.add(new long[] {pairs.count[s], s});
                }
                words[wi] = merged;
            }
            pairs.release(slot);
            if ((mergeIndex & 63) == 0 || vocab.size() == vocabSize) listener.progress("merge", mergeIndex, target);
        }
        return new BpeModel(vocab.toArray(byte[][]::new), merges.toArray(int[][]::new), specials);
    }

    /** t with every non-overlapping (a, b), left to right, replaced by c; t itself if none. */
    static int[] replace(int[] t, int a, int b, int c) {
        int[] out = null;
        int n = 0;
        for (int i = 0; i < t.length; i++) {
            if (i + 1 < t.length && t[i] == a && t[i + 1] == b) {
                if (out == null) {
                    out = new int[t.length - 1];
                    System.arraycopy(t, 0, out, 0, i);
                    n = i;
                }
                out[n++] = c;
                i++;
            } else if (out != null) {
                out[n++] = t[i];
            }
        }
        return out == null ? t : Arrays.copyOf(out, n);
    }

    /** Negative when pair x is greater (it should come first). */
    private static int compareDesc(List<byte[]> vocab, long x, long y) {
        int c = Arrays.compareUnsigned(vocab.get((int) (x >>> 32)), vocab.get((int) (y >>> 32)));
        if (c == 0) c = Arrays.compareUnsigned(vocab.get((int) x), vocab.get((int) y));
        return -c;
    }

    /** Pair → slot with a count and the words that contained it (may hold stale or repeated entries). */
    static final class Pairs {
        private long[] keys = new long[1 << 16];
        private int[] slots = new int[1 << 16]; // open addressing: slot + 1, 0 = empty
        private int used;
        long[] slotKey = new long[1 << 12];
        long[] count = new long[1 << 12];
        int[][] words = new int[1 << 12][];
        int[] nWords = new int[1 << 12];
        private int size;

        int size() {
            return size;
        }

        long key(long slot) {
            return slotKey[(int) slot];
        }

        /** count[(a,b)] += delta; records word w (if >= 0) in the pair's index; returns the slot. */
        int add(int a, int b, long delta, int w) {
            long k = ((long) a << 32) | (b & 0xFFFFFFFFL);
            int s = slotOf(k);
            count[s] += delta;
            if (w >= 0) {
                int[] l = words[s];
                if (l == null) l = words[s] = new int[4];
                else if (nWords[s] == l.length) l = words[s] = Arrays.copyOf(l, l.length * 2);
                if (nWords[s] == 0 || l[nWords[s] - 1] != w) l[nWords[s]++] = w;
            }
            return s;
        }

        void release(int s) {
            words[s] = null;
            nWords[s] = 0;
        }

        private int slotOf(long k) {
            int mask = keys.length - 1;
            int i = (int) (mix(k) & mask);
            while (true) {
                int v = slots[i];
                if (v == 0) break;
                if (keys[i] == k) return v - 1;
                i = (i + 1) & mask;
            }
            if (size == slotKey.length) {
                int n = size * 2;
                slotKey = Arrays.copyOf(slotKey, n);
                count = Arrays.copyOf(count, n);
                words = Arrays.copyOf(words, n);
                nWords = Arrays.copyOf(nWords, n);
            }
            int s = size++;
            slotKey[s] = k;
            keys[i] = k;
            slots[i] = s + 1;
            if (++used * 2 > keys.length) rehash();
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
                int i = (int) (mix(ok[j]) & mask);
                while (slots[i] != 0) i = (i + 1) & mask;
                keys[i] = ok[j];
                slots[i] = os[j];
            }
        }

        private static long mix(long k) {
            k *= 0x9E3779B97F4A7C15L;
            return k ^ (k >>> 29);
        }
    }
}
