package dev.jlm.nn;

/**
 * Which kernels a model's forward pass and loss use. REFERENCE: the CS336 modules built from tensor primitives
 * (softmax, SiLU, cross-entropy as the handout writes them). FUSED: libtorch's fused kernels for the same functions —
 * scaled_dot_product_attention where the linked libtorch has it (2.x), else its fused softmax; SiLU; cross-entropy.
 * Both give the same numbers within float tolerance (FusedAgreementTest, ModelReferenceTest).
 */
public enum Kernels {
    REFERENCE, FUSED;

    public static Kernels of(boolean fused) {
        return fused ? FUSED : REFERENCE;
    }
}
