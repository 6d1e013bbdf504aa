package dev.jlm.nn;

import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** y = x Wᵀ without bias; W: (d_out, d_in). Computes in x's dtype (weights are cast when x is lower precision). */
public final class Linear implements Module {
    final Tensor weight;

    /** A new linear map on the CPU, CS336's init (N(0, 2/(d_in + d_out)) truncated at ±3σ); its state dict: {@code weight}. */
    public Linear(long dIn, long dOut) {
        this(new Params(Device.CPU), dIn, dOut);
    }

    /** Declared under {@code p} as {@code weight} (d_out, d_in), on {@code p}'s device. */
    public Linear(Params p, long dIn, long dOut) {
        weight = p.param("weight", Init.linear(dIn, dOut), dOut, dIn);
    }

    /** A linear map with another module's weight (d_out, d_in): tied weights, one tensor. */
    Linear(Tensor shared) {
        weight = shared;
    }

    /** x: (..., d_in) → (..., d_out) */
    public Tensor forward(Tensor x) {
        Tensor w = weight.dtype() == x.dtype() ? weight : weight.to(x.dtype());
        return x.matmul(w.transpose(0, 1));
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("weight", weight);
        return s;
    }
}
