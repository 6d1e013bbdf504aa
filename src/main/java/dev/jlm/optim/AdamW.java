package dev.jlm.optim;

import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov & Hutter; the algorithm of torch.optim.AdamW), in place on the parameters:
 * <pre>
 *   θ ← θ − lr·λ·θ                       (decoupled weight decay)
 *   m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
 *   θ ← θ − lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) + ε)
 * </pre>
 * Moments live in the scope that is current when the optimizer is made (the run's scope).
 */
public final class AdamW {
    private final Map<String, Tensor> params;
    private final AdamWConfig c;
    private final Map<String, Tensor> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private long step;

    public AdamW(Map<String, Tensor> params, AdamWConfig config) {
        this.params = params;
        this.c = config;
        for (var e : params.entrySet()) {
            Tensor p = e.getValue();
            m.put(e.getKey(), Torch.zeros(p.dtype(), p.device(), p.shape()));
            v.put(e.getKey(), Torch.zeros(p.dtype(), p.device(), p.shape()));
        }
    }

    /** One update with learning rate {@code lr}; parameters without a gradient are skipped. */
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(c.beta1(), step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(c.beta2(), step));
        // m̂/(√v̂ + ε) = m·√bc2/bc1 / (√v + ε·√bc2): the bias corrections move into two scalars, saving a pass over v
        double epsHat = c.eps() * bc2Sqrt, stepSize = -lr * bc2Sqrt / bc1;
        try (var g = NoGrad.enter()) {
            for (var e : params.entrySet()) {
                Tensor p = e.getValue();
                Tensor grad = p.grad();
                if (grad == null) continue;
                Tensor mi = m.get(e.getKey()), vi = v.get(e.getKey());
                p.mul_(1 - lr * c.weightDecay());                       // 1) decoupled weight decay
                mi.lerp_(grad, 1 - c.beta1());                          // 2) m ← β1 m + (1−β1) g, one pass
                vi.mul_(c.beta2()).addcmul_(grad, grad, 1 - c.beta2()); // 3) v ← β2 v + (1−β2) g²
                Tensor denom = vi.sqrt();                               // 4) √v + ε·√bc2, one temporary
                denom.add_(epsHat);
                p.addcdiv_(mi, denom, stepSize);                        // 5) θ ← θ − lr·m̂/(√v̂ + ε)
                denom.close();
            }
        }
    }

    public long stepCount() {
        return step;
    }

    /** Sets the number of steps taken (bias correction), e.g. on a rank that received the moments by broadcast. */
    public void setStepCount(long steps) {
        if (steps < 0) throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        step = steps;
    }

    /**
     * The optimizer's state for a checkpoint: a read-only view of the moments under torch's state-dict names
     * ({@code exp_avg.NAME}, {@code exp_avg_sq.NAME}), and the step.
     */
    public State state() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        m.forEach((k, x) -> t.put("exp_avg." + k, x));
        v.forEach((k, x) -> t.put("exp_avg_sq." + k, x));
        return new State(java.util.Collections.unmodifiableMap(t), step);
    }

    /**
     * Restores a saved state: every moment must be present with its parameter's shape (else an error naming
     * {@code source} and the tensor); values are copied into this optimizer's own tensors.
     */
    public void load(State saved, String source) {
        try (var g = NoGrad.enter()) {
            for (var e : state().tensors().entrySet()) {
                Tensor src = saved.tensors().get(e.getKey());
                if (src == null) throw new dev.jlm.JlmException(source + ": optimizer tensor " + e.getKey() + " is missing");
                if (!java.util.Arrays.equals(src.shape(), e.getValue().shape())) {
                    throw new dev.jlm.JlmException(source + ": optimizer tensor " + e.getKey() + " has shape " + java.util.Arrays.toString(src.shape())
                            + " but the model expects " + java.util.Arrays.toString(e.getValue().shape()));
                }
                e.getValue().copy_(src);
            }
        }
        step = saved.step();
    }

    /** Moments by state-dict name, and the number of steps taken. */
    public record State(Map<String, Tensor> tensors, long step) {}
}
