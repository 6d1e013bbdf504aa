package dev.jlm.tokenizer;

import dev.jlm.JlmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
        try {
            return trainOrRunOutOfMemory(inputs, listener);
        } catch (OutOfMemoryError e) {
            throw new JlmException(String.format(java.util.Locale.ROOT, "out of Java heap (max %.1f GB): the corpus has more distinct pre-tokens"
                    + " than this heap holds; give the JVM more, e.g. JLM_JAVA_OPTS=-Xmx%dg scripts/jlm bpe train …",
                    Runtime.getRuntime().maxMemory() / 1e9, (int) Math.ceil(Runtime.getRuntime().maxMemory() / 1e9 * 2)));
        }
    }

    private Result trainOrRunOutOfMemory(List<Path> inputs, Listener listener) throws IOException {
        long t0 = System.nanoTime();
        long total = 0;
        for (Path p : inputs) total += java.nio.file.Files.size(p);
        final long totalBytes = total;
        long[] done = {0};
        LongConsumer onBytes = b -> {
            done[0] += b;
            listener.progress("pre-tokenize", done[0], totalBytes);
        };
        PreTokenTable counts = new PreTokenCounter(specials, threads).count(inputs, onBytes);
        if (counts.size() == 0) {
            throw new JlmException("empty corpus: no text in " + inputs.stream().map(Path::toString).toList()
                    + (specials.isEmpty() ? "" : " besides special tokens"));
        }
        long t1 = System.nanoTime();
        int distinct = counts.size();
        requireHeapForMerges(counts);
        BpeModel model = merge(counts, listener, true);             // the counts are dropped once the words are built
        long t2 = System.nanoTime();
        return new Result(model, new Stats((t1 - t0) / 1e9, (t2 - t1) / 1e9, totalBytes, distinct));
    }

    /**
     * Says so before the merge phase runs out of heap: its words (an int per byte plus ~40 bytes each), their pair
     * index (~12 bytes per byte) and the pair tables, against what the JVM may still allocate.
     */
    static void requireHeapForMerges(PreTokenTable counts) {
        long[] bytes = {0};
        counts.forEach((p, c) -> bytes[0] += p.length());
        double need = counts.size() * 64.0 + bytes[0] * 24.0;
        System.gc();                                                          // once per run: measure live data, not garbage
        Runtime rt = Runtime.getRuntime();
        double free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free + 0.5 * (rt.totalMemory() - rt.freeMemory())) {       // the counts' own space is freed as words are built
            throw new JlmException(String.format(java.util.Locale.ROOT, "the merge phase needs about %.1f GB of Java heap for %,d distinct pre-tokens"
                    + " but at most %.1f GB is left (max heap %.1f GB): give the JVM more, e.g. JLM_JAVA_OPTS=-Xmx%dg",
                    need / 1e9, counts.size(), free / 1e9, rt.maxMemory() / 1e9, (int) Math.ceil((rt.maxMemory() + need) / 1e9)));
        }
    }

    /** The merge phase on pre-token counts (exposed for tests and benchmarks). */
    public BpeModel merge(Map<String, int[]> counts, Listener listener) {
        return merge(PreTokenTable.of(counts), listener, false);
    }

    private BpeModel merge(PreTokenTable counts, Listener listener, boolean releaseCounts) {
        Merger m = new Merger(counts);
        if (releaseCounts) counts = null;                                     // words and frequencies hold it all now
        int target = vocabSize - m.vocab.size();
        while (m.vocab.size() < vocabSize) {
            int slot = m.mostFrequentPair();                                  // 1) the most frequent pair (ties: greater)
            if (slot < 0) break;                                              //    none left: the corpus is exhausted
            int made = m.addToken(slot);                                      // 2) its concatenation becomes a token
            m.rewriteWordsContaining(slot, made);                             // 3) every word holding it, recounted
            if ((m.merges.size() & 63) == 0 || m.vocab.size() == vocabSize) listener.progress("merge", m.merges.size(), target);
        }
        return new BpeModel(m.vocab.toArray(byte[][]::new), m.merges.toArray(int[][]::new), specials);
    }

    /** The state of the merge phase: vocab, words as token ids, and pair counts kept current incrementally. */
    private final class Merger {
        final List<byte[]> vocab = new ArrayList<>(vocabSize);
        final List<int[]> merges = new ArrayList<>();
        final int[][] words;          // each distinct pre-token as token ids
        final long[] freq;            // its count in the corpus
        final Pairs pairs = new Pairs();
        final int[] seenAtMerge;      // the merge number at which a word was last rewritten (its index may repeat it)
        final PairHeap heap = new PairHeap();   // (count, slot), may hold stale counts
        int[] scratch = new int[64];            // a word being rewritten

        Merger(PreTokenTable counts) {
            for (String s : specials) vocab.add(s.getBytes(StandardCharsets.UTF_8));      // specials, then the 256 bytes
            int[] byteId = new int[256];
            for (int b : ByteUnicode.ORDER) {
                byteId[b] = vocab.size();
                vocab.add(new byte[] {(byte) b});
            }
            words = new int[counts.size()][];
            freq = new long[counts.size()];
            int[] w = {0};
            counts.forEach((preToken, count) -> {
                byte[] bytes = preToken.getBytes(StandardCharsets.UTF_8);
                int[] ids = new int[bytes.length];
                for (int i = 0; i < bytes.length; i++) ids[i] = byteId[bytes[i] & 0xFF];
                words[w[0]] = ids;
                freq[w[0]++] = count;
            });
            for (int k = 0; k < words.length; k++) {
                for (int i = 0; i + 1 < words[k].length; i++) pairs.add(words[k][i], words[k][i + 1], freq[k], k);
            }
            for (int s = 0; s < pairs.size(); s++) if (pairs.count[s] > 0) heap.push(pairs.count[s], s);
            seenAtMerge = new int[words.length];
            Arrays.fill(seenAtMerge, -1);
        }

        /** The slot of the most frequent pair, skipping heap entries whose count went stale; -1 when none is left. */
        int mostFrequentPair() {
            while (heap.size > 0) {
                long queued = heap.topCount();
                int slot = heap.pop();
                long current = pairs.count[slot];
                if (current == queued) return slot;
                if (current > 0) heap.push(current, slot);                     // requeue with its current count
            }
            return -1;
        }

        /** Adds the pair's concatenation as the next token and records the merge; returns the new id. */
        int addToken(int slot) {
            int a = pairs.index.left(slot), b = pairs.index.right(slot);
            byte[] ab = Arrays.copyOf(vocab.get(a), vocab.get(a).length + vocab.get(b).length);
            System.arraycopy(vocab.get(b), 0, ab, vocab.get(a).length, vocab.get(b).length);
            vocab.add(ab);
            merges.add(new int[] {a, b});
            return vocab.size() - 1;
        }

        /** Merges the pair in every word that holds it: the word's old pairs are uncounted, its new ones counted. */
        void rewriteWordsContaining(int slot, int c) {
            int a = pairs.index.left(slot), b = pairs.index.right(slot), mergeNumber = merges.size();
            int[] list = pairs.words[slot];
            for (int k = 0, n = pairs.nWords[slot]; k < n; k++) {
                int wi = list[k];
                if (seenAtMerge[wi] == mergeNumber) continue;
                seenAtMerge[wi] = mergeNumber;
                int[] t = words[wi];
                if (scratch.length < t.length) scratch = new int[t.length];
                int len = BpeModel.mergePair(t, t.length, a, b, c, scratch);
                if (len == t.length) continue;                                  // a stale index entry
                int[] merged = Arrays.copyOf(scratch, len);
                long f = freq[wi];
                for (int i = 0; i + 1 < t.length; i++) pairs.add(t[i], t[i + 1], -f, -1);
                for (int i = 0; i + 1 < len; i++) {
                    int s = pairs.add(merged[i], merged[i + 1], f, wi);
                    if (merged[i] == c || merged[i + 1] == c) heap.push(pairs.count[s], s);
                }
                words[wi] = merged;
            }
            pairs.release(slot);
        }

        /**
         * A binary max-heap of (count, slot) in two primitive arrays — no object per entry: higher count first, then
         * the greater pair.
         */
        final class PairHeap {
            long[] counts = new long[1 << 16];
            int[] slots = new int[1 << 16];
            int size;

            boolean before(int i, int j) {
                return counts[i] != counts[j] ? counts[i] > counts[j] : compareDesc(slots[i], slots[j]) < 0;
            }

            void push(long count, int slot) {
                if (size == counts.length) {
                    counts = Arrays.copyOf(counts, size * 2);
                    slots = Arrays.copyOf(slots, size * 2);
                }
                counts[size] = count;
                slots[size] = slot;
                for (int i = size++; i > 0 && before(i, (i - 1) / 2); i = (i - 1) / 2) swap(i, (i - 1) / 2);
            }

            long topCount() {
                return counts[0];
            }

            int pop() {
                int top = slots[0];
                size--;
                counts[0] = counts[size];
                slots[0] = slots[size];
                for (int i = 0; ; ) {
                    int l = 2 * i + 1, r = l + 1, m = i;
                    if (l < size && before(l, m)) m = l;
                    if (r < size && before(r, m)) m = r;
                    if (m == i) break;
                    swap(i, m);
                    i = m;
                }
                return top;
            }

            private void swap(int i, int j) {
                long c = counts[i];
                counts[i] = counts[j];
                counts[j] = c;
                int s = slots[i];
                slots[i] = slots[j];
                slots[j] = s;
            }
        }

        /** Negative when pair x is the greater (it comes first): left tokens compared as bytes, then right. */
        int compareDesc(int x, int y) {
            int c = Arrays.compareUnsigned(vocab.get(pairs.index.left(x)), vocab.get(pairs.index.left(y)));
            if (c == 0) c = Arrays.compareUnsigned(vocab.get(pairs.index.right(x)), vocab.get(pairs.index.right(y)));
            return -c;
        }
    }

    /** Pair counts and, per pair, the words that contained it (may hold stale or repeated entries), by PairIndex slot. */
    static final class Pairs {
        final PairIndex index = new PairIndex(1 << 15);
        long[] count = new long[1 << 12];
        int[][] words = new int[1 << 12][];
        int[] nWords = new int[1 << 12];

        int size() {
            return index.size();
        }

        /** count[(a,b)] += delta; records word w (if >= 0) in the pair's index; returns the slot. */
        int add(int a, int b, long delta, int w) {
            int s = index.slot(a, b);
            if (s == count.length) {
                count = Arrays.copyOf(count, s * 2);
                words = Arrays.copyOf(words, s * 2);
                nWords = Arrays.copyOf(nWords, s * 2);
            }
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
    }
}
