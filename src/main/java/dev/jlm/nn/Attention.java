package dev.jlm.nn;

import dev.jlm.tensor.Fused;
import dev.jlm.tensor.Profiler;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;

/** Causal multi-head self-attention with RoPE on queries and keys (when the model uses RoPE). */
public final class Attention {
    private final Linear qProj, kProj, vProj, outputProj;
    private final int heads, dHead;
    private final Rope rope;        // null for NoPE
    /** How the weighted sum is computed: from primitives, with libtorch's fused softmax, or its fused SDPA. */
    private enum Path { PRIMITIVES, FUSED_SOFTMAX, SDPA }

    private final Path path;

    public Attention(Params p, ModelConfig c, Rope rope, Kernels kernels) {
        long d = c.dModel();
        qProj = new Linear(p.sub("q_proj"), d, d);
        kProj = new Linear(p.sub("k_proj"), d, d);
        vProj = new Linear(p.sub("v_proj"), d, d);
        outputProj = new Linear(p.sub("output_proj"), d, d);
        heads = c.numHeads();
        dHead = c.dHead();
        this.rope = rope;
        path = kernels == Kernels.REFERENCE ? Path.PRIMITIVES : Fused.hasSdpa() ? Path.SDPA : Path.FUSED_SOFTMAX;
    }

    /**
     * x: (B, T, D) at positions start..start+T−1; mask: (T, start + T) bool, true where a query may attend (not the
     * future) → (B, T, D). With a KV cache the T new tokens attend to the cached ones and to each other.
     */
    public Tensor forward(Tensor x, long start, Tensor mask, KvCache.Layer cache) {
        try (var r = Profiler.range("attention")) {
            return compute(x, start, mask, cache);
        }
    }

    private Tensor compute(Tensor x, long start, Tensor mask, KvCache.Layer cache) {
        long b = x.size(0), t = x.size(1);
        Tensor q = split(qProj.forward(x), b, t);                  // (B, H, T, Dh)
        Tensor k = split(kProj.forward(x), b, t);
        Tensor v = split(vProj.forward(x), b, t);
        if (rope != null) {
            q = path == Path.PRIMITIVES ? rope.forward(q, start) : rope.forwardFused(q, start);
            k = path == Path.PRIMITIVES ? rope.forward(k, start) : rope.forwardFused(k, start);
        }
        if (cache != null) {                                             // k, v: (B, H, cached + T, Dh)
            Tensor[] kv = cache.append(k, v);
            k = kv[0];
            v = kv[1];
        }
        Tensor y;                                                        // (B, H, T, Dh)
        if (path == Path.SDPA && cache == null) y = Fused.sdpa(q, k, v, null, true);
        else if (path != Path.PRIMITIVES && cache == null) {                                   // mask → additive bias (T, T)
            Tensor bias = Torch.where(mask, Torch.full(0, q.dtype(), q.device()), Torch.full(Double.NEGATIVE_INFINITY, q.dtype(), q.device()));
            y = Fused.attention(q, k, v, bias, 1.0 / Math.sqrt(dHead));
        }
        else if (path != Path.PRIMITIVES) y = Fused.softmax(Functional.maskedScores(q, k, mask), -1).matmul(v);
        else y = Functional.softmax(Functional.maskedScores(q, k, mask), -1).matmul(v);
        return outputProj.forward(y.transpose(1, 2).reshape(b, t, (long) heads * dHead));
    }

    private Tensor split(Tensor x, long b, long t) {                     // (B, T, D) → (B, H, T, Dh)
        return x.view(b, t, heads, dHead).transpose(1, 2);
    }
}
