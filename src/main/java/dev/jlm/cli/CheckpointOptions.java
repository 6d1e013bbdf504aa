package dev.jlm.cli;

import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.nn.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
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

    final SettingFlags model = new SettingFlags(ModelConfig.class, false, "for a checkpoint without config (else it must agree): ", k -> true,
            Map.of(ModelFiles.LONGER_CONTEXT, "tokens per sequence: for a checkpoint without config; for one with a config, eval and generate"
                    + " run it at this context instead of its own (a model with RoPE or no position encoding takes a longer one); export"
                    + " refuses one that differs from the model's own"));

    ModelFiles.Resolved resolve() throws IOException {
        return ModelFiles.resolve(checkpoint, model.values(), SettingFlags::flag);
    }

    /** The model exactly as its files declare it: a given context_length must agree too (export writes the model's own config). */
    ModelFiles.Resolved resolveOwn() throws IOException {
        return ModelFiles.resolve(checkpoint, model.values(), SettingFlags::flag, false);
    }
}
