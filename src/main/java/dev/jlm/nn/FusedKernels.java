package dev.jlm.nn;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Fused;
import dev.jlm.tensor.Tensor;

/**
 * libtorch's fused kernels for the same functions: attention by scaled_dot_product_attention where the linked
 * libtorch has it (2.x), else in one downcall with the causal bias folded into baddbmm; RoPE as one complex multiply
 * (float32/float64; other dtypes take the real formula); RMSNorm (at::rms_norm on 2.4+); SiLU; cross-entropy.
 */
final class FusedKernels implements Kernels {
    private volatile Boolean sdpa;                 // asked of libtorch once, on first use

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, CausalMask.Window mask) {
        if (mask.incremental()) return maskedAttention(q, k, v, mask.allowed());              // keys from a cache
        if (hasSdpa()) return Fused.sdpa(q, k, v, null, true);
        return Fused.attention(q, k, v, mask.bias(q.dtype()), 1.0 / Math.sqrt(q.size(-1)));
    }

    @Override
    public Tensor maskedAttention(Tensor q, Tensor k, Tensor v, Tensor allowed) {
        return Fused.softmax(Functional.maskedScores(q, k, allowed), -1).matmul(v);
    }

    private boolean hasSdpa() {
        Boolean s = sdpa;
        if (s == null) sdpa = s = Fused.hasSdpa();
        return s;
    }

    @Override
    public Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        return x.dtype() == DType.FLOAT32 || x.dtype() == DType.FLOAT64 ? Fused.rope(x, cos, sin) : Rope.rotate(x, cos, sin);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        return Fused.rmsNorm(x, weight, eps);
    }

    @Override
    public Tensor silu(Tensor x) {
        return Fused.silu(x);
    }

    @Override
    public Tensor crossEntropy(Tensor logits, Tensor targets) {
        return Fused.crossEntropy(logits, targets);
    }

    @Override
    public String toString() {
        return "fused";
    }
}
