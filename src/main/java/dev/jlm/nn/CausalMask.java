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
        return new Window(start, t, incremental, null);
    }

    /**
     * One query per row at {@code position} ((1) int64 on the mask's device) over all C keys, those after it masked:
     * the shapes do not depend on the position, so a CUDA graph can replay it at any position. Incremental.
     */
    Window windowAt(Tensor position) {
        return new Window(-1, 1, true, position);
    }

    private synchronized Tensor bias(DType dtype) {
        return bias.computeIfAbsent(dtype, d -> Torch.where(allowed, Torch.full(0, d, allowed.device()),
                Torch.full(Double.NEGATIVE_INFINITY, d, allowed.device())).moveTo(scope));
    }

    /**
     * The rows of the mask one forward pass attends over, with the positions of its queries: rows start..start+T−1
     * and columns 0..start+T−1 (a host range), or the row at a device position and all C columns.
     */
    public final class Window {
        private final long start, t;
        private final boolean incremental;
        private final Tensor position;                             // (1) int64 on the device, or null: the host range
        private final Tensor allowed;                              // (T, S) bool, S = start + T (or C at a position)
        private Tensor bias;

        private Window(long start, long t, boolean incremental, Tensor position) {
            this.start = start;
            this.t = t;
            this.incremental = incremental;
            this.position = position;
            this.allowed = maskRows(CausalMask.this.allowed);
        }

        /** (T, S) bool: true where a query may attend. */
        public Tensor allowed() {
            return allowed;
        }

        /** (T, S) additive: 0 where a query may attend, −∞ where not, in {@code dtype}. */
        public Tensor bias(DType dtype) {
            if (bias == null || bias.dtype() != dtype) bias = maskRows(CausalMask.this.bias(dtype));
            return bias;
        }

        public boolean incremental() {
            return incremental;
        }

        /** The query positions' rows of a table indexed by position: (C, ...) → (T, ...). */
        Tensor rows(Tensor table) {
            return position != null ? table.indexSelect(0, position) : table.narrow(0, start, t);
        }

        /** Of a (C, C) mask: the query rows, over keys 0..start+T−1 (a host range) or all C keys (a device position). */
        private Tensor maskRows(Tensor mask) {
            return position != null ? rows(mask) : rows(mask).narrow(1, 0, start + t);
        }

        /** The device position of its one query, or null when the positions are the host range. */
        Tensor position() {
            return position;
        }
    }
}
