package dev.jlm.generate;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.SplittableRandom;

/**
 * How the next token is chosen from the model's logits (V floats). Temperature is applied first, then top-p.
 * Sampling draws from a seeded SplittableRandom, so a run can be repeated. Each sampler chooses on the host
 * ({@link #next(float[], SplittableRandom)}) or on the logits' device ({@link #choose}); given the same draw both pick
 * the same token, up to the rounding of sums in a different order (SamplerTest).
 */
public sealed interface Sampler permits Sampler.Greedy, Sampler.TopP {
    int next(float[] logits, SplittableRandom rng);

    /** The uniform draw in [0, 1) one token takes from {@code rng} (greedy takes none and returns 0). */
    double draw(SplittableRandom rng);

    /**
     * The next id, () int64 on the device of {@code logits} (V), with {@code u} () float64 on that device holding
     * {@link #draw}'s value. Reads nothing back to the host, so a CUDA graph can hold it.
     */
    Tensor choose(Tensor logits, Tensor u);

    /**
     * The same from logits (V) on the model's device: on a GPU the choice is made there and one id comes back, not V
     * floats; on the CPU the host rule runs on the logits' floats (a copy, and no sort).
     */
    default int next(Tensor logits, SplittableRandom rng) {
        if (!logits.device().isCuda()) return next(logits.toFloatArray(), rng);
        return (int) choose(logits, Torch.full(draw(rng), DType.FLOAT64, logits.device())).item();
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

        @Override
        public double draw(SplittableRandom rng) {
            return 0;
        }

        @Override
        public Tensor choose(Tensor logits, Tensor u) {
            return logits.argmax(0);
        }

        /** argmax where the logits are, on any device: one id comes back, not V floats. */
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

        @Override
        public double draw(SplittableRandom rng) {
            return rng.nextDouble();
        }

        /**
         * The same rule without a host read, in float64: sort by (probability desc, id asc) and find the first entry
         * whose running mass reaches p·sum; the nucleus is then, in id order, every token that does not come after that
         * entry in the sort order; the draw walks the nucleus's running sum in id order.
         */
        @Override
        public Tensor choose(Tensor logits, Tensor u) {
            long v = logits.size(0);
            Tensor z = logits.to(DType.FLOAT64);
            Tensor prob = z.sub(z.amax(true, 0)).mul(1 / temperature).exp();       // (V) unnormalized, as on the host
            Tensor order = prob.argsort(0, true);                                 // (V) prob desc, id asc
            Tensor sorted = prob.gather(0, order);
            Tensor running = sorted.cumsum(0);                                    // mass up to each sorted entry
            Tensor last = running.narrow(0, 0, v - 1).lt(prob.sum().mul(p)).sum().reshape(1);  // (1) the first to reach p·sum
            Tensor lastProb = sorted.gather(0, last), lastId = order.gather(0, last);
            Tensor ids = Torch.arange(0, v, 1, DType.INT64, logits.device());
            Tensor zero = Torch.full(0, DType.FLOAT64, logits.device());
            Tensor tie = Torch.where(ids.le(lastId), Torch.where(prob.eq(lastProb), prob, zero), zero);
            Tensor kept = Torch.where(prob.gt(lastProb), prob, tie);                // (V) the nucleus in id order, else 0
            Tensor walk = kept.cumsum(0);
            Tensor r = walk.select(0, v - 1).mul(u);
            Tensor first = walk.le(r).sum();                                   // the first id whose running sum passes r
            Tensor lastIn = Torch.where(kept.gt(0), ids, Torch.full(-1, DType.INT64, logits.device())).amax(false, 0);
            return Torch.where(first.lt(lastIn), first, lastIn);                  // rounding past the end: the last one
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
