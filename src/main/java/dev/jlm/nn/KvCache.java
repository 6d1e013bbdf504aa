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

    /** The bytes a cache of {@code batch} rows holds: keys and values, (batch, heads, context, d_head) per layer. */
    public static double bytes(ModelConfig c, int batch, DType dtype) {
        return 2.0 * c.numLayers() * batch * c.contextLength() * (double) (c.numHeads() * c.dHead()) * dtype.byteSize();
    }

    public KvCache(ModelConfig c, int batch, Device device, DType dtype) {
        position = Torch.zeros(DType.INT64, device, 1);
        layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Layer(Torch.zeros(dtype, device, batch, c.numHeads(), c.contextLength(), c.dHead()),
                    Torch.zeros(dtype, device, batch, c.numHeads(), c.contextLength(), c.dHead()));
        }
    }

    private KvCache(Layer[] layers, Tensor position) {
        this.layers = layers;
        this.position = position;
    }

    /** Rows of the cache (its batch dimension B). */
    public int rows() {
        return (int) layers[0].keys.size(0);
    }

    /**
     * Row {@code r} alone, as a cache of one row sharing this one's storage, empty (length 0): a prefill through
     * {@link TransformerLm#forward(Tensor, KvCache)} fills that row of this cache exactly as it would a cache of its own.
     */
    public KvCache row(int r) {
        if (r < 0 || r >= rows()) throw new IllegalArgumentException("row " + r + " outside 0.." + (rows() - 1));
        Layer[] views = new Layer[layers.length];
        for (int i = 0; i < views.length; i++) views[i] = new Layer(layers[i].keys.narrow(0, r, 1), layers[i].values.narrow(0, r, 1));
        return new KvCache(views, Torch.zeros(DType.INT64, position.device(), 1));
    }

    /**
     * One decoding step of several rows, each at its own position ({@link TransformerLm#forwardRows}): row {@code rows[i]}
     * holds positions 0..positions[i]−1 and takes its next token at positions[i]. Every position must be inside the context.
     */
    public Rows at(int[] rows, int[] positions) {
        return new Rows(rows, positions);
    }

    /** Tokens cached so far (the position of the next token). */
    public int length() {
        return layers[0].length;
    }

    public void clear() {
        for (Layer l : layers) l.length = 0;
    }

    /**
     * Keeps positions 0..length−1 as they are and appends after them: what a row view ({@link #row}) holds once batched
     * steps ({@link TransformerLm#forwardRows}, which count nothing) wrote that row up to there.
     */
    public void truncate(int length) {
        if (length < 0 || length > layers[0].keys.size(2)) throw new IllegalArgumentException("length " + length + " outside 0.." + layers[0].keys.size(2));
        for (Layer l : layers) l.length = length;
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
     * The tensors of one batched step ({@link #at}): B = rows.length queries, one per row, over S = max(positions) + 1 keys.
     * <ul>
     *   <li>positions (B, 1) int64: each query's position (RoPE's angles);
     *   <li>allowed (B, 1, 1, S) bool: key j is seen by query i where j ≤ positions[i] (a row's stale or unused slots are hidden);
     *   <li>write (B·H) int64: where each (row, head)'s new key goes in a layer's keys viewed as (rows·H·C, Dh);
     *   <li>select (B) int64, or null when the rows are 0..B−1 in order (then a narrow, no gather).
     * </ul>
     */
    public final class Rows {
        final Tensor positions, allowed, write, select;
        final long keys;                       // S

        private Rows(int[] rows, int[] pos) {
            if (rows.length == 0 || rows.length != pos.length) throw new IllegalArgumentException(rows.length + " rows and " + pos.length + " positions");
            Tensor k = layers[0].keys;                                   // (rows, H, C, Dh)
            long heads = k.size(1), context = k.size(2);
            int b = rows.length, s = 0;
            long[] p = new long[b], w = new long[(int) (b * heads)], sel = new long[b];
            boolean prefix = true;
            for (int i = 0; i < b; i++) {
                if (rows[i] < 0 || rows[i] >= k.size(0)) throw new IllegalArgumentException("row " + rows[i] + " outside 0.." + (k.size(0) - 1));
                if (pos[i] < 0 || pos[i] >= context) throw new IllegalArgumentException("position " + pos[i] + " outside 0.." + (context - 1));
                p[i] = pos[i];
                sel[i] = rows[i];
                prefix &= rows[i] == i;
                s = Math.max(s, pos[i] + 1);
                for (int h = 0; h < heads; h++) w[(int) (i * heads + h)] = (rows[i] * heads + h) * context + pos[i];
            }
            boolean[] ok = new boolean[b * s];
            for (int i = 0; i < b; i++) for (int j = 0; j <= pos[i]; j++) ok[i * s + j] = true;
            Device d = k.device();
            keys = s;
            positions = on(d, Torch.fromArray(p, b, 1));
            allowed = on(d, Torch.fromArray(ok, b, 1, 1, s));
            write = on(d, Torch.fromArray(w, w.length));
            select = prefix ? null : on(d, Torch.fromArray(sel, b));
        }

        private static Tensor on(Device d, Tensor host) {
            return d.isCuda() ? host.to(d) : host;
        }
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

        /** k, v: (B, H, 1, Dh), one token per row of {@code at}, written at each row's position → its rows' keys (B, H, S, Dh). */
        Tensor[] append(Tensor k, Tensor v, Rows at) {
            long b = k.size(0), h = k.size(1), dh = k.size(3);
            try (var g = NoGrad.enter()) {
                keys.view(-1, dh).indexCopy_(0, at.write, k.reshape(b * h, dh));
                values.view(-1, dh).indexCopy_(0, at.write, v.reshape(b * h, dh));
            }
            Tensor ks = at.select == null ? keys.narrow(0, 0, b) : keys.indexSelect(0, at.select);
            Tensor vs = at.select == null ? values.narrow(0, 0, b) : values.indexSelect(0, at.select);
            return new Tensor[] {ks.narrow(2, 0, at.keys), vs.narrow(2, 0, at.keys)};
        }
    }
}
