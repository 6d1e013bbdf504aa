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

    @Domain("in [1, 65536]") @Option(names = "--vocab-size", description = "only for a checkpoint without config; read from its tensors otherwise") Integer vocabSize;
    @Domain("> 0") @Option(names = "--context-length", description = "only for a checkpoint without config: tokens per sequence") Integer contextLength;
    @Domain("> 0") @Option(names = "--d-model", description = "only for a checkpoint without config; read from its tensors otherwise") Integer dModel;
    @Domain("> 0") @Option(names = "--num-layers", description = "only for a checkpoint without config; read from its tensors otherwise") Integer numLayers;
    @Domain("> 0") @Option(names = "--num-heads", description = "only for a checkpoint without config: attention heads") Integer numHeads;
    @Domain("> 0") @Option(names = "--d-ff", description = "only for a checkpoint without config; read from its tensors otherwise") Integer dFf;
    @Domain("> 0") @Option(names = "--rope-theta", description = "only for a checkpoint without config: RoPE base θ") Double ropeTheta;
    @Domain("one of pre, post, none") @Option(names = "--norm", description = "only for a checkpoint without config: RMSNorm placement (default pre)") String norm;
    @Domain("one of rope, none") @Option(names = "--position", description = "only for a checkpoint without config: position encoding (default rope)") String position;
    @Domain("one of swiglu, silu") @Option(names = "--ffn", description = "only for a checkpoint without config; read from its tensors otherwise") String ffn;

    ModelFiles.Resolved resolve() throws IOException {
        Map<String, Object> given = ConfigJson.partial(vocabSize, contextLength, dModel, numLayers, numHeads, dFf, ropeTheta, norm, position, ffn);
        return ModelFiles.resolve(checkpoint, given);
    }
}
