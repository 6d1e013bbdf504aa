package dev.jlm.nn;

import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;

/** Stateless building blocks made only of tensor primitives (no fused kernels). */
public final class Functional {
    private Functional() {}

    /** Softmax over {@code dim}, stable against overflow: exp(x − max) / Σ exp(x − max). */
    public static Tensor softmax(Tensor x, long dim) {
        Tensor shifted = x.sub(x.amax(true, dim));
        Tensor e = shifted.exp();
        return e.div(e.sum(true, dim));
    }

    /** SiLU(x) = x · σ(x). */
    public static Tensor silu(Tensor x) {
        return x.mul(x.sigmoid());
    }

    /**
     * softmax(Q Kᵀ / √d_k) V with an optional boolean mask (true = may attend), over any leading dimensions.
     * q: (..., Tq, Dk), k: (..., Tk, Dk), v: (..., Tk, Dv), mask: (..., Tq, Tk) bool or null → (..., Tq, Dv).
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask) {
        return softmax(maskedScores(q, k, mask), -1).matmul(v);             // (..., Tq, Dv)
    }

    /**
     * Q Kᵀ / √d_k with −∞ where {@code mask} is false: (..., Tq, Tk). The one mask convention of jlm, CS336's and
     * PyTorch's: true = the query may attend to that key.
     */
    public static Tensor maskedScores(Tensor q, Tensor k, Tensor mask) {
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(1.0 / Math.sqrt(q.size(-1)));
        if (mask == null) return scores;
        return Torch.where(mask, scores, Torch.full(Double.NEGATIVE_INFINITY, scores.dtype(), scores.device()));
    }
}
