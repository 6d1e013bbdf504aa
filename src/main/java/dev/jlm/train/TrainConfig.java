package dev.jlm.train;

import dev.jlm.config.ConfigException;
import dev.jlm.config.Doc;
import dev.jlm.config.Domain;
import dev.jlm.config.Domains;
import dev.jlm.config.Settings;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.ScheduleConfig;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;

/**
 * Everything a training run needs, built by name ({@link #builder}); each component is a setting — a `jlm train`
 * flag, a --config and sweep key — with its help and domain declared here once (see {@code dev.jlm.config.Settings}).
 * The builder's defaults are the CLI's. The schedule's defaults are filled in from {@code steps} on construction.
 */
public record TrainConfig(
        ModelConfig model,
        @Doc("training tokens: a uint16 file from `jlm tokenize` (required)") Path train,
        @Doc("validation tokens (uint16); without them no validation loss is logged") Path valid,
        @Doc("run folder for checkpoints and metrics.jsonl (required)") Path out,
        @Doc("start from these weights (a checkpoint, a PyTorch state_dict .safetensors or a folder with config.json +"
                + " model.safetensors) with a new optimizer, e.g. to fine-tune; the model settings come from it") Path initFrom,
        @Doc("sequences per step (each context_length tokens), over all ranks") @Domain("> 0") int batchSize,
        @Doc("micro-batches per step: each rank computes its share of the batch in K pieces and the step sees their mean"
                + " gradient (the same run in less memory)") @Domain("> 0") int gradAccum,
        @Doc("optimizer steps of the whole run (a resumed run continues up to it)") @Domain("> 0") long steps,
        ScheduleConfig schedule,
        AdamWConfig adamw,
        @Doc("clip gradients to this global L2 norm; 0 = off") @Domain(">= 0") double gradClip,
        @Doc("validation loss every N steps (and at the last step)") @Domain("> 0") long evalEvery,
        @Doc("validation windows of context_length tokens per evaluation") @Domain("> 0") int evalWindows,
        @Doc("checkpoint every N steps (and at the last step)") @Domain("> 0") long saveEvery,
        @Doc("seed of the initial weights and the batch sampler") long seed,
        @Doc("where to compute: auto is cuda:0 when this libtorch has a GPU, else cpu") @Domain("auto, cpu or cuda:N") Device device,
        @Doc("compute dtype; weights and optimizer state stay float32") @Domain("one of float32, bfloat16") DType dtype,
        @Doc("intra-op threads; 0 = libtorch's default") @Domain("in [0, 4096]") int threads,
        @Doc("kernels of the forward pass and loss: libtorch's fused ones (auto: the fastest this libtorch has for each) or the"
                + " CS336 reference modules") Kernels.Choice kernels,
        @Doc("read the loss and gradient norm back from the device every N steps (each step still gets its metrics row, written"
                + " then; its wall_s is when the host had queued it, exact at each read) and, off a terminal, print a progress line;"
                + " 0 = auto: every step on the CPU, every 50 on a GPU, lines every JLM_PROGRESS_SECONDS") @Domain(">= 0") long logEvery,
        @Doc("capture the training step in a CUDA graph after " + GraphedStep.WARMUP + " warm-up steps and replay it (one launch a"
                + " step): auto = on a GPU where the step allows it (one process, libtorch 2.3+), else off") CudaGraph.Mode cudaGraphs,
        @Doc("continue the run in out from its last.safetensors (exactly: weights, optimizer, RNG, data position)") boolean resume,
        @Doc("start over in an out folder that holds a run; its files are moved aside, not deleted") boolean overwrite) {

    /** Settings that may differ between the ranks of one job (paths, the machine); all others must agree. */
    private static final Set<String> PER_RANK = Set.of("train", "valid", "out", "init_from", "device", "threads", "log_every", "cuda_graphs",
            "overwrite");
    /** Settings that say how this invocation runs, not what the run is: not recorded with its checkpoints. */
    private static final Set<String> INVOCATION = Set.of("train", "valid", "out", "init_from", "device", "threads", "log_every", "cuda_graphs",
            "overwrite", "resume");

    public TrainConfig {
        if (train == null) throw new ConfigException("train is required: the training token file").naming("train");
        if (out == null) throw new ConfigException("out is required: the run folder").naming("out");
        if (batchSize > 0 && gradAccum > 0 && batchSize % gradAccum != 0) {
            throw new ConfigException("batch_size " + batchSize + " is not divisible by grad_accum " + gradAccum + " (each micro-batch takes an equal share)")
                    .naming("batch_size", "grad_accum");
        }
        if (resume && overwrite) throw new ConfigException("resume and overwrite exclude each other: continue the run, or start over").naming("resume", "overwrite");
        schedule = schedule.resolved(steps);
        device = device.resolve();
        if (cudaGraphs == CudaGraph.Mode.ON && !device.isCuda()) {
            throw new ConfigException("cuda_graphs on needs a GPU, and this run is on " + device + ": leave cuda_graphs at auto, or"
                    + " choose device cuda:N").naming("cuda_graphs", "device");
        }
    }

    /**
     * Steps between reads of the device's numbers: log_every, or where it is 0 what keeps the device busy (a read waits for
     * every queued kernel: free on the CPU, a stall of the GPU's queue).
     */
    public long readEvery() {
        return logEvery > 0 ? logEvery : device.isCuda() ? 50 : 1;
    }

    /**
     * What every rank of a data-parallel job must agree on (all settings but the per-rank ones; for valid and
     * init_from, only whether they are set), hashed: ranks started with different settings refuse to train together.
     */
    public long agreementHash() {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Object> e : Settings.values(this).entrySet()) {
            if (!PER_RANK.contains(e.getKey())) s.append(e.getKey()).append('=').append(e.getValue()).append('|');
        }
        s.append("valid=").append(valid != null).append("|init_from=").append(initFrom != null);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return java.nio.ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the run is (every setting but how this invocation runs it), by key: recorded with each checkpoint. */
    public Map<String, Object> runSettings() {
        Map<String, Object> m = new java.util.LinkedHashMap<>(Settings.values(this));
        m.keySet().removeAll(INVOCATION);
        return m;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return builder().model(model).train(train).valid(valid).out(out).initFrom(initFrom).batchSize(batchSize).gradAccum(gradAccum).steps(steps)
                .schedule(schedule).adamw(adamw).gradClip(gradClip).evalEvery(evalEvery).evalWindows(evalWindows).saveEvery(saveEvery).seed(seed)
                .device(device).dtype(dtype).threads(threads).kernels(kernels).logEvery(logEvery).cudaGraphs(cudaGraphs).resume(resume).overwrite(overwrite);
    }

    /** The same run (the same, resolved, schedule) stopped early, after step {@code stopAt}. */
    public TrainConfig stoppingAt(long stopAt) {
        return toBuilder().steps(stopAt).build();
    }

    /** Settings by name, with the CLI's defaults; train and out have none. */
    public static final class Builder {
        private ModelConfig model = ModelConfig.TINY_STORIES;
        private Path train, valid, out, initFrom;
        private int batchSize = 32, gradAccum = 1, evalWindows = 64, threads = Runtime.getRuntime().availableProcessors();
        private long steps = 1000, evalEvery = 100, saveEvery = 500, seed = 0, logEvery = 0;
        private ScheduleConfig schedule = ScheduleConfig.builder().build();
        private AdamWConfig adamw = AdamWConfig.DEFAULT;
        private double gradClip = 1.0;
        private Device device = Device.AUTO;
        private DType dtype = DType.FLOAT32;
        private Kernels.Choice kernels = Kernels.Choice.AUTO;
        private CudaGraph.Mode cudaGraphs = CudaGraph.Mode.AUTO;
        private boolean resume, overwrite;

        private Builder() {}

        public Builder model(ModelConfig m) { model = m; return this; }
        public Builder train(Path p) { train = p; return this; }
        public Builder valid(Path p) { valid = p; return this; }
        public Builder out(Path p) { out = p; return this; }
        public Builder initFrom(Path weights) { initFrom = weights; return this; }
        public Builder batchSize(int b) { batchSize = b; return this; }
        public Builder gradAccum(int k) { gradAccum = k; return this; }
        public Builder steps(long s) { steps = s; return this; }
        public Builder schedule(ScheduleConfig s) { schedule = s; return this; }
        public Builder adamw(AdamWConfig a) { adamw = a; return this; }
        public Builder gradClip(double g) { gradClip = g; return this; }
        public Builder evalEvery(long e) { evalEvery = e; return this; }
        public Builder evalWindows(int w) { evalWindows = w; return this; }
        public Builder saveEvery(long s) { saveEvery = s; return this; }
        public Builder seed(long s) { seed = s; return this; }
        public Builder device(Device d) { device = d; return this; }
        public Builder dtype(DType d) { dtype = d; return this; }
        public Builder threads(int t) { threads = t; return this; }
        public Builder kernels(Kernels.Choice k) { kernels = k; return this; }
        public Builder logEvery(long n) { logEvery = n; return this; }
        public Builder cudaGraphs(CudaGraph.Mode g) { cudaGraphs = g; return this; }
        public Builder resume(boolean r) { resume = r; return this; }
        public Builder overwrite(boolean o) { overwrite = o; return this; }

        /** The config, every setting checked against its domain. */
        public TrainConfig build() {
            return Domains.require(new TrainConfig(model, train, valid, out, initFrom, batchSize, gradAccum, steps, schedule, adamw, gradClip,
                    evalEvery, evalWindows, saveEvery, seed, device, dtype, threads, kernels, logEvery, cudaGraphs, resume, overwrite));
        }
    }
}
