package dev.jlm.nn;

import dev.jlm.tensor.Tensor;

/** A Transformer block: attention and feed-forward sublayers with residuals; where the norms go is the ablation. */
public final class Block {
    private final RmsNorm ln1, ln2;   // null when norm = NONE
    private final Attention attn;
    private final FeedForward ffn;
    private final ModelConfig.Norm norm;

    public Block(Params p, ModelConfig c, Rope rope, Kernels kernels) {
        norm = c.norm();
        ln1 = norm == ModelConfig.Norm.NONE ? null : new RmsNorm(p.sub("ln1"), c.dModel());
        attn = new Attention(p.sub("attn"), c, rope, kernels);
        ln2 = norm == ModelConfig.Norm.NONE ? null : new RmsNorm(p.sub("ln2"), c.dModel());
        ffn = new FeedForward(p.sub("ffn"), c, kernels);
    }

    /** x: (B, T, D) → (B, T, D); cache as in {@link Attention#forward} (null without a cache). */
    public Tensor forward(Tensor x, long start, Tensor mask, KvCache.Layer cache) {
        return switch (norm) {
            case PRE -> {                                            // x + f(norm(x))
                Tensor h = x.add(attn.forward(ln1.forward(x), start, mask, cache));
                yield h.add(ffn.forward(ln2.forward(h)));
            }
            case POST -> {                                           // norm(x + f(x))
                Tensor h = ln1.forward(x.add(attn.forward(x, start, mask, cache)));
                yield ln2.forward(h.add(ffn.forward(h)));
            }
            case NONE -> {
                Tensor h = x.add(attn.forward(x, start, mask, cache));
                yield h.add(ffn.forward(h));
            }
        };
    }
}
