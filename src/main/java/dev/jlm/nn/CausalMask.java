package dev.jlm.nn;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.EnumMap;
import java.util.Map;

/**
 * A model's causal mask, built once: allowed (C, C) bool, true on and below the diagonal (a query sees the keys up to
 * its own position), C the context length; and, made on first use for each dtype, the same as an additive bias (0
 * where allowed, −∞ where not). Both live in the scope the mask was made in (the model's). A forward pass takes one
 * {@link Window} of it, shared by every layer.
 */
public final class CausalMask {
    private final Tensor allowed;                                  // (C, C) bool
    private final Map<DType, Tensor> bias = new EnumMap<>(DType.class);
    private final TensorScope scope;

    CausalMask(int context, Device device) {
        scope = TensorScope.current();
        allowed = Torch.ones(DType.BOOL, device, context, context).tril(0);
    }

    /** Queries at positions start..start+T−1 over keys 0..start+T−1; incremental when the earlier keys come from a KV cache. */
    Window window(long start, long t, boolean incremental) {
        return new Window(start, t, incremental);
    }

    private synchronized Tensor bias(DType dtype) {
        return bias.computeIfAbsent(dtype, d -> Torch.where(allowed, Torch.full(0, d, allowed.device()),
                Torch.full(Double.NEGATIVE_INFINITY, d, allowed.device())).moveTo(scope));
    }

    /** The rows start..start+T−1 and columns 0..start+T−1 of the mask: what one forward pass attends over. */
    public final class Window {
        private final long start, t;
        private final boolean incremental;
        private final Tensor allowed;                              // (T, S) bool, S = start + T
        private Tensor bias;

        private Window(long start, long t, boolean incremental) {
            this.start = start;
            this.t = t;
            this.incremental = incremental;
            this.allowed = CausalMask.this.allowed.narrow(0, start, t).narrow(1, 0, start + t);
        }

        /** (T, S) bool: true where a query may attend. */
        public Tensor allowed() {
            return allowed;
        }

        /** (T, S) additive: 0 where a query may attend, −∞ where not, in {@code dtype}. */
        public Tensor bias(DType dtype) {
            if (bias == null || bias.dtype() != dtype) bias = CausalMask.this.bias(dtype).narrow(0, start, t).narrow(1, 0, start + t);
            return bias;
        }

        public boolean incremental() {
            return incremental;
        }
    }
}
