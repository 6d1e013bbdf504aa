package dev.jlm.nn;

import dev.jlm.tensor.Tensor;

/** Causal multi-head self-attention with RoPE on queries and keys (when the model uses RoPE). */
public final class Attention {
    private final Linear qProj, kProj, vProj, outputProj;
    private final int heads, dHead;
    private final Rope rope;        // null for NoPE
    private final Kernels kernels;

    public Attention(Params p, ModelConfig c, Rope rope, Kernels kernels) {
        long d = c.dModel();
        qProj = new Linear(p.sub("q_proj"), d, d);
        kProj = new Linear(p.sub("k_proj"), d, d);
        vProj = new Linear(p.sub("v_proj"), d, d);
        outputProj = new Linear(p.sub("output_proj"), d, d);
        heads = c.numHeads();
        dHead = c.dHead();
        this.rope = rope;
        this.kernels = kernels;
    }

    /**
     * x: (B, T, D) at the mask window's query positions → (B, T, D). With a KV cache the T new tokens attend to the
     * cached ones and to each other.
     */
    public Tensor forward(Tensor x, CausalMask.Window mask, KvCache.Layer cache) {
        long b = x.size(0), t = x.size(1);
        Tensor q = split(qProj.forward(x), b, t);                        // (B, H, T, Dh)
        Tensor k = split(kProj.forward(x), b, t);
        Tensor v = split(vProj.forward(x), b, t);
        if (rope != null) {
            Tensor cos = rope.cos(mask), sin = rope.sin(mask);          // (T, Dh/2)
            q = kernels.rope(q, cos, sin);
            k = kernels.rope(k, cos, sin);
        }
        if (cache != null) {                                             // k, v: (B, H, S, Dh), the mask's S keys
            Tensor[] kv = cache.append(k, v, mask);
            k = kv[0];
            v = kv[1];
        }
        Tensor y = kernels.attention(q, k, v, mask);                     // (B, H, T, Dh)
        return outputProj.forward(y.transpose(1, 2).reshape(b, t, (long) heads * dHead));
    }

    private Tensor split(Tensor x, long b, long t) {                     // (B, T, D) → (B, H, T, Dh)
        return x.view(b, t, heads, dHead).transpose(1, 2);
    }
}
