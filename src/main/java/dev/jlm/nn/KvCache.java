package dev.jlm.nn;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;

/**
 * The model's decoding state (llama3.java's State): keys and values of every layer for the tokens seen so far,
 * preallocated to the context length — k, v per layer: (B, H, T_max, Dh). Decoding one token then costs one token's
 * forward work, not the whole context's. Each layer appends through its own {@link Layer} view, which advances
 * itself; a fixed-shape step (a CUDA graph's) writes at the device position {@link #seek} set. Positions past the
 * length may hold stale values: every read masks them. Lives in the TensorScope that is current when it is made.
 */
public final class KvCache {
    private final Layer[] layers;
    private final Tensor position;            // (1) int64 on the device: where a fixed-shape step writes ({@link #seek})

    public KvCache(ModelConfig c, int batch, Device device, DType dtype) {
        position = Torch.zeros(DType.INT64, device, 1);
        layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Layer(Torch.zeros(dtype, device, batch, c.numHeads(), c.contextLength(), c.dHead()),
                    Torch.zeros(dtype, device, batch, c.numHeads(), c.contextLength(), c.dHead()));
        }
    }

    /** Tokens cached so far (the position of the next token). */
    public int length() {
        return layers[0].length;
    }

    public void clear() {
        for (Layer l : layers) l.length = 0;
    }

    /**
     * The next fixed-shape step ({@link TransformerLm#forwardAt}) writes at {@code pos} and reads positions 0..pos: its
     * device position is set here (a fill, no host read), and the length is pos + 1, what it is once that step ran.
     */
    public void seek(int pos) {
        if (pos < 0 || pos >= layers[0].keys.size(2)) throw new IllegalArgumentException("position " + pos + " outside 0.." + (layers[0].keys.size(2) - 1));
        position.fill_(pos);
        for (Layer l : layers) l.length = pos + 1;
    }

    /** (1) int64 on the device: the position the last {@link #seek} set. */
    Tensor position() {
        return position;
    }

    Layer layer(int i) {
        return layers[i];
    }

    /**
     * One layer's keys and values; {@link #append} stores the positions of a forward pass's window: the next T
     * (moving past them), or the one at the cache's device position (whose length {@link #seek} set).
     */
    public static final class Layer {
        private final Tensor keys, values;   // (B, H, T_max, Dh)
        private int length;

        private Layer(Tensor keys, Tensor values) {
            this.keys = keys;
            this.values = values;
        }

        /**
         * k, v: (B, H, T, Dh) for positions [length, length + T) → all cached (B, H, length + T, Dh); length += T.
         * At a device position (T = 1): written there → all C positions (B, H, C, Dh), the mask hiding later ones.
         */
        Tensor[] append(Tensor k, Tensor v, CausalMask.Window at) {
            if (at.position() != null) {
                try (var g = NoGrad.enter()) {
                    keys.indexCopy_(2, at.position(), k);
                    values.indexCopy_(2, at.position(), v);
                }
                return new Tensor[] {keys, values};
            }
            long t = k.size(2);
            if (length + t > keys.size(2)) throw new IllegalStateException("KV cache full: " + length + " + " + t + " > " + keys.size(2));
            try (var g = NoGrad.enter()) {
                keys.narrow(2, length, t).copy_(k);
                values.narrow(2, length, t).copy_(v);
            }
            length += (int) t;
            return new Tensor[] {keys.narrow(2, 0, length), values.narrow(2, 0, length)};
        }
    }
}
