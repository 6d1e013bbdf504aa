package dev.jlm.nn;

import dev.jlm.tensor.Profiler;
import dev.jlm.tensor.Tensor;

/**
 * A Transformer block: attention and feed-forward sublayers with residuals; where the norms go is the ablation. The
 * profiler's component ranges (attention, ffn, norm) are opened here, around each sublayer, and nowhere else.
 */
public final class Block {
    private final Normalization ln1, ln2;   // null when norm = NONE
    private final Attention attn;
    private final FeedForward ffn;
    private final ModelConfig.Norm norm;

    public Block(Params p, ModelConfig c, Rope rope, Kernels kernels) {
        norm = c.norm();
        ln1 = norm == ModelConfig.Norm.NONE ? null : c.normalization(p.sub("ln1"), kernels);
        attn = new Attention(p.sub("attn"), c, rope, kernels);
        ln2 = norm == ModelConfig.Norm.NONE ? null : c.normalization(p.sub("ln2"), kernels);
        ffn = new FeedForward(p.sub("ffn"), c, kernels);
    }

    /** x: (B, T, D) at the mask window's positions → (B, T, D); cache as in {@link Attention#forward} (or null). */
    public Tensor forward(Tensor x, CausalMask.Window mask, KvCache.Layer cache) {
        return switch (norm) {
            case PRE -> {                                            // x + f(norm(x))
                Tensor h = x.add(attention(norm(ln1, x), mask, cache));
                yield h.add(ffn(norm(ln2, h)));
            }
            case POST -> {                                           // norm(x + f(x))
                Tensor h = norm(ln1, x.add(attention(x, mask, cache)));
                yield norm(ln2, h.add(ffn(h)));
            }
            case NONE -> {
                Tensor h = x.add(attention(x, mask, cache));
                yield h.add(ffn(h));
            }
        };
    }

    private Tensor attention(Tensor x, CausalMask.Window mask, KvCache.Layer cache) {
        return Profiler.range("attention", () -> attn.forward(x, mask, cache));
    }

    private Tensor ffn(Tensor x) {
        return Profiler.range("ffn", () -> ffn.forward(x));
    }

    static Tensor norm(Normalization n, Tensor x) {
        return Profiler.range("norm", () -> n.forward(x));
    }
}
