package dev.jlm.bench;

import dev.jlm.data.Batch;
import dev.jlm.nn.Accounting;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.train.Trainer;
import java.util.Arrays;
import java.util.Locale;

/**
 * One training step (forward, backward, clip, AdamW) of the CS336 TinyStories model in jlm; prints JSON like the
 * Python peer (scripts/reference/model_ref.py bench). Median of STEPS after 2 warm-up steps.
 * Also prints the step's FLOPs (3 × the forward's, by {@link Accounting}).
 * Usage: StepBench THREADS BATCH STEPS [primitives|fused] [DEVICE] [float32|bfloat16] [tinystories|demo|gpt2-small]
 */
public final class StepBench {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]), batch = Integer.parseInt(args[1]), steps = Integer.parseInt(args[2]);
        boolean fused = args.length > 3 && args[3].equals("fused");
        Device dev = Device.parse(args.length > 4 ? args[4] : "cpu");
        DType dtype = DType.parse(args.length > 5 ? args[5] : "float32");
        Torch.setNumThreads(threads);
        ModelConfig c = BenchModels.of(args.length > 6 ? args[6] : "tinystories");
        double flops = 3 * new Accounting(c, batch).totalForwardFlops();
        int t = c.contextLength();
        try (var run = TensorScope.open()) {
            Torch.manualSeed(0);
            TransformerLm model = new TransformerLm(c, dev, dtype, (fused ? Kernels.FUSED : Kernels.REFERENCE));
            AdamW opt = new AdamW(model.params().named(), AdamWConfig.DEFAULT);
            double[] ms = new double[steps];
            for (int i = -2; i < steps; i++) {
                try (var s = TensorScope.open()) {
                    long t0 = System.nanoTime();
                    Tensor ids = Torch.randint(0, c.vocabSize(), Device.CPU, batch, t + 1).to(dev);
                    Batch b = new Batch(ids.narrow(1, 0, t), ids.narrow(1, 1, t));
                    Trainer.step(model, opt, b, 1e-3, 1.0);
                    Torch.synchronize(dev);
                    if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(ms);
            double med = ms[steps / 2];
            System.out.printf(Locale.ROOT, "{\"device\": \"%s\", \"dtype\": \"%s\", \"threads\": %d, \"batch\": %d, \"fused\": %b, \"step_ms\": %.1f, \"tokens_per_s\": %.0f, \"live_handles\": %d, \"flops\": %.4g}%n",
                    dev, dtype.name().toLowerCase(Locale.ROOT), threads, batch, fused, med, batch * t / med * 1e3, Tensor.liveHandles(), flops);
        }
    }
}
