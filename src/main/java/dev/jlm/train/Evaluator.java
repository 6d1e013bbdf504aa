package dev.jlm.train;

import dev.jlm.JlmException;
import dev.jlm.data.Batch;
import dev.jlm.dist.World;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Deterministic evaluation: the mean cross-entropy over windows of a token file — window k holds inputs
 * kT..kT+T−1 and targets shifted by one, T the model's context length. Which windows: the first N (what training
 * logs), every one of the file, or N drawn without replacement across the whole file from a seed. Any
 * implementation can reproduce it.
 */
public final class Evaluator {
    public record Result(double loss, double perplexity, long tokens, long windows) {}

    private Evaluator() {}

    /** Non-overlapping windows of {@code t} tokens (plus the next one as target) that the file holds. */
    public static long available(TokenFile data, int t) {
        long n = (data.length() - 1) / t;
        if (n < 1) throw new JlmException(data.source() + ": " + data.length() + " tokens is shorter than context length + 1 = " + (t + 1));
        return n;
    }

    /** The first min(n, available) windows: 0, 1, 2, … */
    public static long[] first(long n, long available) {
        long[] k = new long[(int) Math.min(n, available)];
        for (int i = 0; i < k.length; i++) k[i] = i;
        return k;
    }

    /** min(n, available) distinct windows drawn uniformly across the file (Floyd's algorithm), in file order. */
    public static long[] sample(long n, long available, long seed) {
        if (n >= available) return first(available, available);
        SplittableRandom rng = new SplittableRandom(seed);
        java.util.HashSet<Long> chosen = new java.util.HashSet<>();
        for (long j = available - n; j < available; j++) {
            long r = rng.nextLong(j + 1);
            chosen.add(chosen.contains(r) ? j : r);
        }
        long[] k = chosen.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(k);
        return k;
    }

    public static Result evaluate(TransformerLm model, TokenFile data, int windows, int batchSize) {
        return evaluate(model, data, first(windows, available(data, model.config().contextLength())), batchSize, done -> {});
    }

    /**
     * The mean loss over the windows, split across the ranks of {@code world}: each evaluates a contiguous share and
     * the loss sums are all-reduced, so every rank gets the number one process would (up to float rounding).
     */
    public static Result evaluate(TransformerLm model, TokenFile data, long[] windows, int batchSize, World world) {
        int n = windows.length, r = world.rank(), size = world.size();
        long[] mine = Arrays.copyOfRange(windows, (int) ((long) n * r / size), (int) ((long) n * (r + 1) / size));
        double local = mine.length == 0 ? 0 : sumOfLosses(model, data, mine, batchSize, done -> {});
        double loss = world.sum(new double[] {local})[0] / n;
        int t = model.config().contextLength();
        return new Result(loss, Math.exp(loss), (long) n * t, n);
    }

    /** The mean loss over the given windows (indices k: tokens from kT), {@code progress} told the windows done. */
    public static Result evaluate(TransformerLm model, TokenFile data, long[] windows, int batchSize, LongConsumer progress) {
        double loss = sumOfLosses(model, data, windows, batchSize, progress) / windows.length;
        int t = model.config().contextLength();
        return new Result(loss, Math.exp(loss), (long) windows.length * t, windows.length);
    }

    /** Σ over the windows of each window's mean token loss: summed on the device (float64), read once at the end. */
    private static double sumOfLosses(TransformerLm model, TokenFile data, long[] windows, int batchSize, LongConsumer progress) {
        int t = model.config().contextLength();
        try (var g = NoGrad.enter(); var scope = TensorScope.open()) {
            Tensor sum = Torch.zeros(DType.FLOAT64, model.params().device());              // ()
            for (int k = 0; k < windows.length; k += batchSize) {
                int b = Math.min(batchSize, windows.length - k);
                long[] starts = new long[b];
                for (int i = 0; i < b; i++) starts[i] = windows[k + i] * t;
                try (var s = TensorScope.open()) {
                    var batch = Batch.windows(data, t, model.params().device(), starts);
                    sum.add_(model.loss(batch).to(DType.FLOAT64), b);
                }
                progress.accept(k + b);
            }
            return sum.item();
        }
    }

    /**
     * The unigram baseline on the same windows' targets: −log p(token) with p estimated from {@code train}
     * (add-one smoothed over the vocab). A model that learned nothing about context scores about this. An empty
     * {@code train} estimates nothing (add-one alone is the uniform ln V): refused.
     */
    public static double unigramLoss(TokenFile train, TokenFile data, long[] windows, int contextLength, int vocabSize) {
        if (train.length() == 0) {
            throw new JlmException(train.source() + " holds no tokens: a unigram baseline is estimated from the training tokens");
        }
        long[] counts = new long[vocabSize];
        for (long i = 0; i < train.length(); i++) counts[train.get(i)]++;
        double total = train.length() + vocabSize;
        double sum = 0;
        for (long k : windows) {
            for (int j = 1; j <= contextLength; j++) sum -= Math.log((counts[data.get(k * contextLength + j)] + 1) / total);
        }
        return sum / ((long) windows.length * contextLength);
    }
}
