package dev.jlm.generate;

import dev.jlm.nn.ModelConfig;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;

/**
 * Keys and values of every layer for the tokens seen so far, preallocated to the context length:
 * k, v per layer: (B, H, T_max, Dh). Decoding one token then costs one token's forward work, not the whole
 * context's. Lives in the TensorScope that is current when it is made.
 */
public final class KvCache {
    private final Tensor[] keys, values;
    private final int capacity;
    private int length;

    public KvCache(ModelConfig c, int batch, Device device, DType dtype) {
        keys = new Tensor[c.numLayers()];
        values = new Tensor[c.numLayers()];
        for (int i = 0; i < c.numLayers(); i++) {
            keys[i] = Torch.zeros(dtype, device, batch, c.numHeads(), c.contextLength(), c.dHead());
            values[i] = Torch.zeros(dtype, device, batch, c.numHeads(), c.contextLength(), c.dHead());
        }
        capacity = c.contextLength();
    }

    /** Tokens cached so far (the position of the next token). */
    public int length() {
        return length;
    }

    public void clear() {
        length = 0;
    }

    /** Stores layer's k, v for positions [length, length + T) and returns all cached (B, H, length + T, Dh). */
    public Tensor[] append(int layer, Tensor k, Tensor v) {
        long t = k.size(2);
        if (length + t > capacity) throw new IllegalStateException("KV cache full: " + length + " + " + t + " > " + capacity);
        try (var g = NoGrad.enter()) {
            keys[layer].narrow(2, length, t).copy_(k);
            values[layer].narrow(2, length, t).copy_(v);
        }
        return new Tensor[] {keys[layer].narrow(2, 0, length + t), values[layer].narrow(2, 0, length + t)};
    }

    /** Called once per forward pass, after every layer appended its T new positions. */
    public void advance(int t) {
        length += t;
    }
}
