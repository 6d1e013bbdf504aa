package dev.jlm.nn;

import dev.jlm.tensor.Fused;
import dev.jlm.tensor.Profiler;
import dev.jlm.tensor.Tensor;

/** SwiGLU: w2(silu(w1 x) ⊙ w3 x), or the SiLU ablation w2(silu(w1 x)). w1, w3: (F, D); w2: (D, F). */
public final class FeedForward {
    private final Linear w1, w2, w3;
    private final Kernels kernels;

    public FeedForward(Params p, ModelConfig c, Kernels kernels) {
        w1 = new Linear(p.sub("w1"), c.dModel(), c.dFf());
        w2 = new Linear(p.sub("w2"), c.dFf(), c.dModel());
        w3 = c.ffn() == ModelConfig.Ffn.SWIGLU ? new Linear(p.sub("w3"), c.dModel(), c.dFf()) : null;
        this.kernels = kernels;
    }

    /** x: (B, T, D) → (B, T, D) */
    public Tensor forward(Tensor x) {
        try (var r = Profiler.range("ffn")) {
            return compute(x);
        }
    }

    private Tensor compute(Tensor x) {
        Tensor h = w1.forward(x);                                   // (B, T, F)
        h = kernels == Kernels.FUSED ? Fused.silu(h) : Functional.silu(h);
        if (w3 != null) h = h.mul(w3.forward(x));
        return w2.forward(h);
    }
}
