package dev.jlm.optim;

import dev.jlm.JlmException;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.MultiTensor;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (Loshchilov & Hutter; the algorithm of torch.optim.AdamW), in place on the parameters:
 * <pre>
 *   θ ← θ − lr·λ·θ                       (decoupled weight decay)
 *   m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
 *   θ ← θ − lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) + ε)
 * </pre>
 * One step updates every parameter in one downcall ({@link MultiTensor#adamw_}: libtorch's fused AdamW where it has one,
 * the formula term for term otherwise). The learning rate, the step count and the skip flag are tensors on the
 * parameters' device, so a step waits for nothing on the host. Moments and the step count live in the scope that is
 * current when the optimizer is made (the run's scope).
 */
public final class AdamW {
    private final Map<String, Tensor> params;
    private final AdamWConfig c;
    private final Map<String, Tensor> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    private final Tensor updates;       // () float32: the updates taken (a skipped step does not count), AdamW's t

    /**
     * Over any list of tensors (each requiring grad), named by their index {@code "0"}, {@code "1"}, … as torch's
     * optimizer state dict numbers them; gradients may come from backward or from {@link Tensor#setGrad}.
     */
    public AdamW(List<Tensor> params, AdamWConfig config) {
        this(indexed(params), config);
    }

    /** Over named parameters (a module's {@code stateDict()}, or {@code Params.named()}), in their order. */
    public AdamW(Map<String, Tensor> params, AdamWConfig config) {
        if (params.isEmpty()) throw new IllegalArgumentException("AdamW: no parameters to optimize");
        this.params = params;
        this.c = config;
        Tensor any = params.values().iterator().next();
        for (var e : params.entrySet()) {
            Tensor p = e.getValue();
            m.put(e.getKey(), Torch.zeros(p.dtype(), p.device(), p.shape()));
            v.put(e.getKey(), Torch.zeros(p.dtype(), p.device(), p.shape()));
        }
        updates = Torch.zeros(DType.FLOAT32, any.device());
    }

    private static Map<String, Tensor> indexed(List<Tensor> params) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) named.put(Integer.toString(i), params.get(i));
        return named;
    }

    /** One update with learning rate {@code lr}, a host value (a convenience: the tensor form waits for nothing). */
    public void step(double lr) {
        step(Torch.full(lr, DType.FLOAT32, updates.device()), null);
    }

    /**
     * One update: {@code lr} () float32 on the parameters' device; {@code skip} () float32, nonzero leaves everything as it
     * is (a non-finite loss), or null. Parameters without a gradient are left out.
     */
    public void step(Tensor lr, Tensor skip) {
        List<Tensor> p = new ArrayList<>(), g = new ArrayList<>(), mi = new ArrayList<>(), vi = new ArrayList<>();
        for (var e : params.entrySet()) {
            Tensor grad = e.getValue().grad();
            if (grad == null) continue;
            p.add(e.getValue());
            g.add(grad);
            mi.add(m.get(e.getKey()));
            vi.add(v.get(e.getKey()));
        }
        if (p.isEmpty()) return;
        try (var ng = NoGrad.enter()) {
            MultiTensor.adamw_(p, g, mi, vi, updates, lr, c.beta1(), c.beta2(), c.eps(), c.weightDecay(), skip);
        }
    }

    /** Updates taken (the bias correction's t), as the checkpoint records it: read from the device. */
    public long stepCount() {
        return (long) updates.item();
    }

    /** Sets the number of steps taken (bias correction), e.g. on a rank that received the moments by broadcast. */
    public void setStepCount(long steps) {
        if (steps < 0) throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        try (var ng = NoGrad.enter()) {
            updates.fill_(steps);
        }
    }

    /**
     * The optimizer's state for a checkpoint: a read-only view of the moments under torch's state-dict names
     * ({@code exp_avg.NAME}, {@code exp_avg_sq.NAME}), and the step.
     */
    public State state() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        m.forEach((k, x) -> t.put("exp_avg." + k, x));
        v.forEach((k, x) -> t.put("exp_avg_sq." + k, x));
        return new State(Collections.unmodifiableMap(t), stepCount());
    }

    /**
     * Restores a saved state: every moment must be present with its parameter's shape (else an error naming
     * {@code source} and the tensor); values are copied into this optimizer's own tensors.
     */
    public void load(State saved, String source) {
        try (var g = NoGrad.enter()) {
            for (var e : state().tensors().entrySet()) {
                Tensor src = saved.tensors().get(e.getKey());
                if (src == null) throw new JlmException(source + ": optimizer tensor " + e.getKey() + " is missing");
                if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                    throw new JlmException(source + ": optimizer tensor " + e.getKey() + " has shape " + Arrays.toString(src.shape())
                            + " but the model expects " + Arrays.toString(e.getValue().shape()));
                }
                e.getValue().copy_(src);
            }
        }
        setStepCount(saved.step());
    }

    /** Moments by state-dict name, and the number of steps taken. */
    public record State(Map<String, Tensor> tensors, long step) {}
}
