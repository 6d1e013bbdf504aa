package dev.jlm.optim;

import dev.jlm.tensor.MultiTensor;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Gradient clipping by the global L2 norm over all parameters that have a gradient, as torch.nn.utils.clip_grad_norm_. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients by min(1, max/(norm + 1e-6)) ({@code max} 0: not at all); returns the global norm before, as
     * () float32 on the gradients' device — not read back, so the step goes on without waiting. Null without gradients.
     */
    public static Tensor clip(Collection<Tensor> params, double max) {
        return clipGradients(gradients(params), max);
    }

    /** The gradients of those parameters that have one, in order. */
    public static List<Tensor> gradients(Collection<Tensor> params) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) grads.add(g);
        }
        return grads;
    }

    /** {@link #clip} of gradients already gathered. */
    public static Tensor clipGradients(List<Tensor> grads, double max) {
        if (grads.isEmpty()) return null;
        try (var ng = NoGrad.enter()) {
            return MultiTensor.clipGradNorm_(grads, max);
        }
    }
}
