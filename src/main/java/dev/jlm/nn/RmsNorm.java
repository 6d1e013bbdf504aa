package dev.jlm.nn;

import dev.jlm.tensor.Tensor;

/** RMSNorm(x) = x / sqrt(mean(x²) + eps) · g, computed in float32 and cast back to x's dtype (by the model's kernels). */
public final class RmsNorm implements Normalization {
    public static final double EPS = 1e-5;
    final Tensor weight;
    private final Kernels kernels;

    public RmsNorm(Params p, long dModel, Kernels kernels) {
        weight = p.param("weight", Init.ones(), dModel);
        this.kernels = kernels;
    }

    /** x: (..., D) → (..., D) */
    @Override
    public Tensor forward(Tensor x) {
        return kernels.rmsNorm(x, weight, EPS);
    }
}
