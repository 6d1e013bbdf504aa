package dev.jlm.nn;

import dev.jlm.tensor.Tensor;

/** Cross-entropy from logits via log-sum-exp: mean over all positions of logsumexp(o) − o[target]. */
public final class Loss {
    private Loss() {}

    /** logits: (..., V) float, targets: (...) int64 → () mean loss. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        Tensor lse = logits.logsumexp(false, -1);                                 // (...)
        Tensor picked = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1);     // (...)
        return lse.sub(picked).mean();
    }
}
