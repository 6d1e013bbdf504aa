package dev.jlm.cli;

import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.nn.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * --checkpoint, and the model settings as flags for a checkpoint that does not carry its own config (a PyTorch
 * state_dict saved with safetensors.torch.save_file). No defaults: each flag given must agree with the files.
 */
final class CheckpointOptions {
    @Option(names = "--checkpoint", required = true, paramLabel = "CKPT|DIR", description = "a jlm checkpoint (.safetensors), a PyTorch"
            + " state_dict .safetensors (config from config.json beside it or from the model flags), or a folder holding config.json"
            + " + model.safetensors")
    Path checkpoint;

    final SettingFlags model = new SettingFlags(ModelConfig.class, false, "for a checkpoint without config (else it must agree): ", k -> true);

    ModelFiles.Resolved resolve() throws IOException {
        return ModelFiles.resolve(checkpoint, model.values(), SettingFlags::flag);
    }
}
