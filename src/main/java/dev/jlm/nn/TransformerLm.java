package dev.jlm.nn;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Profiler;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.ArrayList;
import java.util.List;

/**
 * The Transformer LM: token embedding → blocks → final RMSNorm → lm_head. Parameters carry the CS336 names.
 * Construct inside the run's long-lived TensorScope: parameters, RoPE tables and the causal mask live there.
 */
public final class TransformerLm {
    private final ModelConfig config;
    private final Params params;
    private final Embedding tokenEmbeddings;
    private final List<Block> layers = new ArrayList<>();
    private final RmsNorm lnFinal;   // null when norm = NONE
    private final Linear lmHead;
    private final Tensor causal;     // (context, context) bool, true on and below the diagonal: the keys a query may see
    private final DType computeDType;
    private final Kernels kernels;

    /** A freshly initialized model (from the current torch seed) with the reference kernels. */
    public TransformerLm(ModelConfig c, Device device, DType computeDType) {
        this(c, device, computeDType, Kernels.REFERENCE);
    }

    /** A freshly initialized model (from the current torch seed) computing with {@code kernels}. */
    public TransformerLm(ModelConfig c, Device device, DType computeDType, Kernels kernels) {
        this.config = c;
        this.kernels = kernels;
        this.computeDType = computeDType;
        params = new Params(device);
        tokenEmbeddings = new Embedding(params.sub("token_embeddings"), c.vocabSize(), c.dModel());
        Rope rope = c.position() == ModelConfig.Position.ROPE ? new Rope(c.ropeTheta(), c.dHead(), c.contextLength(), device) : null;
        for (int i = 0; i < c.numLayers(); i++) layers.add(new Block(params.sub("layers").sub(i), c, rope, kernels));
        lnFinal = c.norm() == ModelConfig.Norm.NONE ? null : new RmsNorm(params.sub("ln_final"), c.dModel());
        lmHead = new Linear(params.sub("lm_head"), c.dModel(), c.vocabSize());
        causal = Torch.ones(DType.BOOL, device, c.contextLength(), c.contextLength()).tril(0);
    }

    /**
     * The parameters this config builds, by CS336 name, with their shapes, in construction order — computed
     * without allocating, so a checkpoint's header can be checked against a config before any tensor exists.
     */
    public static java.util.LinkedHashMap<String, long[]> parameterShapes(ModelConfig c) {
        long v = c.vocabSize(), d = c.dModel(), f = c.dFf();
        var out = new java.util.LinkedHashMap<String, long[]>();
        out.put("token_embeddings.weight", new long[] {v, d});
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "layers." + i + ".";
            if (c.norm() != ModelConfig.Norm.NONE) out.put(p + "ln1.weight", new long[] {d});
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "output_proj"}) out.put(p + "attn." + proj + ".weight", new long[] {d, d});
            if (c.norm() != ModelConfig.Norm.NONE) out.put(p + "ln2.weight", new long[] {d});
            out.put(p + "ffn.w1.weight", new long[] {f, d});
            out.put(p + "ffn.w2.weight", new long[] {d, f});
            if (c.ffn() == ModelConfig.Ffn.SWIGLU) out.put(p + "ffn.w3.weight", new long[] {f, d});
        }
        if (c.norm() != ModelConfig.Norm.NONE) out.put("ln_final.weight", new long[] {d});
        out.put("lm_head.weight", new long[] {v, d});
        return out;
    }

    public ModelConfig config() {
        return config;
    }

    public Kernels kernels() {
        return kernels;
    }

    public DType computeDType() {
        return computeDType;
    }

    public Params params() {
        return params;
    }

    /** ids: (B, T) int64 with T ≤ context length → logits (B, T, V) float32. */
    public Tensor forward(Tensor ids) {
        return forward(ids, null);
    }

    /**
     * With a KV cache holding the first {@code cache.length()} tokens, {@code ids} are the next T tokens:
     * positions continue from there, and the cache grows by T. Logits (B, T, V) for the new tokens.
     */
    public Tensor forward(Tensor ids, KvCache cache) {
        long t = ids.size(1);
        int start = cache == null ? 0 : cache.length();
        if (start + t > config.contextLength()) {
            throw new IllegalArgumentException("sequence length " + (start + t) + " exceeds the context length " + config.contextLength());
        }
        Tensor mask = causal.narrow(0, start, t).narrow(1, 0, start + t); // (T, start + T): row i sees keys ≤ start + i
        Tensor x = tokenEmbeddings.forward(ids);                         // (B, T, D)
        if (computeDType != DType.FLOAT32) x = x.to(computeDType);
        for (int i = 0; i < layers.size(); i++) x = layers.get(i).forward(x, start, mask, cache == null ? null : cache.layer(i));
        if (lnFinal != null) x = lnFinal.forward(x);
        Tensor logits;
        try (var r = Profiler.range("lm_head")) {
            logits = lmHead.forward(x);                                  // (B, T, V)
        }
        return logits.dtype() == DType.FLOAT32 ? logits : logits.to(DType.FLOAT32);
    }
}
