package dev.jlm.optim;

import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Gradient clipping by the global L2 norm over all parameters that have a gradient (eps 1e-6, as PyTorch). */
public final class GradClip {
    static final double EPS = 1e-6;

    private GradClip() {}

    /** Scales all gradients by max/(norm+eps) when the global norm exceeds {@code max}; returns the norm before. */
    public static double clip(Collection<Tensor> params, double max) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null) grads.add(g);
        }
        if (grads.isEmpty()) return 0;
        try (var ng = NoGrad.enter()) {
            Tensor[] norms = new Tensor[grads.size()];           // one pass over each gradient, no squared copy
            for (int i = 0; i < norms.length; i++) norms[i] = grads.get(i).norm(2, false);
            double norm = Torch.stack(0, norms).norm(2, false).item();
            if (max > 0 && norm > max) {
                double scale = max / (norm + EPS);
                for (Tensor g : grads) g.mul_(scale);
            }
            return norm;
        }
    }
}
