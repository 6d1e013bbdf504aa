package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Oracle: the textbook BPE trainer — recount every adjacent pair of every word before each merge, take the most
 * frequent, ties to the lexicographically greater pair (as bytes, left token first) — against the incremental
 * trainer, on a generated corpus of many distinct words, merge for merge.
 */
class NaiveBpeTest {
    /** Pre-token → count, Zipf-like over random words of random bytes-ish letters (many distinct pre-tokens). */
    static Map<String, int[]> corpus(long seed, int distinct) {
        return corpus(seed, distinct, "abcdeéfghij klmnoüp", 9);
    }

    static Map<String, int[]> corpus(long seed, int distinct, String alphabet, int maxLength) {
        Random r = new Random(seed);
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (int i = 0; i < distinct; i++) {
            StringBuilder w = new StringBuilder(r.nextBoolean() ? " " : "");
            int len = 1 + r.nextInt(maxLength);
            for (int k = 0; k < len; k++) w.append(alphabet.charAt(r.nextInt(alphabet.length())));
            counts.merge(w.toString(), new int[] {1 + (int) (1000.0 / (1 + i) * r.nextDouble() * 3)}, (a, b) -> new int[] {a[0] + b[0]});
        }
        return counts;
    }

    static List<byte[]> naiveMerges(Map<String, int[]> counts, int merges) {
        List<int[]> words = new ArrayList<>();
        List<Integer> freq = new ArrayList<>();
        List<byte[]> vocab = new ArrayList<>();
        for (int b = 0; b < 256; b++) vocab.add(new byte[] {(byte) b});
        for (var e : counts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
            words.add(ids);
            freq.add(e.getValue()[0]);
        }
        List<byte[]> made = new ArrayList<>();
        for (int m = 0; m < merges; m++) {
            Map<Long, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] t = words.get(w);
                for (int i = 0; i + 1 < t.length; i++) pairs.merge(((long) t[i] << 32) | t[i + 1], (long) freq.get(w), Long::sum);
            }
            long best = -1, bestCount = -1;
            for (var e : pairs.entrySet()) {
                long k = e.getKey();
                int cmp = bestCount < 0 ? 1 : Long.compare(e.getValue(), bestCount);
                if (cmp == 0) {
                    cmp = Arrays.compareUnsigned(vocab.get((int) (k >>> 32)), vocab.get((int) (best >>> 32)));
                    if (cmp == 0) cmp = Arrays.compareUnsigned(vocab.get((int) k), vocab.get((int) best));
                }
                if (cmp > 0) {
                    best = k;
                    bestCount = e.getValue();
                }
            }
            if (best < 0) break;
            int a = (int) (best >>> 32), b = (int) best, c = vocab.size();
            byte[] ab = Arrays.copyOf(vocab.get(a), vocab.get(a).length + vocab.get(b).length);
            System.arraycopy(vocab.get(b), 0, ab, vocab.get(a).length, vocab.get(b).length);
            vocab.add(ab);
            made.add(ab);
            for (int w = 0; w < words.size(); w++) {
                int[] t = words.get(w);
                int[] out = new int[t.length];
                int n = 0;
                for (int i = 0; i < t.length; i++) {
                    if (i + 1 < t.length && t[i] == a && t[i + 1] == b) {
                        out[n++] = c;
                        i++;
                    } else {
                        out[n++] = t[i];
                    }
                }
                words.set(w, Arrays.copyOf(out, n));
            }
        }
        return made;
    }

    @Test
    void incrementalTrainerEqualsRecountEveryMerge() {
        Map<String, int[]> counts = corpus(7, 3000);
        int merges = 400;
        BpeModel m = new BpeTrainer(256 + merges, List.of(), 1).merge(counts, (p, d, t) -> {});
        List<byte[]> naive = naiveMerges(counts, merges);
        assertEquals(naive.size(), m.merges().length);
        for (int i = 0; i < naive.size(); i++) assertArrayEquals(naive.get(i), m.vocab()[256 + i], "merge " + (i + 1));
    }

    /** Runs of one or two letters ("aaaa", "abab"): merges that overlap or sit side by side in a word. */
    @Test
    void incrementalTrainerEqualsRecountOnRepetitiveWords() {
        Map<String, int[]> counts = corpus(11, 2000, "aab", 24);
        int merges = 300;
        BpeModel m = new BpeTrainer(256 + merges, List.of(), 1).merge(counts, (p, d, t) -> {});
        List<byte[]> naive = naiveMerges(counts, merges);
        assertEquals(naive.size(), m.merges().length);
        for (int i = 0; i < naive.size(); i++) assertArrayEquals(naive.get(i), m.vocab()[256 + i], "merge " + (i + 1));
    }
}
