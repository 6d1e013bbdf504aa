package dev.jlm.nn;

import dev.jlm.tensor.Device;
import dev.jlm.tensor.Profiler;
import dev.jlm.tensor.Tensor;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A Transformer block: attention and feed-forward sublayers with residuals; where the norms go is the ablation. The
 * profiler's component ranges (attention, ffn, norm) are opened here, around each sublayer, and nowhere else.
 */
public final class Block implements Module {
    private final Params params;
    private final Normalization ln1, ln2;   // null when norm = NONE
    private final Attention attn;
    private final FeedForward ffn;
    private final ModelConfig.Norm norm;

    /**
     * A new CS336 block on the CPU, reference kernels: pre-norm, RMSNorm (eps {@link RmsNorm#EPS}), attention of
     * {@code heads} heads with {@code rope} (or null), SwiGLU of width {@code dFf}. Its state dict: {@code ln1.weight},
     * {@code attn.*}, {@code ln2.weight}, {@code ffn.*} as in {@link Attention} and {@link FeedForward}.
     */
    public Block(long dModel, int heads, long dFf, Rope rope) {
        this(new Params(Device.CPU), ModelConfig.Norm.PRE, q -> new RmsNorm(q, dModel, Kernels.REFERENCE), dModel, heads, dFf, true, rope, Kernels.REFERENCE);
    }

    /** The model's block: c's widths, norm placement, normalization and FFN type. */
    public Block(Params p, ModelConfig c, Rope rope, Kernels kernels) {
        this(p, c.norm(), q -> c.normalization(q, kernels), c.dModel(), c.numHeads(), c.dFf(), c.ffn() == ModelConfig.Ffn.SWIGLU, rope, kernels);
    }

    private Block(Params p, ModelConfig.Norm norm, Function<Params, Normalization> normalization, long dModel, int heads, long dFf,
                  boolean swiglu, Rope rope, Kernels kernels) {
        params = p;
        this.norm = norm;
        ln1 = norm == ModelConfig.Norm.NONE ? null : normalization.apply(p.sub("ln1"));
        attn = new Attention(p.sub("attn"), dModel, heads, rope, kernels);
        ln2 = norm == ModelConfig.Norm.NONE ? null : normalization.apply(p.sub("ln2"));
        ffn = new FeedForward(p.sub("ffn"), dModel, dFf, swiglu, kernels);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return params.local();
    }

    /** x: (B, T, D) at the mask window's positions → (B, T, D); cache as in {@link Attention#forward} (or null). */
    public Tensor forward(Tensor x, CausalMask.Window mask, KvCache.Layer cache) {
        return forward(x, h -> attn.forward(h, mask, cache));
    }

    /**
     * Standalone (CS336's transformer_block, no cache): x (B, T, D), positions (T) or (B, T) int64, mask bool broadcastable
     * to (B, H, T, T) or null for causal, as {@link Attention#forward(Tensor, Tensor, Tensor)} → (B, T, D).
     */
    public Tensor forward(Tensor x, Tensor positions, Tensor mask) {
        return forward(x, h -> attn.forward(h, positions, mask));
    }

    /** One token per row of a batch at different positions over a shared KV cache: x (B, 1, D) → (B, 1, D). */
    Tensor forward(Tensor x, KvCache.Rows rows, KvCache.Layer cache) {
        return forward(x, h -> attn.forward(h, rows, cache));
    }

    private Tensor forward(Tensor x, UnaryOperator<Tensor> attention) {
        return switch (norm) {
            case PRE -> {                                            // x + f(norm(x))
                Tensor h = x.add(attention(attention, norm(ln1, x)));
                yield h.add(ffn(norm(ln2, h)));
            }
            case POST -> {                                           // norm(x + f(x))
                Tensor h = norm(ln1, x.add(attention(attention, x)));
                yield norm(ln2, h.add(ffn(h)));
            }
            case NONE -> {
                Tensor h = x.add(attention(attention, x));
                yield h.add(ffn(h));
            }
        };
    }

    private static Tensor attention(UnaryOperator<Tensor> attention, Tensor x) {
        return Profiler.range("attention", () -> attention.apply(x));
    }

    private Tensor ffn(Tensor x) {
        return Profiler.range("ffn", () -> ffn.forward(x));
    }

    static Tensor norm(Normalization n, Tensor x) {
        return Profiler.range("norm", () -> n.forward(x));
    }
}
