package dev.jlm.generate;

import java.util.Arrays;
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
     * (ties broken by lower id, so the set is deterministic), renormalized, then one draw.
     */
    record TopP(double temperature, double p) implements Sampler {
        @Override
        public int next(float[] logits, SplittableRandom rng) {
            int v = logits.length;
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) max = Math.max(max, l);
            double[] prob = new double[v];
            double sum = 0;
            for (int i = 0; i < v; i++) sum += prob[i] = Math.exp((logits[i] - max) / temperature);
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> prob[a] != prob[b] ? Double.compare(prob[b], prob[a]) : Integer.compare(a, b));
            double kept = 0;
            int n = 0;
            while (n < v && kept < p * sum) kept += prob[order[n++]];
            double r = rng.nextDouble() * kept;
            for (int i = 0; i < n; i++) {
                r -= prob[order[i]];
                if (r < 0) return order[i];
            }
            return order[n - 1];
        }
    }
}
