package dev.jlm.bench;

import dev.jlm.nn.Accounting;
import dev.jlm.nn.ModelConfig;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.train.TrainConfig;
import dev.jlm.train.Trainer;
import dev.jlm.io.AtomicFolder;
import dev.jlm.testing.TokenFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * jlm's training loop as `jlm train` runs it with its defaults (fused kernels, a CUDA graph where it can, reads every
 * few steps), on a seeded token file under /tmp (dev.jlm.testing.TokenFiles): max(5, STEPS) warm-up steps, then STEPS
 * timed from the read after the warm-up to the read after the last step (both wait for the device, and none comes
 * between them, as the Python peer synchronizes once at the end). Prints JSON like the peer
 * (scripts/reference/model_ref.py bench-gpu) and the step's FLOPs (3 × the forward's, by {@link Accounting}).
 * Usage: TrainBench DEVICE DTYPE MODEL BATCH STEPS [auto|off]   (MODEL tinystories or gpt2-small; the last: --cuda-graphs)
 */
public final class TrainBench {
    public static void main(String[] args) throws IOException {
        Device device = Device.parse(args[0]);
        DType dtype = DType.parse(args[1]);
        ModelConfig c = BenchModels.of(args[2]);
        int batch = Integer.parseInt(args[3]), steps = Integer.parseInt(args[4]), warm = Math.max(5, steps);
        var graphs = CudaGraph.Mode.valueOf((args.length > 5 ? args[5] : "auto").toUpperCase(Locale.ROOT));
        Path dir = Files.createTempDirectory("jlm-trainbench");
        Path tokens = TokenFiles.random(dir.resolve("train.u16"), batch * (c.contextLength() + 1) * 64, c.vocabSize(), 1);
        // reads at step `warm` and at the last step only: log_every = warm, and the run ends at warm + steps ≤ 2·warm
        TrainConfig cfg = TrainConfig.builder().model(c).train(tokens).out(dir.resolve("run")).batchSize(batch).steps(warm + steps)
                .saveEvery(1_000_000).device(device).dtype(dtype).logEvery(warm).cudaGraphs(graphs).threads(0).build();
        long[] at = new long[2];                                       // nanoTime when the warm-up's and the last step's reads came
        Trainer.Summary s = new Trainer(cfg).run((step, n, loss, lr, tps, val) -> {
            if (step == warm) at[0] = System.nanoTime();
            if (step == warm + steps) at[1] = System.nanoTime();
        });
        double ms = (at[1] - at[0]) / 1e6 / steps;
        double flops = 3 * new Accounting(c, batch).totalForwardFlops();
        System.out.printf(Locale.ROOT, "{\"device\": \"%s\", \"dtype\": \"%s\", \"model\": \"%s\", \"batch\": %d, \"cuda_graphs\": \"%s\","
                        + " \"graphed\": %b, \"step_ms\": %.2f, \"tokens_per_s\": %.0f, \"flops\": %.4g, \"final_loss\": %.4f}%n",
                device, args[1], args[2], batch, args.length > 5 ? args[5] : "auto", Trainer.capturesSteps(cfg, 1), ms,
                batch * c.contextLength() / ms * 1e3, flops, s.finalTrainLoss());
        AtomicFolder.deleteTree(dir);
    }
}
