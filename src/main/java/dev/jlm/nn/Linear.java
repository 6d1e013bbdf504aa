package dev.jlm.nn;

import dev.jlm.tensor.Tensor;

/** y = x Wᵀ without bias; W: (d_out, d_in). Computes in x's dtype (weights are cast when x is lower precision). */
public final class Linear {
    final Tensor weight;

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
}
