package dev.jlm.nn;

import dev.jlm.config.ConfigException;
import dev.jlm.config.Doc;
import dev.jlm.config.Domain;
import dev.jlm.config.Domains;
import java.util.Locale;

/**
 * The Transformer LM's shape and ablations, built by name ({@link #builder}, {@link #toBuilder}); the builder's
 * defaults are the CS336 TinyStories model. Each component is a setting (see {@code dev.jlm.config.Settings}): its
 * flag, its JSON key in config files and checkpoint metadata, its help and its domain all come from here.
 */
public record ModelConfig(
        @Doc("vocabulary size; must cover every id of the token files") @Domain("in [1, 65536]") int vocabSize,
        @Doc("tokens per sequence (T)") @Domain("> 0") int contextLength,
        @Doc("width of the residual stream (D)") @Domain("> 0") int dModel,
        @Doc("Transformer blocks (L)") @Domain("> 0") int numLayers,
        @Doc("attention heads (H); must divide d_model") @Domain("> 0") int numHeads,
        @Doc("feed-forward width (F); 0 = 8/3·d_model to the nearest multiple of 64 for swiglu, 4·d_model for silu") @Domain(">= 0") int dFf,
        @Doc("RoPE base θ") @Domain("> 0") double ropeTheta,
        @Doc("RMSNorm placement") Norm norm,
        @Doc("position encoding") Position position,
        @Doc("feed-forward network") Ffn ffn,
        @Doc("lm_head uses token_embeddings' weight (one tensor, as in GPT-2) instead of its own") boolean tieEmbeddings) {
    public enum Norm { PRE, POST, NONE }

    public enum Position { ROPE, NONE }

    public enum Ffn { SWIGLU, SILU }

    /** The CS336 TinyStories model: 10K vocab, context 256, d_model 512, 4 layers, 16 heads, d_ff 1344. */
    public static final ModelConfig TINY_STORIES = builder().build();

    /** Relations between settings (each setting's own range is its @Domain); d_ff 0 becomes the FFN's default width. */
    public ModelConfig {
        if (dFf == 0 && dModel > 0) dFf = defaultDFf(dModel, ffn);
        if (numHeads > 0 && dModel % numHeads != 0) {
            throw new ConfigException(String.format(Locale.ROOT, "d_model %d is not divisible by num_heads %d", dModel, numHeads)).naming("d_model", "num_heads");
        }
        if (position == Position.ROPE && numHeads > 0 && (dModel / numHeads) % 2 != 0) {
            throw new ConfigException("RoPE needs an even head dimension; d_model/num_heads = " + dModel / numHeads).naming("d_model", "num_heads");
        }
    }

    /** SwiGLU: 8/3·d_model to the nearest multiple of 64 (1344 for d_model 512, as in CS336); SiLU: 4·d_model (about the same parameters). */
    private static int defaultDFf(int dModel, Ffn ffn) {
        long f = ffn == Ffn.SILU ? 4L * dModel : Math.max(64, Math.round(8.0 * dModel / 3 / 64) * 64);
        if (f > Integer.MAX_VALUE) throw new ConfigException("d_model " + dModel + " is too large: its default d_ff " + f + " does not fit an int").naming("d_model");
        return (int) f;
    }

    /** This model's normalization layer, declared under {@code p}: RMSNorm over d_model (CS336), computed by {@code kernels}. */
    Normalization normalization(Params p, Kernels kernels) {
        return new RmsNorm(p, dModel, kernels);
    }

    public int dHead() {
        return dModel / numHeads;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().vocabSize(vocabSize).contextLength(contextLength).dModel(dModel).numLayers(numLayers).numHeads(numHeads).dFf(dFf)
                .ropeTheta(ropeTheta).norm(norm).position(position).ffn(ffn).tieEmbeddings(tieEmbeddings);
    }

    /** Settings by name; the defaults are the TinyStories model's. */
    public static final class Builder {
        private int vocabSize = 10_000, contextLength = 256, dModel = 512, numLayers = 4, numHeads = 16;
        private int dFf = 0;                       // the FFN's default width for this d_model
        private double ropeTheta = 10_000;
        private Norm norm = Norm.PRE;
        private Position position = Position.ROPE;
        private Ffn ffn = Ffn.SWIGLU;
        private boolean tieEmbeddings;

        private Builder() {}

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder contextLength(int t) { contextLength = t; return this; }
        public Builder dModel(int d) { dModel = d; return this; }
        public Builder numLayers(int l) { numLayers = l; return this; }
        public Builder numHeads(int h) { numHeads = h; return this; }
        public Builder dFf(int f) { dFf = f; return this; }
        public Builder ropeTheta(double theta) { ropeTheta = theta; return this; }
        public Builder norm(Norm n) { norm = n; return this; }
        public Builder position(Position p) { position = p; return this; }
        public Builder ffn(Ffn f) { ffn = f; return this; }
        public Builder tieEmbeddings(boolean tie) { tieEmbeddings = tie; return this; }

        /** The config, every setting checked against its domain. */
        public ModelConfig build() {
            return Domains.require(new ModelConfig(vocabSize, contextLength, dModel, numLayers, numHeads, dFf, ropeTheta, norm, position, ffn, tieEmbeddings));
        }
    }
}
