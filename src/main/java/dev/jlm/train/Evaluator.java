package dev.jlm.train;

import dev.jlm.data.Batch;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.Loss;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.TensorScope;

/**
 * Deterministic evaluation: the mean cross-entropy over the N windows starting at k·T (k = 0..N−1; inputs tokens
 * kT..kT+T−1, targets shifted by one), T the model's context length. Any implementation can reproduce it.
 */
public final class Evaluator {
    public record Result(double loss, double perplexity, long tokens, int windows) {}

    private Evaluator() {}

    public static Result evaluate(TransformerLm model, TokenFile data, int windows, int batchSize) {
        int t = model.config().contextLength();
        long available = (data.length() - 1) / t;
        if (available < 1) {
            throw new dev.jlm.JlmException(data.path() + ": " + data.length() + " tokens is shorter than context length + 1 = " + (t + 1));
        }
        int n = (int) Math.min(windows, available);
        double sum = 0;
        try (var g = NoGrad.enter()) {
            for (int k = 0; k < n; k += batchSize) {
                int b = Math.min(batchSize, n - k);
                long[] starts = new long[b];
                for (int i = 0; i < b; i++) starts[i] = (long) (k + i) * t;
                try (var s = TensorScope.open()) {
                    var batch = Batch.windows(data, t, model.params().device(), starts);
                    sum += Loss.crossEntropy(model.forward(batch.inputs()), batch.targets()).item() * b;
                }
            }
        }
        double loss = sum / n;
        return new Result(loss, Math.exp(loss), (long) n * t, n);
    }

    /**
     * The unigram baseline on the same windows' targets: −log p(token) with p estimated from {@code train}
     * (add-one smoothed over the vocab). A model that learned nothing about context scores about this.
     */
    public static double unigramLoss(TokenFile train, TokenFile data, int windows, int contextLength, int vocabSize) {
        long[] counts = new long[vocabSize];
        for (long i = 0; i < train.length(); i++) counts[train.get(i)]++;
        double total = train.length() + vocabSize;
        long available = (data.length() - 1) / contextLength;
        int n = (int) Math.min(windows, available);
        double sum = 0;
        for (long k = 0; k < n; k++) {
            for (int j = 1; j <= contextLength; j++) sum -= Math.log((counts[data.get(k * contextLength + j)] + 1) / total);
        }
        return sum / ((long) n * contextLength);
    }
}
