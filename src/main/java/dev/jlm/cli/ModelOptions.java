package dev.jlm.cli;

import dev.jlm.nn.ModelConfig;
import picocli.CommandLine.Option;

/** The model's shape flags, shared by commands that describe a model without training it. */
final class ModelOptions {
    @Option(names = "--vocab-size") int vocabSize = 10_000;
    @Option(names = "--context-length") int contextLength = 256;
    @Option(names = "--d-model") int dModel = 512;
    @Option(names = "--num-layers") int numLayers = 4;
    @Option(names = "--num-heads") int numHeads = 16;
    @Option(names = "--d-ff", description = "0 = 8/3·d_model to the nearest multiple of 64 (swiglu), 4·d_model (silu)") int dFf = 0;
    @Option(names = "--rope-theta") double ropeTheta = 10_000;
    @Option(names = "--norm", description = "pre, post or none") String norm = "pre";
    @Option(names = "--position", description = "rope or none") String position = "rope";
    @Option(names = "--ffn", description = "swiglu or silu") String ffn = "swiglu";

    ModelConfig config() {
        return ModelConfig.of(vocabSize, contextLength, dModel, numLayers, numHeads, dFf, ropeTheta,
                TrainCommand.parse(ModelConfig.Norm.class, norm, "--norm"), TrainCommand.parse(ModelConfig.Position.class, position, "--position"),
                TrainCommand.parse(ModelConfig.Ffn.class, ffn, "--ffn"));
    }
}
