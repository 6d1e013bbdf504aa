package dev.jlm.nn;

import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import java.util.Map;

/** SwiGLU: w2(silu(w1 x) ⊙ w3 x), or the SiLU ablation w2(silu(w1 x)). w1, w3: (F, D); w2: (D, F). */
public final class FeedForward implements Module {
    private final Params params;
    private final Linear w1, w2, w3;
    private final Kernels kernels;

    /** A new SwiGLU of width {@code dFf} on the CPU, reference kernels; its state dict: {@code w1.weight}, {@code w2.weight}, {@code w3.weight}. */
    public FeedForward(long dModel, long dFf) {
        this(new Params(Device.CPU), dModel, dFf, true, Kernels.REFERENCE);
    }

    /** The model's feed-forward network: c's d_model, d_ff and FFN type. */
    public FeedForward(Params p, ModelConfig c, Kernels kernels) {
        this(p, c.dModel(), c.dFf(), c.ffn() == ModelConfig.Ffn.SWIGLU, kernels);
    }

    /** Declared under {@code p}: SwiGLU when {@code swiglu}, else the SiLU network (no w3). */
    public FeedForward(Params p, long dModel, long dFf, boolean swiglu, Kernels kernels) {
        params = p;
        w1 = new Linear(p.sub("w1"), dModel, dFf);
        w2 = new Linear(p.sub("w2"), dFf, dModel);
        w3 = swiglu ? new Linear(p.sub("w3"), dModel, dFf) : null;
        this.kernels = kernels;
    }

    /** x: (..., D) → (..., D) */
    public Tensor forward(Tensor x) {
        Tensor h = kernels.silu(w1.forward(x));                     // (..., F)
        if (w3 != null) h = h.mul(w3.forward(x));
        return w2.forward(h);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return params.local();
    }
}
