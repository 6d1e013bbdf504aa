package dev.jlm.train;

import dev.jlm.JlmException;
import dev.jlm.nn.ModelConfig;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.CosineSchedule;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import java.nio.file.Path;

/** Everything a training run needs; built by `jlm train` from flags and --config. */
public record TrainConfig(ModelConfig model, Path train, Path valid, Path out, int batchSize, long steps,
                          CosineSchedule schedule, AdamWConfig adamw, double gradClip, long evalEvery, int evalWindows,
                          long saveEvery, long seed, Device device, DType dtype, int threads, boolean fused, boolean resume) {
    public TrainConfig {
        if (batchSize <= 0) throw new JlmException("--batch-size must be positive, got " + batchSize);
        if (steps <= 0) throw new JlmException("--steps must be positive, got " + steps);
        if (gradClip < 0) throw new JlmException("--grad-clip must be >= 0 (0 = off), got " + gradClip);
        if (evalWindows <= 0) throw new JlmException("--eval-windows must be positive");
        if (dtype != DType.FLOAT32 && dtype != DType.BFLOAT16) throw new JlmException("--dtype must be float32 or bfloat16, got " + dtype);
    }

    /** The same run (same schedule) stopped early, after step {@code stopAt}. */
    public TrainConfig stoppingAt(long stopAt) {
        return new TrainConfig(model, train, valid, out, batchSize, stopAt, schedule, adamw, gradClip, evalEvery, evalWindows,
                saveEvery, seed, device, dtype, threads, fused, resume);
    }
}
