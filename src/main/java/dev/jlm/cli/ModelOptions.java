package dev.jlm.cli;

import dev.jlm.checkpoint.ConfigJson;
import dev.jlm.nn.ModelConfig;
import java.util.Map;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** The model's shape flags (with the CS336 TinyStories defaults), shared by the commands that describe a new model. */
final class ModelOptions {
    @Domain("in [1, 65536]") @Option(names = "--vocab-size", description = "vocabulary size; must cover every id of the token files") int vocabSize = 10_000;
    @Domain("> 0") @Option(names = "--context-length", description = "tokens per sequence (T)") int contextLength = 256;
    @Domain("> 0") @Option(names = "--d-model", description = "width of the residual stream (D)") int dModel = 512;
    @Domain("> 0") @Option(names = "--num-layers", description = "Transformer blocks (L)") int numLayers = 4;
    @Domain("> 0") @Option(names = "--num-heads", description = "attention heads (H); must divide d-model") int numHeads = 16;
    @Domain(">= 0") @Option(names = "--d-ff", description = "feed-forward width; 0 = 8/3·d_model to the nearest multiple of 64 (swiglu), 4·d_model (silu)")
    int dFf = 0;
    @Domain("> 0") @Option(names = "--rope-theta", description = "RoPE base θ") double ropeTheta = 10_000;
    @Domain("one of pre, post, none") @Option(names = "--norm", description = "RMSNorm placement") String norm = "pre";
    @Domain("one of rope, none") @Option(names = "--position", description = "position encoding") String position = "rope";
    @Domain("one of swiglu, silu") @Option(names = "--ffn", description = "feed-forward") String ffn = "swiglu";

    /** The model these flags describe, through the one JSON form of a config (d_ff 0: the FFN's default). */
    ModelConfig config() {
        return ConfigJson.toConfig(given(flag -> true), "the model flags");
    }

    /** The settings whose flag {@code wasGiven}, under the CS336 names (see ConfigJson). */
    Map<String, Object> given(Predicate<String> wasGiven) {
        Map<String, Object> all = ConfigJson.partial(vocabSize, contextLength, dModel, numLayers, numHeads, dFf, ropeTheta, norm, position, ffn);
        all.entrySet().removeIf(e -> !wasGiven.test("--" + e.getKey().replace('_', '-')));
        return all;
    }
}
