package dev.jlm.nn;

import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** RMSNorm(x) = x / sqrt(mean(x²) + eps) · g, computed in float32 and cast back to x's dtype (by the model's kernels). */
public final class RmsNorm implements Normalization, Module {
    /** The eps of the model's norms (CS336's default). */
    public static final double EPS = 1e-5;
    final Tensor weight;
    private final double eps;
    private final Kernels kernels;

    /** A new RMSNorm over {@code dModel} on the CPU (gain 1), with the reference kernels; its state dict: {@code weight}. */
    public RmsNorm(long dModel, double eps) {
        this(new Params(Device.CPU), dModel, eps, Kernels.REFERENCE);
    }

    /** With the model's eps, {@link #EPS}. */
    public RmsNorm(Params p, long dModel, Kernels kernels) {
        this(p, dModel, EPS, kernels);
    }

    /** Declared under {@code p} as {@code weight} (dModel), computed by {@code kernels}; {@code eps} > 0. */
    public RmsNorm(Params p, long dModel, double eps, Kernels kernels) {
        if (!(eps > 0)) throw new IllegalArgumentException("RMSNorm eps must be > 0, got " + eps);
        weight = p.param("weight", Init.ones(), dModel);
        this.eps = eps;
        this.kernels = kernels;
    }

    /** x: (..., D) → (..., D) */
    @Override
    public Tensor forward(Tensor x) {
        return kernels.rmsNorm(x, weight, eps);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("weight", weight);
        return s;
    }
}
