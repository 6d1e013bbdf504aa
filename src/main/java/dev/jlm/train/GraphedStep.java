package dev.jlm.train;

import dev.jlm.data.Batch;
import dev.jlm.dist.World;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.GraphedWork;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The training step of one process on one GPU as a CUDA graph: {@link #WARMUP} eager steps on the graph's side stream,
 * then the step is captured once — forward, loss, backward, clipping and AdamW, with the learning rate and AdamW's step
 * count as device tensors — and every later step is a copy of its micro-batches into the graph's input buffers, a fill
 * of the learning rate and one replay. A replay runs the kernels the eager step runs, on the same buffers. Under
 * {@code cuda_graphs auto} a capture that fails says so once and the run goes on with eager steps (the run folder is
 * untouched); under {@code on} it stops the run.
 */
final class GraphedStep implements AutoCloseable {
    static final int WARMUP = 3;

    private final TransformerLm model;
    private final AdamW opt;
    private final double gradClip;
    private final Batch[] inputs;             // k micro-batches, (rows, T) int64 each: what every step reads
    private final Tensor lr;                  // () float32
    private final GraphedWork<Trainer.StepResult> work;

    /** For micro-batches of {@code rows} × {@code t} tokens, {@code k} a step; its buffers join the current scope. */
    GraphedStep(TransformerLm model, AdamW opt, int k, int rows, int t, double gradClip, CudaGraph.Mode mode) {
        this.model = model;
        this.opt = opt;
        this.gradClip = gradClip;
        Device d = model.params().device();
        inputs = new Batch[k];
        for (int i = 0; i < k; i++) inputs[i] = new Batch(Torch.zeros(DType.INT64, d, rows, t), Torch.zeros(DType.INT64, d, rows, t));
        lr = Torch.zeros(DType.FLOAT32, d);
        work = new GraphedWork<>(d, mode, "the training step", WARMUP, this::eagerStep, r -> List.of(r.lossOnDevice(), r.gradNormOnDevice()));
    }

    /** Whether a run of this configuration on {@code ranks} processes trains with a graph. */
    static boolean wanted(TrainConfig cfg, int ranks) {
        return switch (cfg.cudaGraphs()) {
            case OFF -> false;
            case AUTO -> cfg.device().isCuda() && ranks == 1 && CudaGraph.available();
            case ON -> true;
        };
    }

    /** One step on these micro-batches: eager while warming up, then (after one capture) a replay. In the caller's scope. */
    Trainer.StepResult step(IntFunction<Batch> micro, double lrValue) {
        try (var g = NoGrad.enter()) {
            for (int i = 0; i < inputs.length; i++) {
                Batch b = micro.apply(i);
                inputs[i].inputs().copy_(b.inputs());
                inputs[i].targets().copy_(b.targets());
            }
            lr.fill_(lrValue);
        }
        if (!work.replaying()) return work.run();            // a warm-up step, or eager after a failed capture
        Trainer.StepResult out = work.run();                  // the graph's outputs: the next replay overwrites them
        if (work.fellBack()) return out;                      // this very run's capture failed: an eager step's own result
        return new Trainer.StepResult(out.lossOnDevice().clone(), out.gradNormOnDevice().clone());
    }

    private Trainer.StepResult eagerStep() {
        return Trainer.step(model, opt, inputs.length, i -> inputs[i], lr, gradClip, World.solo());
    }

    @Override
    public void close() {
        work.close();
    }
}
