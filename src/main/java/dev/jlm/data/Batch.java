package dev.jlm.data;

import dev.jlm.tensor.Tensor;

/** inputs and next-token targets, both (B, T) int64 on the training device. */
public record Batch(Tensor inputs, Tensor targets) {}
