package dev.jlm.cli;

import dev.jlm.checkpoint.ConfigJson;
import dev.jlm.checkpoint.ModelFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * --checkpoint, and the model settings for a checkpoint that does not carry its own config (a PyTorch state_dict
 * saved with safetensors.torch.save_file). No defaults: each flag given must agree with the files.
 */
final class CheckpointOptions {
    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT|DIR", description = "a jlm checkpoint (.safetensors), a PyTorch"
            + " state_dict .safetensors (config from config.json beside it or from the flags below), or a folder holding config.json"
            + " + model.safetensors")
    Path checkpoint;

    @Option(names = "--vocab-size", description = "only for a checkpoint without config; read from its tensors otherwise") Integer vocabSize;
    @Option(names = "--context-length", description = "only for a checkpoint without config: tokens per sequence") Integer contextLength;
    @Option(names = "--d-model", description = "only for a checkpoint without config; read from its tensors otherwise") Integer dModel;
    @Option(names = "--num-layers", description = "only for a checkpoint without config; read from its tensors otherwise") Integer numLayers;
    @Option(names = "--num-heads", description = "only for a checkpoint without config: attention heads") Integer numHeads;
    @Option(names = "--d-ff", description = "only for a checkpoint without config; read from its tensors otherwise") Integer dFf;
    @Option(names = "--rope-theta", description = "only for a checkpoint without config: RoPE base θ") Double ropeTheta;
    @Option(names = "--norm", description = "only for a checkpoint without config: pre (default), post or none") String norm;
    @Option(names = "--position", description = "only for a checkpoint without config: rope (default) or none") String position;
    @Option(names = "--ffn", description = "only for a checkpoint without config; read from its tensors otherwise: swiglu or silu") String ffn;

    ModelFiles.Resolved resolve() throws IOException {
        Map<String, Object> given = ConfigJson.partial(vocabSize, contextLength, dModel, numLayers, numHeads, dFf, ropeTheta, norm, position, ffn);
        return ModelFiles.resolve(checkpoint, given);
    }
}
