package dev.jlm.testing;

import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.nio.file.Path;
import java.util.Map;

/** Randomly initialized models saved as jlm checkpoints, for tests that need a model file. */
public final class SavedModels {
    private SavedModels() {}

    /** A model of config {@code c}, initialized from torch seed {@code seed}, saved (weights only) at {@code file}. */
    public static Path save(Path file, ModelConfig c, long seed) throws Exception {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(seed);
            Checkpoint.save(file, new TransformerLm(c, Device.CPU, DType.FLOAT32), null, 0, Map.of());
        }
        return file;
    }
}
