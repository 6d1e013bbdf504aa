package dev.jlm.nn;

import dev.jlm.tensor.Tensor;
import java.util.function.Consumer;

/** Parameter initializations of the CS336 handout. */
public final class Init {
    private Init() {}

    /** Linear weights (d_out, d_in): N(0, 2/(d_in + d_out)) truncated at ±3σ. */
    public static Consumer<Tensor> linear(long dIn, long dOut) {
        double std = Math.sqrt(2.0 / (dIn + dOut));
        return t -> t.truncNormal_(0, std, -3 * std, 3 * std);
    }

    /** Embeddings: N(0, 1) truncated at ±3. */
    public static Consumer<Tensor> embedding() {
        return t -> t.truncNormal_(0, 1, -3, 3);
    }

    /**
     * The token-embedding matrix (V, D) when it is also the output head (tie_embeddings): initialized as that output layer,
     * the CS336 handout's Linear init for lm_head (d_in = D, d_out = V): N(0, 2/(D + V)) truncated at ±3σ. With the
     * embedding's N(0, 1) the logits h·Eᵀ (h the final RMSNorm's output, |h|² = D) would have std √D, and a position's
     * largest logit is its own input token's (h ≈ its embedding, normalized): the first loss is tens of nats, not ln V
     * (issue #29.3: 50 at d_model 512). At this std the logits' variance is 2D/(D + V) < 2, so the first loss is about
     * ln V + D/(D + V), as the untied model's; a pre-norm block normalizes its input, so the small embedding is no obstacle.
     * (GPT-2 / nanoGPT's {@code _init_weights} tie wte and lm_head at N(0, 0.02) for the same reason; this keeps the
     * handout's own scheme instead, so a tied model's head starts exactly as an untied model's.) Untied models keep
     * {@link #embedding()}.
     */
    public static Consumer<Tensor> tiedEmbedding(long vocab, long dModel) {
        return linear(dModel, vocab);
    }

    public static Consumer<Tensor> ones() {
        return t -> t.fill_(1);
    }
}
