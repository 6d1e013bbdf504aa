package dev.jlm.nn;

import dev.jlm.JlmException;
import java.util.Locale;

/**
 * The Transformer LM's shape and ablations. {@code dFf} defaults (when 0 is given to {@link #of}) to
 * 8/3·d_model rounded to the nearest multiple of 64 for SwiGLU (1344 for d_model 512, as in CS336), and 4·d_model
 * for the SiLU FFN (about the same parameter count).
 */
public record ModelConfig(int vocabSize, int contextLength, int dModel, int numLayers, int numHeads, int dFf,
                          double ropeTheta, Norm norm, Position position, Ffn ffn) {
    public enum Norm { PRE, POST, NONE }

    public enum Position { ROPE, NONE }

    public enum Ffn { SWIGLU, SILU }

    /** The CS336 TinyStories model: 10K vocab, context 256, d_model 512, 4 layers, 16 heads, d_ff 1344. */
    public static final ModelConfig TINY_STORIES =
            new ModelConfig(10_000, 256, 512, 4, 16, 1344 /* ≈ 8/3·d_model, multiple of 64 */, 10_000.0, Norm.PRE, Position.ROPE, Ffn.SWIGLU);

    public ModelConfig {
        require(vocabSize > 0, "--vocab-size must be positive, got %d", vocabSize);
        require(contextLength > 0, "--context-length must be positive, got %d", contextLength);
        require(dModel > 0 && numLayers > 0 && numHeads > 0, "--d-model, --num-layers and --num-heads must be positive");
        require(dModel % numHeads == 0, "--d-model %d is not divisible by --num-heads %d", dModel, numHeads);
        require(position != Position.ROPE || (dModel / numHeads) % 2 == 0, "RoPE needs an even head dimension; d_model/num_heads = %d",
                dModel / numHeads);
        require(dFf > 0, "--d-ff must be positive, got %d", dFf);
        require(ropeTheta > 0, "--rope-theta must be positive");
    }

    /** With dFf = 0 meaning "the default for this FFN". */
    public static ModelConfig of(int vocabSize, int contextLength, int dModel, int numLayers, int numHeads, int dFf,
                                 double ropeTheta, Norm norm, Position position, Ffn ffn) {
        int ff = dFf > 0 ? dFf : ffn == Ffn.SILU ? 4 * dModel : (int) Math.max(64, Math.round(8.0 * dModel / 3 / 64) * 64);
        return new ModelConfig(vocabSize, contextLength, dModel, numLayers, numHeads, ff, ropeTheta, norm, position, ffn);
    }

    public int dHead() {
        return dModel / numHeads;
    }

    static void require(boolean ok, String fmt, Object... args) {
        if (!ok) throw new JlmException(String.format(Locale.ROOT, fmt, args));
    }
}
