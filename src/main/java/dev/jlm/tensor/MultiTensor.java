package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The optimizer step's kernels over a whole list of tensors, one downcall each: libtorch's multi-tensor kernels where
 * the linked libtorch has them (_fused_adamw_, _foreach_*), and no device value read back on the host where it has them.
 */
public final class MultiTensor {
    private MultiTensor() {}

    /** The handles in the thread's scratch buffer: one list per downcall (a second call overwrites it). */
    private static MemorySegment handles(List<Tensor> ts) {
        if (ts.isEmpty()) throw new IllegalArgumentException("expected a non-empty list of tensors");
        MemorySegment[] hs = new MemorySegment[ts.size()];
        for (int i = 0; i < hs.length; i++) hs[i] = ts.get(i).handle();
        return Scratch.handles(hs, hs.length);
    }

    /** The handles in memory of {@code arena}, for a downcall that takes several lists. */
    private static MemorySegment handles(List<Tensor> ts, Arena arena) {
        MemorySegment s = arena.allocate(ValueLayout.ADDRESS, ts.size());
        for (int i = 0; i < ts.size(); i++) s.setAtIndex(ValueLayout.ADDRESS, i, ts.get(i).handle());
        return s;
    }

    /** () float32 on the tensors' device: 1 where any of them holds a NaN or an infinity, else 0. */
    public static Tensor nonfinite(List<Tensor> ts) {
        return Tensor.adopt(jlm_nonfinite(handles(ts), ts.size()), "nonfinite");
    }

    /**
     * Scales {@code grads} by min(1, max/(norm + 1e-6)), norm their global L2 norm ({@code max} ≤ 0: no scaling), as
     * torch.nn.utils.clip_grad_norm_; returns that norm, before scaling, as () float32 on their device.
     */
    public static Tensor clipGradNorm_(List<Tensor> grads, double max) {
        return Tensor.adopt(jlm_clip_grad_norm_(handles(grads), grads.size(), max), "clip_grad_norm_");
    }

    /** Zeroes every tensor in place. */
    public static void zero_(List<Tensor> ts) {
        Native.check(jlm_zero_many_(handles(ts), ts.size()), "zero_");
    }

    /**
     * One AdamW step of {@code params} (their grads, moments m and v), in place; {@code step} () float32 counts the
     * updates taken and is advanced here; {@code lr} () float32; {@code foundInf} () float32, nonzero skips the update
     * (nothing changes), or null.
     */
    public static void adamw_(List<Tensor> params, List<Tensor> grads, List<Tensor> m, List<Tensor> v, Tensor step, Tensor lr, double beta1,
                              double beta2, double eps, double weightDecay, Tensor foundInf) {
        int n = params.size();
        if (grads.size() != n || m.size() != n || v.size() != n) throw new IllegalArgumentException("adamw_: lists of different lengths");
        try (Arena arena = Arena.ofConfined()) {
            Native.check(jlm_adamw_(handles(params, arena), handles(grads, arena), handles(m, arena), handles(v, arena), n, step.handle(), lr.handle(),
                    beta1, beta2, eps, weightDecay, foundInf == null ? MemorySegment.NULL : foundInf.handle()), "adamw_");
        }
    }
}
