package dev.jlm.train;

import dev.jlm.JlmException;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.data.Batch;
import dev.jlm.io.AtomicFile;
import dev.jlm.data.BatchSampler;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.Loss;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.optim.GradClip;
import dev.jlm.tensor.Fused;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The training loop: batch → forward → loss → backward → clip → AdamW, with evaluation, metrics and checkpoints. */
public final class Trainer {
    public static final String LAST = "last.safetensors";

    /** What the loop reports after each step (for a progress bar). */
    public interface Listener {
        void step(long step, long steps, double loss, double lr, double tokensPerSecond, Double valLoss);
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

    public Summary run(Listener listener) throws IOException {
        Path out = cfg.out();
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new JlmException("--out " + out + ": folder " + parent + " does not exist");
        MemoryBudget.require(cfg.model(), cfg.batchSize(), true, cfg.device());
        RunFolder.check(out, cfg.resume(), cfg.overwrite());           // refuse a clobber before any work
        if (cfg.threads() > 0) Torch.setNumThreads(cfg.threads());
        Torch.requireDevice(cfg.device());
        int vocab = cfg.model().vocabSize(), ctx = cfg.model().contextLength();

        try (TokenFile train = TokenFile.open(cfg.train(), vocab, "--vocab-size");                   // ids checked per batch
             TokenFile valid = cfg.valid() == null ? null : TokenFile.open(cfg.valid(), vocab, "--vocab-size");
             TensorScope run = TensorScope.open()) {
            Path replaced = RunFolder.prepare(out, cfg.resume(), cfg.overwrite());   // inputs are good: only now touch the folder
            Files.createDirectories(out);
            Torch.manualSeed(cfg.seed());
            TransformerLm model = new TransformerLm(cfg.model(), cfg.device(), cfg.dtype(), cfg.kernels());
            AdamW opt = new AdamW(model.params().named(), cfg.adamw());
            BatchSampler sampler = new BatchSampler(train, cfg.batchSize(), ctx, cfg.device(), cfg.seed());
            long start = 0;
            Path last = out.resolve(LAST);
            if (cfg.resume() && Files.isRegularFile(last)) {
                Checkpoint.loadWeights(last, model);
                Checkpoint.TrainState st = Checkpoint.loadTraining(last, opt);
                start = st.step();
                sampler.setRngState(st.samplerState());
                if (start >= cfg.steps()) return new Summary(start + 1, start, Double.NaN, null, 0, 0, last, null);   // already complete
                Metrics.truncateAfter(out, start);     // rows a crash left past the checkpoint are history that never was
            } else if (cfg.initFrom() != null) {
                Checkpoint.loadWeights(cfg.initFrom(), model);                                       // weights only
            }
            Path lastGood = start > 0 ? last : null;
            long tokensPerStep = (long) cfg.batchSize() * ctx;
            double lastLoss = Double.NaN;
            Double lastVal = null;
            long t0 = System.nanoTime();
            try (Metrics metrics = new Metrics(out, start > 0)) {
                for (long step = start + 1; step <= cfg.steps(); step++) {
                    double lr = cfg.schedule().lr(step - 1);
                    StepResult r;
                    try (var s = TensorScope.open()) {
                        r = step(model, opt, sampler.next(), lr, cfg.gradClip());
                    }
                    double loss = r.loss(), norm = r.gradNorm();
                    if (!Double.isFinite(loss)) {
                        throw new DivergedException(loss, step, lr, lastGood);
                    }
                    lastLoss = loss;
                    double sec = (System.nanoTime() - t0) / 1e9;
                    double tps = (step - start) * tokensPerStep / sec;
                    Double val = null;
                    if (valid != null && (step % cfg.evalEvery() == 0 || step == cfg.steps())) {
                        val = Evaluator.evaluate(model, valid, cfg.evalWindows(), cfg.batchSize()).loss();
                        lastVal = val;
                    }
                    var row = metrics.row().put("step", step).put("tokens", step * tokensPerStep).put("wall_s", sec)
                            .put("train_loss", loss).put("lr", lr).put("grad_norm", norm).put("tokens_per_s", tps);
                    if (val != null) row.put("val_loss", val);
                    metrics.write(row);
                    listener.step(step, cfg.steps(), loss, lr, tps, val);
                    if (step % cfg.saveEvery() == 0 || step == cfg.steps()) {
                        Path ckpt = out.resolve(String.format(Locale.ROOT, "step-%06d.safetensors", step));
                        Checkpoint.save(ckpt, model, opt, sampler.rngState(), Map.of());
                        AtomicFile.copy(Checkpoint.optimFile(ckpt), Checkpoint.optimFile(last));  // sibling first,
                        AtomicFile.copy(ckpt, last);                                            // then the weights
                        lastGood = ckpt;
                    }
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            return new Summary(start + 1, cfg.steps(), lastLoss, lastVal, sec, (cfg.steps() - start) * tokensPerStep, lastGood, replaced);
        }
    }

    public record StepResult(double loss, double gradNorm) {}

    /**
     * One optimizer step in the caller's TensorScope: forward, loss, backward, clip, AdamW, zero grads. A non-finite
     * loss skips backward and the update, so the parameters stay those of the last good step.
     */
    public static StepResult step(TransformerLm model, AdamW opt, Batch batch, double lr, double gradClip) {
        Tensor logits = model.forward(batch.inputs());                                          // (B, T, V)
        Tensor l = model.kernels() == Kernels.FUSED ? Fused.crossEntropy(logits, batch.targets()) : Loss.crossEntropy(logits, batch.targets()); // ()
        double loss = l.item();
        if (!Double.isFinite(loss)) return new StepResult(loss, Double.NaN);
        l.backward();
        double norm = GradClip.clip(model.params().named().values(), gradClip);
        opt.step(lr);
        for (Tensor p : model.params().named().values()) {      // zero in place: the next backward reuses the buffers
            Tensor g = p.grad();                                 // instead of faulting in fresh pages every step
            if (g != null) g.zero_();
        }
        return new StepResult(loss, norm);
    }
}
