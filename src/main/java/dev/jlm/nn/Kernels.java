package dev.jlm.nn;

import dev.jlm.tensor.Tensor;

/**
 * How the model computes the functions that exist both as a CS336 reference module (built from tensor primitives, as
 * the handout writes them) and as a libtorch fused kernel. The modules call this strategy; none of them branches on
 * it. Both give the same numbers within float tolerance (FusedAgreementTest, ModelReferenceTest).
 */
public interface Kernels {
    /**
     * softmax(q kᵀ/√Dh, causally masked) v: q (B, H, T, Dh) at positions start..start+T−1, k and v (B, H, S, Dh) for
     * keys 0..S−1 (S = start + T) → (B, H, T, Dh).
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, CausalMask.Window mask);

    /**
     * softmax(q kᵀ/√Dh, −∞ where {@code allowed} is false) v with any mask: q (B, H, T, Dh), k and v (B, H, S, Dh), allowed
     * bool broadcastable to (B, H, T, S) (true = the query may attend to that key) → (B, H, T, Dh). Rows at different
     * positions (a batch of sequences of different lengths over one KV cache) each bring their own mask rows.
     */
    Tensor maskedAttention(Tensor q, Tensor k, Tensor v, Tensor allowed);

    /** Rotary embedding of interleaved pairs: x (..., T, Dh) rotated by angles with cos, sin (T, Dh/2) → (..., T, Dh). */
    Tensor rope(Tensor x, Tensor cos, Tensor sin);

    /** RMSNorm(x) = x / sqrt(mean(x²) + eps) · weight over the last dimension, in float32, returned in x's dtype: x (..., D), weight (D). */
    Tensor rmsNorm(Tensor x, Tensor weight, double eps);

    /** SiLU(x) = x·σ(x), elementwise. */
    Tensor silu(Tensor x);

    /** Mean cross-entropy: logits (..., V), targets (...) int64 → (). */
    Tensor crossEntropy(Tensor logits, Tensor targets);

    Kernels REFERENCE = new ReferenceKernels();
    Kernels FUSED = new FusedKernels();

    /**
     * The choice a run makes: a setting of TrainConfig and a flag. AUTO is the fused strategy, which itself takes the
     * fastest kernel this libtorch has for each function (SDPA on 2.x, else the fused softmax …).
     */
    enum Choice {
        AUTO, FUSED, REFERENCE;

        public Kernels kernels() {
            return this == REFERENCE ? Kernels.REFERENCE : Kernels.FUSED;
        }
    }
}
