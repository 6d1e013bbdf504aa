package dev.jlm.train;

import dev.jlm.JlmException;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.data.Batch;
import dev.jlm.io.Outputs;
import dev.jlm.data.BatchSampler;
import dev.jlm.data.TokenFile;
import dev.jlm.dist.World;
import dev.jlm.nn.MemoryBudget;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.optim.GradClip;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.MultiTensor;
import dev.jlm.tensor.Profiler;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/** The training loop: batch → forward → loss → backward → clip → AdamW, with evaluation, metrics and checkpoints. */
public final class Trainer {
    public static final String LAST = "last.safetensors";
    /** Eager steps before the step is captured as a CUDA graph. */
    public static final int GRAPH_WARMUP_STEPS = GraphedStep.WARMUP;

    /** What the loop reports after each step (for a progress bar), and notes worth a line before it starts. */
    public interface Listener {
        void step(long step, long steps, double loss, double lr, double tokensPerSecond, Double valLoss);

        default void note(String message) {}

        /** Before the first step: steps {@code first}..{@code last} are about to be trained. */
        default void started(long first, long last) {}
    }

    /**
     * What this invocation did: steps {@code firstStep..lastStep} (none when a resumed run was already complete),
     * their tokens and wall time, the last losses, and the newest checkpoint.
     */
    public record Summary(long firstStep, long lastStep, double finalTrainLoss, Double finalValLoss, double seconds, long tokens,
                          Path lastCheckpoint, Path replaced) {
        public long steps() {
            return Math.max(0, lastStep - firstStep + 1);
        }
    }

    private final TrainConfig cfg;

    public Trainer(TrainConfig cfg) {
        this.cfg = cfg;
    }

    /** One process. */
    public Summary run(Listener listener) throws IOException {
        return run(listener, World.solo());
    }

    /**
     * The run on every rank of {@code world}: each computes B/N rows of the global batch (in --grad-accum micro-batches),
     * gradients are averaged before clipping, and rank 0 alone writes the run folder while the others wait at a
     * barrier. The same seed gives the same run on any world size.
     */
    public Summary run(Listener listener, World world) throws IOException {
        Path out = cfg.out();
        int ranks = world.size();
        requireMicroBatches(ranks);
        long[] hash = {cfg.agreementHash()};
        world.agree(true, () -> {
            if (world.broadcast(hash)[0] != hash[0]) {
                throw new JlmException("rank " + world.rank() + " was started with other settings than rank 0 (model, batch, schedule,"
                        + " seed, ...): start every rank with the same flags");
            }
        });
        RunFolder.Lock[] lock = {null};
        boolean[] made = {false};                                 // this invocation made the folder: it removes it if it fails early
        world.agree(world.isMain(), () -> {                       // refuse a clobber, or a resume of nothing, before any work
            try {
                Outputs.requireFolder(out, "out");
            } catch (JlmException e) {
                throw e.naming("out");
            }
            made[0] = !Files.exists(out);
            lock[0] = RunFolder.lock(out);                        // one process writes a run folder (made here, if it is new)
            try {
                RunFolder.check(out, cfg.resume(), cfg.overwrite());
                if (cfg.resume()) RunFolder.checkResume(out.resolve(LAST), cfg).forEach(listener::note);
            } catch (IOException | RuntimeException e) {
                RunFolder.unlock(lock[0], out, made[0]);         // refused: nothing of the folder's is touched
                throw e;
            }
        });
        int cores = Runtime.getRuntime().availableProcessors();
        if (cfg.threads() > cores) {                              // not refused (a machine may be shared, or lie), but said
            listener.note("threads " + cfg.threads() + " is more than this machine's " + cores + " cores: libtorch then runs more workers"
                    + " than there are cores, and they wait on each other (use at most " + cores + "; 0 = libtorch's default)");
        }
        try (RunFolder.Lock held = lock[0]) {
            try {
                useMachine();
                requireGraphs(ranks);
                int vocab = cfg.model().vocabSize();
                try (TokenFile train = TokenFile.open(cfg.train(), vocab, "vocab_size");                   // ids checked per batch
                     TokenFile valid = cfg.valid() == null ? null : TokenFile.open(cfg.valid(), vocab, "vocab_size");
                     TensorScope run = TensorScope.open()) {
                    return train(listener, world, train, valid);
                }
            } catch (RuntimeException | IOException e) {
                if (world.isMain() && !(e instanceof DivergedException)) RunFolder.undoEarlyFailure(out, made[0]);
                throw e;
            }
        }
    }

