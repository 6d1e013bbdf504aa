package dev.jlm.train;

import dev.jlm.JlmException;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.CosineSchedule;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import java.nio.file.Path;

/**
 * Everything a training run needs; built by `jlm train` from flags and --config, by tests and sweeps through
 * {@link #builder}, whose defaults are the CLI's. {@code initFrom}: weights to start from (a new optimizer), or null;
 * {@code overwrite}: replace a run already in {@code out} (its files are moved aside, see {@link RunFolder}).
 */
public record TrainConfig(ModelConfig model, Path train, Path valid, Path out, int batchSize, int gradAccum, long steps,
                          CosineSchedule schedule, AdamWConfig adamw, double gradClip, long evalEvery, int evalWindows,
                          long saveEvery, long seed, Device device, DType dtype, int threads, Kernels kernels, boolean resume,
                          boolean overwrite, Path initFrom) {
    public TrainConfig {
        if (batchSize <= 0) throw new JlmException("--batch-size must be positive, got " + batchSize);
        if (gradAccum <= 0) throw new JlmException("--grad-accum must be positive, got " + gradAccum);
        if (batchSize % gradAccum != 0) {
            throw new JlmException("--batch-size " + batchSize + " is not divisible by --grad-accum " + gradAccum + " (each micro-batch takes an equal share)");
        }
        if (steps <= 0) throw new JlmException("--steps must be positive, got " + steps);
        if (gradClip < 0) throw new JlmException("--grad-clip must be >= 0 (0 = off), got " + gradClip);
        if (evalWindows <= 0) throw new JlmException("--eval-windows must be positive");
        if (resume && overwrite) throw new JlmException("--resume and --overwrite exclude each other: continue the run, or start over");
        if (evalEvery <= 0) throw new JlmException("--eval-every must be positive, got " + evalEvery);
        if (saveEvery <= 0) throw new JlmException("--save-every must be positive, got " + saveEvery);
        if (threads < 0) throw new JlmException("--threads must be >= 0, got " + threads);
        if (dtype != DType.FLOAT32 && dtype != DType.BFLOAT16) throw new JlmException("--dtype must be float32 or bfloat16, got " + dtype);
    }

    /**
     * What every rank of a data-parallel job must agree on (all but paths, device and threads, which may differ
     * between machines), hashed: ranks started with different settings refuse to train together.
     */
    public long agreementHash() {
        String s = String.join("|", model.toString(), String.valueOf(batchSize), String.valueOf(gradAccum), String.valueOf(steps),
                schedule.toString(), adamw.toString(), String.valueOf(gradClip), String.valueOf(evalEvery), String.valueOf(evalWindows),
                String.valueOf(saveEvery), String.valueOf(seed), dtype.toString(), kernels.toString(), String.valueOf(resume),
                String.valueOf(valid != null), String.valueOf(initFrom != null));
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(d).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Builder builder(ModelConfig model, Path train, Path out) {
        return new Builder(model, train, out);
    }

    /** The same run (same schedule) stopped early, after step {@code stopAt}. */
    public TrainConfig stoppingAt(long stopAt) {
        return new TrainConfig(model, train, valid, out, batchSize, gradAccum, stopAt, schedule, adamw, gradClip, evalEvery, evalWindows,
                saveEvery, seed, device, dtype, threads, kernels, resume, overwrite, initFrom);
    }

    /** Named settings with the CLI's defaults; the schedule defaults to warm-up steps/20 and cosine over all steps. */
    public static final class Builder {
        private final ModelConfig model;
        private final Path train, out;
        private Path valid, initFrom;
        private int batchSize = 32, gradAccum = 1, evalWindows = 64, threads = Runtime.getRuntime().availableProcessors();
        private long steps = 1000, evalEvery = 100, saveEvery = 500, seed = 0;
        private CosineSchedule schedule;
        private AdamWConfig adamw = AdamWConfig.DEFAULT;
        private double gradClip = 1.0;
        private Device device = Device.CPU;
        private DType dtype = DType.FLOAT32;
        private Kernels kernels = Kernels.REFERENCE;
        private boolean resume, overwrite;

        private Builder(ModelConfig model, Path train, Path out) {
            this.model = model;
            this.train = train;
            this.out = out;
        }

        public Builder valid(Path v) { valid = v; return this; }
        public Builder initFrom(Path weights) { initFrom = weights; return this; }
        public Builder batchSize(int b) { batchSize = b; return this; }
        public Builder gradAccum(int k) { gradAccum = k; return this; }
        public Builder steps(long s) { steps = s; return this; }
        public Builder schedule(CosineSchedule s) { schedule = s; return this; }
        public Builder adamw(AdamWConfig a) { adamw = a; return this; }
        public Builder gradClip(double g) { gradClip = g; return this; }
        public Builder evalEvery(long e) { evalEvery = e; return this; }
        public Builder evalWindows(int w) { evalWindows = w; return this; }
        public Builder saveEvery(long s) { saveEvery = s; return this; }
        public Builder seed(long s) { seed = s; return this; }
        public Builder device(Device d) { device = d; return this; }
        public Builder dtype(DType d) { dtype = d; return this; }
        public Builder threads(int t) { threads = t; return this; }
        public Builder kernels(Kernels k) { kernels = k; return this; }
        public Builder resume(boolean r) { resume = r; return this; }
        public Builder overwrite(boolean o) { overwrite = o; return this; }

        public TrainConfig build() {
            CosineSchedule s = schedule != null ? schedule : new CosineSchedule(1e-3, 1e-4, Math.min(steps, Math.max(1, steps / 20)), steps);
            return new TrainConfig(model, train, valid, out, batchSize, gradAccum, steps, s, adamw, gradClip, evalEvery, evalWindows, saveEvery, seed,
                    device, dtype, threads, kernels, resume, overwrite, initFrom);
        }
    }
}
