package dev.jlm.nn;

import dev.jlm.tensor.Tensor;
import java.util.Map;

/**
 * A module with named parameters, as PyTorch's {@code nn.Module} exposes them: {@link #stateDict} by the CS336 names
 * relative to the module ({@code weight}, {@code w1.weight}, {@code layers.0.attn.q_proj.weight}, …) and
 * {@link #loadStateDict} to copy values in. Every module of {@code dev.jlm.nn} is one; a module without parameters
 * ({@link Rope}) has an empty state dict.
 */
public interface Module {
    /**
     * The parameters by name, in declaration order: the live tensors (float32, requiring grad), not copies, so an
     * optimizer or {@link Tensor#setGrad} given them acts on the module. The map is new on each call.
     */
    Map<String, Tensor> stateDict();

    /**
     * Copies {@code state}'s tensors into this module's parameters (converted to each parameter's dtype and device).
     * A tensor whose shape differs from its parameter's is refused, naming it. {@code strict}: a parameter missing from
     * {@code state}, or a name in {@code state} that is no parameter, is refused too, naming it (as model files are);
     * otherwise those are skipped. Nothing is copied when anything is refused.
     */
    default void loadStateDict(Map<String, Tensor> state, boolean strict) {
        StateDict.load(stateDict(), state, strict, "state dict");
    }
}