    /** The loop itself, once the folder is ready: resume or start, then every step, evaluation and checkpoint. */
    private Summary train(Listener listener, World world, TokenFile train, TokenFile valid) throws IOException {
        Path out = cfg.out();
        int ranks = world.size(), micro = cfg.gradAccum();
        int ctx = cfg.model().contextLength();
        Parts parts = build(train);
        TransformerLm model = parts.model();
        AdamW opt = parts.opt();
        BatchSampler sampler = parts.sampler();
        Path last = out.resolve(LAST);
        long[] resumed = {0, cfg.seed()};                     // {step, sampler state}: rank 0 reads them, all ranks use them
        Path[] replaced = {null};
        world.agree(world.isMain(), () -> {
            if (cfg.resume() && Files.isRegularFile(last)) {
                Checkpoint.loadWeights(last, model);
                Checkpoint.TrainState st = Checkpoint.loadTraining(last, opt);
                resumed[0] = st.step();
                resumed[1] = st.samplerState();
            } else if (cfg.initFrom() != null) {
                Checkpoint.loadWeights(cfg.initFrom(), model);                               // weights only
            }
            // every input is read (init_from may be a file of the run being replaced): only now touch the folder
            replaced[0] = RunFolder.prepare(out, cfg.resume(), cfg.overwrite());
        });
        long[] state = world.broadcast(resumed);
        long start = state[0];
        sampler.setRngState(state[1]);
        world.broadcast(List.copyOf(model.params().named().values()));   // every rank starts from rank 0's weights
        world.broadcast(List.copyOf(opt.state().tensors().values()));    // …and moments (any world size can resume)
        opt.setStepCount(start);
        if (start >= cfg.steps()) return new Summary(start + 1, start, Double.NaN, null, 0, 0, last, null);   // already complete
        double wall0 = 0;                                     // the run's wall time at its checkpoint: a resumed wall_s goes on from it
        if (world.isMain() && start > 0) wall0 = Metrics.truncateAfter(out, start);     // rows a crash left past the checkpoint never were

        Path lastGood = start > 0 ? last : null;
        if (world.isMain()) listener.started(start + 1, cfg.steps());
        long tokensPerStep = (long) cfg.batchSize() * ctx;
        int rows = cfg.batchSize() / ranks / micro;           // rows per micro-batch on this rank
        double lastLoss = Double.NaN;
        Double lastVal = null;
        long[] evalWindows = valid == null ? null : Evaluator.first(cfg.evalWindows(), Evaluator.available(valid, ctx));
        long t0 = System.nanoTime();
        try (Metrics metrics = world.isMain() ? new Metrics(out, start > 0) : null;
             GraphedStep graphed = GraphedStep.wanted(cfg, ranks) ? new GraphedStep(model, opt, micro, rows, ctx, cfg.gradClip(), cfg.cudaGraphs()) : null) {
            long step = start;
            while (step < cfg.steps()) {
                // Steps are dispatched without a host read until one is due; then their numbers are read in one go.
                try (var unread = TensorScope.open()) {
                    List<Dispatched> window = new ArrayList<>();
                    do {
                        step++;
                        double lr = cfg.schedule().lr(step - 1);
                        long[] global = sampler.nextStarts();                         // the same on every rank
                        int first = world.rank() * micro * rows;
                        double collective0 = world.collectiveSeconds();
                        StepResult r;
                        try (var s = TensorScope.open()) {
                            IntFunction<Batch> batches = i -> sampler.at(global, first + i * rows, rows);
                            r = graphed != null ? graphed.step(batches, lr) : step(model, opt, micro, batches, lr, cfg.gradClip(), world);
                            r.lossOnDevice().moveTo(unread);
                            r.gradNormOnDevice().moveTo(unread);
                        }
                        window.add(new Dispatched(step, lr, r, System.nanoTime(), world.collectiveSeconds() - collective0));
                    } while (step < cfg.steps() && !readDue(step));
                    double[] read = read(window);                             // waits for the window's last step
                    long readAt = System.nanoTime();                          // the window's last step is done by now
                    int good = 0;                                              // steps of the window before a non-finite one
                    while (good < window.size() && Double.isFinite(read[2 * good]) && Double.isFinite(read[2 * good + 1])) good++;
                    Double val = null;
                    if (good == window.size()) {
                        lastLoss = read[2 * good - 2];
                        if (valid != null && evalDue(step)) {
                            val = Evaluator.evaluate(model, valid, evalWindows, Math.max(1, cfg.batchSize() / ranks), world).loss();
                            lastVal = val;
                        }
                    }
                    if (world.isMain()) {
                        for (int i = 0; i < good; i++) {
                            Dispatched d = window.get(i);
                            long nanos = i == window.size() - 1 ? readAt : d.nanos();
                            double sec = (nanos - t0) / 1e9, tps = (d.step() - start) * tokensPerStep / sec;
                            Double v = d.step() == step ? val : null;
                            var row = metrics.row().put("step", d.step()).put("tokens", d.step() * tokensPerStep).put("wall_s", wall0 + sec)
                                    .put("train_loss", read[2 * i]).put("lr", d.lr()).put("grad_norm", read[2 * i + 1]).put("tokens_per_s", tps);
                            if (ranks > 1) row.put("world_size", ranks).put("allreduce_s", d.collectiveSeconds());
                            if (v != null) row.put("val_loss", v);
                            metrics.write(row);
                            listener.step(d.step(), cfg.steps(), read[2 * i], d.lr(), tps, v);
                        }
                    }
                    if (good < window.size()) {                               // that step's update was skipped on the device
                        Dispatched d = window.get(good);
                        double loss = read[2 * good], norm = read[2 * good + 1];
                        throw Double.isFinite(loss) ? new DivergedException("the gradient norm", norm, d.step(), d.lr(), lastGood)
                                : new DivergedException("loss", loss, d.step(), d.lr(), lastGood);
                    }
                    if (saveDue(step)) {
                        Path ckpt = out.resolve(String.format(Locale.ROOT, "step-%06d.safetensors", step));
                        if (world.isMain()) {
                            Checkpoint.save(ckpt, model, opt, sampler.rngState(), Map.of(RunFolder.SETTINGS, RunFolder.settingsJson(cfg)));
                            Checkpoint.copy(ckpt, last);
                        }
                        world.barrier();                                  // a checkpoint is complete before anyone goes on
                        lastGood = ckpt;
                    }
                }
            }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        return new Summary(start + 1, cfg.steps(), lastLoss, lastVal, sec, (cfg.steps() - start) * tokensPerStep, lastGood, replaced[0]);
    }

    /** A step dispatched to the device, its numbers not yet read: what the host knew then ({@code nanos}: its clock). */
    private record Dispatched(long step, double lr, StepResult result, long nanos, double collectiveSeconds) {}

    /** {lossᵢ, normᵢ, …} of the window's steps, in one read (it waits for the last of them). */
    private static double[] read(List<Dispatched> window) {
        Tensor[] all = new Tensor[2 * window.size()];
        for (int i = 0; i < window.size(); i++) {
            all[2 * i] = window.get(i).result().lossOnDevice();
            all[2 * i + 1] = window.get(i).result().gradNormOnDevice();
        }
        try (var s = TensorScope.open()) {
            return Torch.stack(0, all).toDoubleArray();
        }
    }

    private boolean evalDue(long step) {
        return step % cfg.evalEvery() == 0 || step == cfg.steps();
    }

    private boolean saveDue(long step) {
        return step % cfg.saveEvery() == 0 || step == cfg.steps();
    }

    /** Whether the numbers of the steps up to {@code step} are read now: every readEvery steps, before an evaluation or a checkpoint. */
    private boolean readDue(long step) {
        return step % cfg.readEvery() == 0 || (cfg.valid() != null && evalDue(step)) || saveDue(step);
    }

    /**
     * {@code steps} training steps of this configuration under libtorch's profiler, after 2 unprofiled warm-up steps,
     * in one process; nothing is written to the run folder. The raw events go to {@code events}.
     */
    public StepProfile profile(int steps, Path events) throws IOException {
        if (steps <= 0) throw new IllegalArgumentException("profiled steps must be positive, got " + steps);
        requireMicroBatches(1);
        useMachine();
        int micro = cfg.gradAccum(), rows = cfg.batchSize() / micro;
        try (TokenFile train = TokenFile.open(cfg.train(), cfg.model().vocabSize(), "vocab_size");
             World world = World.solo();
             TensorScope run = TensorScope.open()) {
            Parts parts = build(train);
            TransformerLm model = parts.model();
            AdamW opt = parts.opt();
            BatchSampler sampler = parts.sampler();
            long t0 = 0;
            for (int i = -2; i < steps; i++) {
                if (i == 0) {
                    Torch.synchronize(cfg.device());
                    Profiler.start(false, cfg.device().isCuda());
                    t0 = System.nanoTime();
                }
                long[] global = sampler.nextStarts();
                try (var s = TensorScope.open()) {
                    step(model, opt, micro, j -> sampler.at(global, j * rows, rows), cfg.schedule().lr(0),
                            cfg.gradClip(), world);
                }
            }
            Torch.synchronize(cfg.device());
            double wallMs = (System.nanoTime() - t0) / 1e6;
            Profiler.stop(events);
            return StepProfile.read(events, steps, wallMs);
        }
    }

    /** Every rank and micro-batch takes an equal share of the global batch, and one share's activations fit in memory. */
    private void requireMicroBatches(int ranks) {
        int micro = cfg.gradAccum();
        if (cfg.batchSize() % (ranks * micro) != 0) {
            throw new JlmException("batch_size " + cfg.batchSize() + " is not divisible by world size " + ranks + " × grad_accum " + micro
                    + ": every rank and micro-batch takes an equal share of the global batch").naming("batch_size", "grad_accum");
        }
        MemoryBudget.require(cfg.model(), cfg.batchSize() / ranks / micro, true, cfg.device());
    }

    /** Whether a run of {@code cfg} on {@code ranks} processes replays its step as a CUDA graph (after the warm-up steps). */
    public static boolean capturesSteps(TrainConfig cfg, int ranks) {
        return GraphedStep.wanted(cfg, ranks);
    }

    /** cuda_graphs on where a graph cannot be: refused before any work. */
    private void requireGraphs(int ranks) {
        if (cfg.cudaGraphs() != CudaGraph.Mode.ON) return;
        if (ranks > 1) {
            throw new JlmException("cuda_graphs on: a CUDA graph captures the step of one process, and this job has " + ranks
                    + " ranks; leave cuda_graphs at auto").naming("cuda_graphs");
        }
        if (!dev.jlm.tensor.CudaGraph.available()) {
            throw new JlmException("cuda_graphs on: this shim cannot capture a step (it needs libtorch 2.3+ with CUDA; it has libtorch "
                    + Torch.version() + "); leave cuda_graphs at auto").naming("cuda_graphs");
        }
    }

    /** The configured intra-op threads and device (an error naming the device when it is missing). */
    private void useMachine() {
        if (cfg.threads() > 0) Torch.setNumThreads(cfg.threads());
        Torch.requireDevice(cfg.device());
    }

    /** What a run and a profile both start from: the seeded model, its optimizer and the batch sampler over {@code train}. */
    private record Parts(TransformerLm model, AdamW opt, BatchSampler sampler) {}

    private Parts build(TokenFile train) {
        Torch.manualSeed(cfg.seed());
        TransformerLm model = new TransformerLm(cfg.model(), cfg.device(), cfg.dtype(), cfg.kernels().kernels());
        return new Parts(model, new AdamW(model.params().named(), cfg.adamw()),
                new BatchSampler(train, cfg.batchSize(), cfg.model().contextLength(), cfg.device(), cfg.seed()));
    }

    /**
     * One step's numbers, left on the device as () float32: the loss (the mean over micro-batches and ranks) and the
     * global gradient norm before clipping (null when no parameter had a gradient). Reading one waits for the step.
     */
    public record StepResult(Tensor lossOnDevice, Tensor gradNormOnDevice) {
        public double loss() {
            return lossOnDevice.item();
        }

        public double gradNorm() {
            return gradNormOnDevice == null ? Double.NaN : gradNormOnDevice.item();
        }
    }

    /**
     * One optimizer step on one batch, one process, in the caller's TensorScope: forward, loss, backward, clip, AdamW,
     * zero grads. A non-finite loss or gradient norm skips the update, so the parameters stay those of the last good step.
     */
    public static StepResult step(TransformerLm model, AdamW opt, Batch batch, double lr, double gradClip) {
        return step(model, opt, 1, i -> batch, lr, gradClip, World.solo());
    }

    /**
     * One optimizer step over {@code k} micro-batches on this rank ({@code micro.apply(i)}, each made and freed in its
     * own scope): the loss of each is scaled by 1/k before backward, so the accumulated gradient is that of their mean;
     * then the loss and the gradients are averaged across the ranks of {@code world}, clipped, and AdamW steps, unless the
     * loss or the norm is not finite (the same on every rank). Nothing is read back on the host: the skip is a mask on the
     * device, and the result's tensors are read when the caller wants them.
     */
    public static StepResult step(TransformerLm model, AdamW opt, int k, IntFunction<Batch> micro, double lr, double gradClip, World world) {
        Tensor rate = Torch.full(lr, DType.FLOAT32, model.params().device());
        return step(model, opt, k, micro, rate, gradClip, world);
    }

    /** The same with the learning rate {@code lr} () float32 on the device (what a captured step reads at each replay). */
    static StepResult step(TransformerLm model, AdamW opt, int k, IntFunction<Batch> micro, Tensor lr, double gradClip, World world) {
        Tensor loss = null;                                                         // () float32: Σ lossᵢ/k so far
        for (int i = 0; i < k; i++) {
            try (var s = TensorScope.open()) {
                Tensor l = model.loss(micro.apply(i));                              // ()
                Tensor share = k == 1 ? l : l.mul(1.0 / k);
                try (var r = Profiler.range("backward")) {
                    share.backward();
                }
                Tensor d = share.detach();
                loss = (loss == null ? d : loss.add(d)).keep();
            }
        }
        world.averageInPlace(loss);
        List<Tensor> grads = GradClip.gradients(model.params().named().values());
        if (grads.isEmpty()) return new StepResult(loss, null);
        try (var r = Profiler.range("allreduce")) {
            world.averageGradients(grads);
        }
        Tensor norm;
        try (var r = Profiler.range("clip")) {
            norm = GradClip.clipGradients(grads, gradClip);
        }
        try (var r = Profiler.range("optimizer")) {
            Tensor skip = MultiTensor.nonfinite(List.of(loss, norm));
            opt.step(lr, skip);
        }
        try (var r = Profiler.range("zero_grad")) {
            MultiTensor.zero_(grads);                 // in place: the next backward reuses the buffers
        }
        return new StepResult(loss, norm);
    }
}
