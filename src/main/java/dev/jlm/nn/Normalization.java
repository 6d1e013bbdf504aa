package dev.jlm.nn;

import dev.jlm.tensor.Tensor;

/** A normalization layer over the last dimension: x (..., D) → (..., D). Which one a model uses: {@link ModelConfig#normalization}. */
public interface Normalization {
    Tensor forward(Tensor x);
}
