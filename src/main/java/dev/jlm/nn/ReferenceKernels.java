package dev.jlm.nn;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Tensor;

/** The CS336 modules as the handout writes them, from tensor primitives only. */
final class ReferenceKernels implements Kernels {
    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, CausalMask.Window mask) {
        return maskedAttention(q, k, v, mask.allowed());
    }

    @Override
    public Tensor maskedAttention(Tensor q, Tensor k, Tensor v, Tensor allowed) {
        return Functional.scaledDotProductAttention(q, k, v, allowed);
    }

    @Override
    public Tensor rope(Tensor x, Tensor cos, Tensor sin) {
        return Rope.rotate(x, cos, sin);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        DType in = x.dtype();
        Tensor x32 = in == DType.FLOAT32 ? x : x.to(DType.FLOAT32);
        Tensor rms = x32.pow(2).mean(true, -1).add(eps).rsqrt();   // (..., 1)
        Tensor y = x32.mul(rms).mul(weight);
        return in == DType.FLOAT32 ? y : y.to(in);
    }

    @Override
    public Tensor silu(Tensor x) {
        return Functional.silu(x);
    }

    @Override
    public Tensor crossEntropy(Tensor logits, Tensor targets) {
        return Loss.crossEntropy(logits, targets);
    }

    @Override
    public String toString() {
        return "reference";
    }
}
