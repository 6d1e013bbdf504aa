package dev.jlm.nn;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Tensor;

/** RMSNorm(x) = x / sqrt(mean(x²) + eps) · g, computed in float32 and cast back to x's dtype. */
public final class RmsNorm implements Normalization {
    static final double EPS = 1e-5;
    final Tensor weight;

    public RmsNorm(Params p, long dModel) {
        weight = p.param("weight", Init.ones(), dModel);
    }

    /** x: (..., D) → (..., D) */
    @Override
    public Tensor forward(Tensor x) {
        DType in = x.dtype();
        Tensor x32 = in == DType.FLOAT32 ? x : x.to(DType.FLOAT32);
        Tensor rms = x32.pow(2).mean(true, -1).add(EPS).rsqrt();   // (..., 1)
        Tensor y = x32.mul(rms).mul(weight);
        return in == DType.FLOAT32 ? y : y.to(in);
    }
}
