package dev.jlm.nn;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.Map;

/** Causal multi-head self-attention with RoPE on queries and keys (when the model uses RoPE). */
public final class Attention implements Module {
    private final Params params;
    private final Linear qProj, kProj, vProj, outputProj;
    private final int heads, dHead;
    private final Rope rope;        // null for NoPE
    private final Kernels kernels;

    /**
     * A new attention of {@code heads} heads over {@code dModel} on the CPU, reference kernels; {@code rope} for the
     * queries and keys (its head dimension dModel/heads), or null for none. Its state dict: {@code q_proj.weight},
     * {@code k_proj.weight}, {@code v_proj.weight}, {@code output_proj.weight}, each (dModel, dModel).
     */
    public Attention(long dModel, int heads, Rope rope) {
        this(new Params(Device.CPU), dModel, heads, rope, Kernels.REFERENCE);
    }

    /** The model's attention: c's d_model and heads. */
    public Attention(Params p, ModelConfig c, Rope rope, Kernels kernels) {
        this(p, c.dModel(), c.numHeads(), rope, kernels);
    }

    /** Declared under {@code p}; {@code heads} must divide {@code d}. */
    public Attention(Params p, long d, int heads, Rope rope, Kernels kernels) {
        if (heads <= 0 || d % heads != 0) throw new IllegalArgumentException("attention: d_model " + d + " is not divisible by num_heads " + heads);
        params = p;
        qProj = new Linear(p.sub("q_proj"), d, d);
        kProj = new Linear(p.sub("k_proj"), d, d);
        vProj = new Linear(p.sub("v_proj"), d, d);
        outputProj = new Linear(p.sub("output_proj"), d, d);
        this.heads = heads;
        dHead = (int) (d / heads);
        this.rope = rope;
        this.kernels = kernels;
    }

    /**
     * x: (B, T, D) at the mask window's query positions → (B, T, D). With a KV cache the T new tokens attend to the
     * cached ones and to each other. The fast path of training and of one sequence's decoding.
     */
    public Tensor forward(Tensor x, CausalMask.Window mask, KvCache.Layer cache) {
        return attend(x, rope == null ? null : new Tensor[] {rope.cos(mask), rope.sin(mask)},   // (T, Dh/2)
                (k, v) -> cache == null ? new Tensor[] {k, v} : cache.append(k, v, mask),        // (B, H, S, Dh), S keys
                (q, kv) -> kernels.attention(q, kv[0], kv[1], mask));
    }

    /**
     * CS336's multihead_self_attention_with_rope, standalone (no cache): x (B, T, D); positions (T) or (B, T) int64 on x's
     * device, each token's position for RoPE (ignored without RoPE); mask bool broadcastable to (B, H, T, T), true where a
     * query may attend to a key, or null for causal (query i sees keys 0..i) → (B, T, D).
     */
    public Tensor forward(Tensor x, Tensor positions, Tensor mask) {
        long t = x.size(1);
        Tensor allowed = mask != null ? mask : Torch.ones(DType.BOOL, x.device(), t, t).tril(0);    // (T, T)
        return attend(x, rope == null ? null : angles(positions), (k, v) -> new Tensor[] {k, v},
                (q, kv) -> kernels.maskedAttention(q, kv[0], kv[1], allowed));
    }

    /**
     * One token per row of a batch of sequences at different positions over a shared KV cache (continuous batching):
     * x (B, 1, D); each row's key and value are written at its own position, and it attends to its row's keys up to it.
     */
    Tensor forward(Tensor x, KvCache.Rows rows, KvCache.Layer cache) {
        return attend(x, rope == null ? null : angles(rows.positions), (k, v) -> cache.append(k, v, rows),
                (q, kv) -> kernels.maskedAttention(q, kv[0], kv[1], rows.allowed));
    }

    /** cos and sin of positions (T) → (T, Dh/2), or (B, T) → (B, 1, T, Dh/2) broadcasting over heads. */
    private Tensor[] angles(Tensor positions) {
        Tensor cos = rope.cos(positions), sin = rope.sin(positions);
        return positions.dim() < 2 ? new Tensor[] {cos, sin} : new Tensor[] {cos.unsqueeze(-3), sin.unsqueeze(-3)};
    }

    /** Projections, RoPE by {@code angles} (null: none), keys and values through {@code keys}, then {@code attention}. */
    private Tensor attend(Tensor x, Tensor[] angles, Keys keysOf, Attend attention) {
        long b = x.size(0), t = x.size(1);
        Tensor q = split(qProj.forward(x), b, t);                        // (B, H, T, Dh)
        Tensor k = split(kProj.forward(x), b, t);
        Tensor v = split(vProj.forward(x), b, t);
        if (angles != null) {
            q = kernels.rope(q, angles[0], angles[1]);
            k = kernels.rope(k, angles[0], angles[1]);
        }
        Tensor y = attention.apply(q, keysOf.apply(k, v));              // (B, H, T, Dh)
        return outputProj.forward(y.transpose(1, 2).reshape(b, t, (long) heads * dHead));
    }

    /** The keys and values attended over, (B, H, S, Dh) each, from this pass's own k, v (B, H, T, Dh). */
    private interface Keys {
        Tensor[] apply(Tensor k, Tensor v);
    }

    /** Attention of q (B, H, T, Dh) over keys and values → (B, H, T, Dh). */
    private interface Attend {
        Tensor apply(Tensor q, Tensor[] kv);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return params.local();
    }

    private Tensor split(Tensor x, long b, long t) {                     // (B, T, D) → (B, H, T, Dh)
        return x.view(b, t, heads, dHead).transpose(1, 2);
    }
}
