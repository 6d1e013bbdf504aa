package dev.jlm.nn;

import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rotary position embedding with interleaved pairs: dims 2i and 2i+1 of position p rotate together by
 * angle p · θ^(−2i/d). cos/sin are computed once (in double, stored float32) for {@code maxSeqLen} positions
 * and sliced by the token positions of each call. Holds no parameters.
 */
public final class Rope implements Module {
    private final int dK;
    private final Tensor cos; // (maxSeqLen, dK/2)
    private final Tensor sin; // (maxSeqLen, dK/2)

    /** On the CPU: CS336's {@code RotaryPositionalEmbedding(theta, d_k, max_seq_len)}. */
    public Rope(double theta, int dK, int maxSeqLen) {
        this(theta, dK, maxSeqLen, Device.CPU);
    }

    /** The tables join the current scope (the model's long-lived one). */
    public Rope(double theta, int dK, int maxSeqLen, Device device) {
        if (dK % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head dimension, got " + dK);
        this.dK = dK;
        int half = dK / 2;
        float[] c = new float[maxSeqLen * half];
        float[] s = new float[maxSeqLen * half];
        for (int p = 0; p < maxSeqLen; p++) {
            for (int i = 0; i < half; i++) {
                double angle = p * Math.pow(theta, -2.0 * i / dK);
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
            }
        }
        Tensor cpuCos = Torch.fromArray(c, maxSeqLen, half);
        Tensor cpuSin = Torch.fromArray(s, maxSeqLen, half);
        this.cos = device.isCuda() ? cpuCos.to(device) : cpuCos;
        this.sin = device.isCuda() ? cpuSin.to(device) : cpuSin;
    }

    /** No parameters: an empty map (the tables are buffers, recomputed from θ, as CS336's are not persistent). */
    @Override
    public Map<String, Tensor> stateDict() {
        return new LinkedHashMap<>();
    }

    /** cos of the angles of positions start..start+T−1: (T, dK/2), a slice of the table. */
    public Tensor cos(long start, long t) {
        return cos.narrow(0, start, t);
    }

    /** sin of the angles of positions start..start+T−1: (T, dK/2). */
    public Tensor sin(long start, long t) {
        return sin.narrow(0, start, t);
    }

    /** cos of the angles of a forward pass's query positions: (T, dK/2). */
    public Tensor cos(CausalMask.Window w) {
        return w.rows(cos);
    }

    /** sin of the angles of a forward pass's query positions: (T, dK/2). */
    public Tensor sin(CausalMask.Window w) {
        return w.rows(sin);
    }

    /** cos of the angles of any positions: positions (...) int64 on the tables' device → (..., dK/2), gathered. */
    public Tensor cos(Tensor positions) {
        return at(cos, positions);
    }

    /** sin of the angles of any positions: positions (...) int64 → (..., dK/2), gathered. */
    public Tensor sin(Tensor positions) {
        return at(sin, positions);
    }

    private Tensor at(Tensor table, Tensor positions) {
        long[] posShape = positions.shape();
        long[] tableShape = new long[posShape.length + 1];
        System.arraycopy(posShape, 0, tableShape, 0, posShape.length);
        tableShape[posShape.length] = dK / 2;
        return table.indexSelect(0, positions.reshape(-1)).reshape(tableShape);
    }

    /** x: (..., T, dK), positions: (..., T) int64 → (..., T, dK), by the real formula. */
    public Tensor forward(Tensor x, Tensor positions) {
        return rotate(x, cos(positions), sin(positions));
    }

    /** The real formula: x (..., T, dK), c and s broadcastable to (..., T, dK/2); computes in x's dtype. */
    static Tensor rotate(Tensor x, Tensor c, Tensor s) {
        if (x.dtype() != c.dtype()) {                                       // lower-precision compute: rotate in x's dtype
            c = c.to(x.dtype());
            s = s.to(x.dtype());
        }
        long dK = x.size(-1);
        Tensor even = x.slice(-1, 0, dK, 2);                                // (..., T, dK/2)
        Tensor odd = x.slice(-1, 1, dK, 2);
        Tensor rotEven = even.mul(c).sub(odd.mul(s));
        Tensor rotOdd = even.mul(s).add(odd.mul(c));
        return Torch.stack(-1, rotEven, rotOdd).reshape(x.shape());         // interleave back
    }
}
