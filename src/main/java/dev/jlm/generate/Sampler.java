package dev.jlm.generate;

import java.util.SplittableRandom;

/**
 * How the next token is chosen from the model's logits (V floats). Temperature is applied first, then top-p.
 * Sampling draws from a seeded SplittableRandom, so a run can be repeated.
 */
public sealed interface Sampler permits Sampler.Greedy, Sampler.TopP {
    int next(float[] logits, SplittableRandom rng);

    /** From the flags: temperature 0 means greedy; top-p 1 keeps every token. */
    static Sampler of(double temperature, double topP) {
        if (temperature < 0) throw new IllegalArgumentException("--temperature must be >= 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
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
    }

    /**
     * softmax(logits / temperature), then the smallest set of most probable tokens whose probability reaches p
     * (ties broken by lower id, so the set is deterministic), renormalized, then one draw. The set is taken from a
     * binary max-heap of the V ids, so a token costs O(V + k log V) for a nucleus of k tokens — no boxing, no sort
     * of the whole vocabulary.
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
            int[] heap = new int[v];
            for (int i = 0; i < v; i++) heap[i] = i;
            for (int i = v / 2 - 1; i >= 0; i--) siftDown(heap, v, i, prob);
            int size = v, n = 0;
            double kept = 0;
            while (size > 0 && kept < p * sum) {                         // pop the nucleus, most probable first
                int top = heap[0];
                heap[0] = heap[--size];
                siftDown(heap, size, 0, prob);
                heap[size] = top;                                        // popped ids collect at the end, in pop order
                kept += prob[top];
                n++;
            }
            double r = rng.nextDouble() * kept;
            for (int i = 0; i < n; i++) {
                int id = heap[v - 1 - i];
                r -= prob[id];
                if (r < 0) return id;
            }
            return heap[v - n];
        }

        /** Ordering of the heap: higher probability first, then lower id. */
        private static boolean before(int a, int b, double[] prob) {
            return prob[a] != prob[b] ? prob[a] > prob[b] : a < b;
        }

        private static void siftDown(int[] heap, int size, int i, double[] prob) {
            int x = heap[i];
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) break;
                if (c + 1 < size && before(heap[c + 1], heap[c], prob)) c++;
                if (!before(heap[c], x, prob)) break;
                heap[i] = heap[c];
                i = c;
            }
            heap[i] = x;
        }
    }
}
