package dev.jlm.nn;

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
        Tensor h = kernels.silu(w1.forward(x));                     // (B, T, F)
        if (w3 != null) h = h.mul(w3.forward(x));
        return w2.forward(h);
    }
}
