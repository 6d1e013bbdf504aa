package dev.jlm.generate;

import dev.jlm.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * How the next token is chosen from the model's logits (V floats). Temperature is applied first, then top-p.
 * Sampling draws from a seeded SplittableRandom, so a run can be repeated.
 */
public sealed interface Sampler permits Sampler.Greedy, Sampler.TopP {
    int next(float[] logits, SplittableRandom rng);

    /** The same from logits (V) on the model's device: copied to the host, unless the choice can be made there. */
    default int next(Tensor logits, SplittableRandom rng) {
        return next(logits.toFloatArray(), rng);
    }

    /** From the flags: temperature 0 means greedy; top-p 1 keeps every token. */
    static Sampler of(double temperature, double topP) {
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        return temperature == 0 ? new Greedy() : new TopP(temperature, topP);
    }

    /** argmax; the lowest id wins a tie. */
    record Greedy() implements Sampler {
        @Override
        public int next(float[] logits, SplittableRandom rng) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
            return best;
        }

        /** On the device: one id comes back, not V floats. */
        @Override
        public int next(Tensor logits, SplittableRandom rng) {
            return (int) logits.argmax(0).item();
        }
    }

    /**
     * softmax(logits / temperature), then the nucleus: the smallest set of the most probable tokens (ties broken by
     * lower id, so the set is deterministic) whose probability reaches p; one draw from it, renormalized, walking
     * the nucleus in id order. The nucleus is found by a quickselect on probability mass — expected O(V), no sort,
     * no boxing — since with a flat distribution it is most of the vocabulary.
     */
    record TopP(double temperature, double p) implements Sampler {
        @Override
        public int next(float[] logits, SplittableRandom rng) {
            int v = logits.length;
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) max = Math.max(max, l);
            double[] prob = new double[v];                              // unnormalized: exp((l - max) / temperature)
            double sum = 0;
            for (int i = 0; i < v; i++) sum += prob[i] = Math.exp((logits[i] - max) / temperature);
            int[] ids = new int[v];
            for (int i = 0; i < v; i++) ids[i] = i;
            int n = nucleus(ids, prob, p * sum);                        // ids[0, n): the nucleus, in no order
            boolean[] in = new boolean[v];
            double kept = 0;
            for (int i = 0; i < n; i++) {
                in[ids[i]] = true;
                kept += prob[ids[i]];
            }
            double r = rng.nextDouble() * kept;
            int last = -1;
            for (int id = 0; id < v; id++) {
                if (!in[id]) continue;
                last = id;
                r -= prob[id];
                if (r < 0) return id;
            }
            return last;
        }

        /**
         * Reorders {@code ids} so that its first n entries are the n first tokens in the order (probability desc,
         * id asc), with n the smallest count whose mass reaches {@code target}; returns n (at least 1).
         */
        static int nucleus(int[] ids, double[] prob, double target) {
            int lo = 0, hi = ids.length;                               // undecided: ids[lo, hi); ids[0, lo) are in
            double taken = 0;                                          // mass of ids[0, lo)
            while (hi - lo > 1) {
                int mid = lo + (hi - lo) / 2;
                int pivot = median(ids[lo], ids[mid], ids[hi - 1], prob);
                int split = lo;                                        // ids[lo, split) come before the pivot
                double front = 0;
                for (int i = lo; i < hi; i++) {
                    if (before(ids[i], pivot, prob)) {
                        int t = ids[i];
                        ids[i] = ids[split];
                        ids[split++] = t;
                        front += prob[t];
                    }
                }
                if (taken + front >= target && split > lo) {           // the nucleus ends among the front
                    hi = split;
                    continue;
                }
                for (int i = split; i < hi; i++) {                     // bring the pivot to ids[split]
                    if (ids[i] == pivot) {
                        ids[i] = ids[split];
                        ids[split] = pivot;
                        break;
                    }
                }
                taken += front + prob[pivot];
                if (taken >= target) return split + 1;
                lo = split + 1;
            }
            return Math.max(1, hi);
        }

        /** Ordering: higher probability first, then lower id. */
        private static boolean before(int a, int b, double[] prob) {
            return prob[a] != prob[b] ? prob[a] > prob[b] : a < b;
        }

        private static int median(int a, int b, int c, double[] prob) {
            if (before(a, b, prob)) return before(b, c, prob) ? b : before(a, c, prob) ? c : a;
            return before(a, c, prob) ? a : before(b, c, prob) ? c : b;
        }
    }
}
