package dev.jlm.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
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
            throw new TokenizerException("vocab_size " + vocabSize + " is smaller than 256 bytes + " + specials.size()
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
            throw new TokenizerException(String.format(java.util.Locale.ROOT, "out of Java heap (max %.1f GB): the corpus has more distinct pre-tokens"
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
        var counts = new AtomicReference<>(new PreTokenCounter(specials, threads).count(inputs, onBytes,
                c -> requireHeapWhileCounting(c, done[0], totalBytes)));
        if (counts.get().size() == 0) {
            throw new TokenizerException("empty corpus: no text in " + String.join(", ", inputs.stream().map(Path::toString).toList())
                    + (specials.isEmpty() ? "" : " besides special tokens"));
        }
        long t1 = System.nanoTime();
        int distinct = counts.get().size();
        requireHeapForMerges(counts.get());
        BpeModel model = merge(counts, listener);                   // the counts are dropped once the words are built
        long t2 = System.nanoTime();
        return new Result(model, new Stats((t1 - t0) / 1e9, (t2 - t1) / 1e9, totalBytes, distinct));
    }

    /** Heap the merge phase needs, in bytes: per word ~24 (offset, length, count, visit mark), per byte ~12 (its id in the pool, its pair's list entry, slack). */
    static double mergeHeap(long words, long chars) {
        return words * 24.0 + chars * 12.0;
    }

    /** Heap the counts hold, in bytes: per distinct pre-token ~48 (probe slots, record header), per char 2. */
    static double countsHeap(long words, long chars) {
        return words * 48.0 + chars * 2.0;
    }

    /**
     * Says so while counting, as soon as the pre-tokens counted so far and the merge phase they already imply need more
     * than the whole heap: distinct pre-tokens only grow, so the run could not finish.
     */
    static void requireHeapWhileCounting(PreTokenCounts counts, long bytesDone, long totalBytes) {
        long words = counts.size(), chars = counts.totalChars();
        double need = countsHeap(words, chars) + mergeHeap(words, chars), max = Runtime.getRuntime().maxMemory();
        if (need <= max) return;
        double guess = need * Math.max(1, Math.min(4, (double) totalBytes / Math.max(1, bytesDone)));   // distinct words grow more slowly than the text
        throw new TokenizerException(String.format(java.util.Locale.ROOT, "after %.0f%% of the corpus, %,d distinct pre-tokens already need about %.1f GB"
                + " of Java heap to count and merge, more than the max heap (%.1f GB): give the JVM more, e.g. JLM_JAVA_OPTS=-Xmx%dg",
                100.0 * bytesDone / Math.max(1, totalBytes), words, need / 1e9, max / 1e9, (int) Math.ceil(guess / 1e9)));
    }

    /**
     * Says so before the merge phase runs out of heap: its estimate, while the counts are still held, against what the
     * JVM may still allocate.
     */
    static void requireHeapForMerges(PreTokenCounts counts) {
        double need = mergeHeap(counts.size(), counts.totalChars());
        System.gc();                                                          // once per run: measure live data, not garbage
        Runtime rt = Runtime.getRuntime();
        double free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free) {
            throw new TokenizerException(String.format(java.util.Locale.ROOT, "the merge phase needs about %.1f GB of Java heap for %,d distinct pre-tokens"
                    + " but at most %.1f GB is left (max heap %.1f GB): give the JVM more, e.g. JLM_JAVA_OPTS=-Xmx%dg",
                    need / 1e9, counts.size(), free / 1e9, rt.maxMemory() / 1e9, (int) Math.ceil((rt.maxMemory() + need) / 1e9)));
        }
    }

    /** Byte b's token id: the special tokens come first, then the 256 bytes in GPT-2's table order. */
    private int[] byteIds() {
        int[] byteId = new int[256];
        int id = specials.size();
        for (int b : ByteUnicode.ORDER) byteId[b] = id++;
        return byteId;
    }

    /** The merge phase on pre-token counts (exposed for tests and benchmarks). */
    public BpeModel merge(Map<String, int[]> counts, Listener listener) {
        return merge(new AtomicReference<>(PreTokenCounts.of(counts)), listener);
    }

    /** Takes the counts out of {@code counts}: they are garbage once the words are built, before the pair index is. */
    private BpeModel merge(AtomicReference<PreTokenCounts> counts, Listener listener) {
        WordTable words = WordTable.of(counts.getAndSet(null), byteIds());
        System.gc();                                    // the counts' space is free again before the pair index takes its own
        Merger m = new Merger(words);
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

    /**
     * The state of the merge phase: vocab; each distinct pre-token (a word) as token ids in one pool, rewritten in place
     * as it shrinks; pair counts kept current by local updates (only pairs next to a merged occurrence change).
     */
    private final class Merger {
        final List<byte[]> vocab = new ArrayList<>(vocabSize);
        final List<int[]> merges = new ArrayList<>();
        final int[] pool, start, length;        // the WordTable: word w is pool[start[w], start[w] + length[w])
        final long[] freq;                      // its count in the corpus
        final PairIndex index = new PairIndex(1 << 15);
        long[] pairCount = new long[1 << 12];   // by PairIndex slot
        int[] touchedAt = new int[1 << 12];     // the merge at which a slot's count last grew
        final PairLists lists = new PairLists(); // by slot: the words that may hold the pair
        final int[] seenAtMerge;      // the merge at which a word was last visited (a list may repeat it)
        final PairHeap heap = new PairHeap();   // (count, slot), may hold stale counts
        int[] touched = new int[256];           // slots whose count grew in this merge
        int nTouched, mergeNumber;

        Merger(WordTable words) {
            for (String s : specials) vocab.add(s.getBytes(StandardCharsets.UTF_8));      // specials, then the 256 bytes
            for (int b : ByteUnicode.ORDER) vocab.add(new byte[] {(byte) b});
            pool = words.pool();
            start = words.start();
            length = words.length();
            freq = words.freq();
            for (int k = 0; k < freq.length; k++) {
                for (int i = start[k], end = start[k] + length[k]; i + 1 < end; i++) {
                    int s = index.slot(pool[i], pool[i + 1]);
                    grow(s);
                    pairCount[s] += freq[k];
                    lists.add(s, k);
                }
            }
            for (int s = 0; s < index.size(); s++) if (pairCount[s] > 0) heap.push(pairCount[s], s);
            seenAtMerge = new int[freq.length];
            Arrays.fill(seenAtMerge, -1);
        }

        private void grow(int s) {
            if (s >= pairCount.length) {
                pairCount = Arrays.copyOf(pairCount, pairCount.length * 2);
                touchedAt = Arrays.copyOf(touchedAt, pairCount.length);
            }
        }

        /** The slot of the most frequent pair, skipping heap entries whose count went stale; -1 when none is left. */
        int mostFrequentPair() {
            while (heap.size > 0) {
                long queued = heap.topCount();
                int slot = heap.pop();
                long current = pairCount[slot];
                if (current == queued) return slot;
                if (current > 0) heap.push(current, slot);                     // requeue with its current count
            }
            return -1;
        }

        /** Adds the pair's concatenation as the next token and records the merge; returns the new id. */
        int addToken(int slot) {
            int a = index.left(slot), b = index.right(slot);
            byte[] ab = Arrays.copyOf(vocab.get(a), vocab.get(a).length + vocab.get(b).length);
            System.arraycopy(vocab.get(b), 0, ab, vocab.get(a).length, vocab.get(b).length);
            vocab.add(ab);
            merges.add(new int[] {a, b});
            return vocab.size() - 1;
        }

        /**
         * Merges the pair (a, b) into c in every word that holds it. Only pairs touching a merged occurrence change:
         * those are uncounted from the old word, and the new word's pairs touching c (all new) counted and indexed.
         * Each grown pair is queued once, with its final count; shrunk pairs stay queued high until popped (stale).
         */
        void rewriteWordsContaining(int slot, int c) {
            int a = index.left(slot), b = index.right(slot);
            mergeNumber = merges.size();
            nTouched = 0;
            lists.forEach(slot, wi -> {
                if (seenAtMerge[wi] == mergeNumber) return;
                seenAtMerge[wi] = mergeNumber;
                rewrite(wi, a, b, c);
            });
            lists.release(slot);
            for (int k = 0; k < nTouched; k++) {
                int s = touched[k];
                if (pairCount[s] > 0) heap.push(pairCount[s], s);
            }
        }

        /**
         * One word: the merge done in place (BpeModel's step), then, around each c of the new word, the old pairs uncounted
         * and the new ones counted. Left of c stood x (its old pair (x, a)) or another c (that pair, (b, a), is the other
         * c's right one); right of c stands y, or another c whose a followed this c's b.
         */
        private void rewrite(int wi, int a, int b, int c) {
            int s0 = start[wi], n = length[wi];
            int w = BpeModel.mergePair(pool, s0, n, a, b, c);
            if (w == n) return;                                                     // a stale list entry
            length[wi] = w;
            long f = freq[wi];
            for (int j = s0; j < s0 + w; j++) {
                if (pool[j] != c) continue;
                count(a, b, -f);
                if (j > s0 && pool[j - 1] != c) {
                    count(pool[j - 1], a, -f);
                    countNew(pool[j - 1], c, f, wi);
                }
                if (j + 1 < s0 + w) {
                    int y = pool[j + 1];
                    count(b, y == c ? a : y, -f);
                    countNew(c, y, f, wi);
                }
            }
        }

        private void count(int x, int y, long delta) {
            pairCount[index.slot(x, y)] += delta;
        }

        private void countNew(int x, int y, long f, int wi) {
            int s = index.slot(x, y);
            grow(s);
            pairCount[s] += f;
            lists.add(s, wi);
            if (touchedAt[s] != mergeNumber) {                                      // merges count from 1
                touchedAt[s] = mergeNumber;
                if (nTouched == touched.length) touched = Arrays.copyOf(touched, nTouched * 2);
                touched[nTouched++] = s;
            }
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
            int c = Arrays.compareUnsigned(vocab.get(index.left(x)), vocab.get(index.left(y)));
            if (c == 0) c = Arrays.compareUnsigned(vocab.get(index.right(x)), vocab.get(index.right(y)));
            return -c;
        }
    }
}
