package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

import java.lang.foreign.MemorySegment;

/**
 * libtorch's fused kernels: the optional fast path only. The reference modules in {@code dev.jlm.nn} are built
 * from {@link Tensor} primitives and never call these; tests compare the two.
 */
public final class Fused {
    private Fused() {}

    public static Tensor softmax(Tensor x, long dim) {
        return Tensor.adopt(jlm_fused_softmax(x.handle(), dim), "fused softmax");
    }

    /** logits (..., V), targets (...) int64 → mean cross-entropy, shape (). */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return Tensor.adopt(jlm_fused_cross_entropy(logits.handle(), targets.handle()), "fused cross_entropy");
    }

    /** RMSNorm over the last dimension, in float32, returned in x's dtype: x (..., D), weight (D) float32 → (..., D). */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return Tensor.adopt(jlm_fused_rms_norm(x.handle(), weight.handle(), eps), "fused rms_norm");
    }

    public static Tensor silu(Tensor x) {
        return Tensor.adopt(jlm_fused_silu(x.handle()), "fused silu");
    }

    /** True when the linked libtorch has scaled_dot_product_attention (2.0 and later). */
    public static boolean hasSdpa() {
        return Torch.hasFusedAttention();
    }

    /**
     * softmax(q kᵀ·scale + bias) v as one downcall (baddbmm, softmax, bmm): q (..., Tq, D), k (..., Tk, D),
     * v (..., Tk, Dv), bias (Tq, Tk) additive — 0 where a query may attend, −∞ where not — or null.
     */
    public static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        return Tensor.adopt(jlm_fused_attention(q.handle(), k.handle(), v.handle(), bias == null ? java.lang.foreign.MemorySegment.NULL : bias.handle(),
                scale), "fused attention");
    }

    /** torch's scaled_dot_product_attention; {@code mask} bool (true = attend) or null. */
    public static Tensor sdpa(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
        MemorySegment m = mask == null ? MemorySegment.NULL : mask.handle();
        return Tensor.adopt(jlm_fused_sdpa(q.handle(), k.handle(), v.handle(), m, causal ? 1 : 0), "fused sdpa");
    }

    /**
     * Rotary embedding of interleaved pairs as one complex multiply: x (..., T, D) float32 or float64, D even; cos,
     * sin (T, D/2), the angle of pair i at each position. The same rotation as {@code Rope}'s real formula, in a third
     * of the passes.
     */
    public static Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        return Tensor.adopt(jlm_fused_rope(x.handle(), cos.handle(), sin.handle()), "fused rope");
    }
}
