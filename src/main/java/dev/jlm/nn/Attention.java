package dev.jlm.nn;

import dev.jlm.tensor.Fused;
import dev.jlm.tensor.Tensor;

/** Causal multi-head self-attention with RoPE on queries and keys (when the model uses RoPE). */
public final class Attention {
    private final Linear qProj, kProj, vProj, outputProj;
    private final int heads, dHead;
    private final Rope rope;        // null for NoPE
    private final boolean fused;   // libtorch's sdpa where the linked libtorch has it, else its fused softmax
    private final boolean fusedSoftmax;

    public Attention(Params p, ModelConfig c, Rope rope, boolean fused) {
        long d = c.dModel();
        qProj = new Linear(p.sub("q_proj"), d, d);
        kProj = new Linear(p.sub("k_proj"), d, d);
        vProj = new Linear(p.sub("v_proj"), d, d);
        outputProj = new Linear(p.sub("output_proj"), d, d);
        heads = c.numHeads();
        dHead = c.dHead();
        this.rope = rope;
        this.fused = fused && Fused.hasSdpa();
        this.fusedSoftmax = fused && !this.fused;
    }

    /** x: (B, T, D), positions: (T) int64, causal: (T, T) bool (true = may attend) → (B, T, D). */
    public Tensor forward(Tensor x, Tensor positions, Tensor causal) {
        return forward(x, positions, causal, null, -1);
    }

    /**
     * With a KV cache: the T new tokens attend to the cached ones and to each other causally;
     * causal is then (T, cached + T).
     */
    public Tensor forward(Tensor x, Tensor positions, Tensor causal, dev.jlm.generate.KvCache cache, int layer) {
        long b = x.size(0), t = x.size(1);
        Tensor q = split(qProj.forward(x), b, t);                  // (B, H, T, Dh)
        Tensor k = split(kProj.forward(x), b, t);
        Tensor v = split(vProj.forward(x), b, t);
        if (rope != null) {
            q = rope.forward(q, positions);
            k = rope.forward(k, positions);
        }
        if (cache != null) {                                             // k, v: (B, H, cached + T, Dh)
            Tensor[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        Tensor y;                                                        // (B, H, T, Dh)
        if (fused && cache == null) y = Fused.sdpa(q, k, v, null, true);
        else if (fusedSoftmax) y = Fused.softmax(Functional.maskedScores(q, k, causal), -1).matmul(v);
        else y = Functional.scaledDotProductAttention(q, k, v, causal);
        return outputProj.forward(y.transpose(1, 2).reshape(b, t, (long) heads * dHead));
    }

    private Tensor split(Tensor x, long b, long t) {                     // (B, T, D) → (B, H, T, Dh)
        return x.view(b, t, heads, dHead).transpose(1, 2);
    }
}
