package dev.jlm.gpu;

import dev.jlm.nn.Functional;
import dev.jlm.nn.Loss;
import dev.jlm.nn.Rope;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Fused;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.TorchException;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.Npz;
import java.util.ArrayList;
import java.util.List;

/**
 * The device check run by scripts/gpu-check (no JUnit on the lent machine: a plain main that prints a Markdown
 * report and exits non-zero on any failed check). Same oracles as the unit tests, on the given device.
 * Usage: GpuCheck DEVICE
 */
public final class GpuCheck {
    enum Status { PASS, FAIL, NOT_RUN }

    record Result(String check, Status status, String detail) {}

    /** Thrown by a check that cannot run here (say, a kernel this libtorch lacks): reported "not run", never "pass". */
    static final class NotRun extends RuntimeException {
        NotRun(String why) {
            super(why);
        }
    }

    static final List<Result> results = new ArrayList<>();

    static void check(String name, Runnable r) {
        try (var s = TensorScope.open()) {
            r.run();
            results.add(new Result(name, Status.PASS, ""));
        } catch (NotRun n) {
            results.add(new Result(name, Status.NOT_RUN, n.getMessage()));
        } catch (Throwable t) {
            results.add(new Result(name, Status.FAIL, String.valueOf(t.getMessage()).replace('\n', ' ')));
        }
    }

    /** A check that reports a detail when it passes (a measured difference, a time). */
    static void check(String name, java.util.function.Supplier<String> r) {
        try (var s = TensorScope.open()) {
            results.add(new Result(name, Status.PASS, r.get()));
        } catch (NotRun n) {
            results.add(new Result(name, Status.NOT_RUN, n.getMessage()));
        } catch (Throwable t) {
            results.add(new Result(name, Status.FAIL, String.valueOf(t.getMessage()).replace('\n', ' ')));
        }
    }

    /**
     * 50 steps of a small model trained by Trainer.run eagerly twice and with the step as a CUDA graph once: the losses of
     * every step, read back in windows of 10. Replays run the eager step's kernels on the same buffers, but a backward
     * with atomic adds (the embedding's) need not repeat itself even eagerly: the graph may differ from eager by
     * max(1e-6, 3 × the spread of the two eager runs), and the check says both numbers.
     */
    static String graphsAgree(Device d, dev.jlm.tensor.DType dt) {
        if (!dev.jlm.tensor.CudaGraph.available()) throw new NotRun("this shim cannot capture a step (libtorch " + Torch.version() + ")");
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jlm-graphs");
            java.nio.file.Path train = dev.jlm.testing.TokenFiles.random(dir.resolve("t.bin"), 200_000, 512, 1);
            var c = dev.jlm.nn.ModelConfig.builder().vocabSize(512).contextLength(128).dModel(128).numLayers(2).numHeads(4).build();
            var modes = new dev.jlm.tensor.CudaGraph.Mode[] {dev.jlm.tensor.CudaGraph.Mode.OFF, dev.jlm.tensor.CudaGraph.Mode.OFF,
                    dev.jlm.tensor.CudaGraph.Mode.ON};
            double[][] losses = new double[modes.length][50];
            double[] seconds = new double[modes.length];
            for (int m = 0; m < modes.length; m++) {
                var cfg = dev.jlm.train.TrainConfig.builder().model(c).train(train).out(dir.resolve(modes[m].name() + m)).batchSize(16).steps(50)
                        .saveEvery(1000).seed(3).device(d).dtype(dt).threads(0).logEvery(10).cudaGraphs(modes[m]).build();
                double[] l = losses[m];
                seconds[m] = new dev.jlm.train.Trainer(cfg).run((step, n, loss, lr, tps, val) -> l[(int) step - 1] = loss).seconds();
            }
            double spread = 0, worst = 0;
            for (int i = 0; i < 50; i++) {
                spread = Math.max(spread, Math.abs(losses[0][i] - losses[1][i]));
                worst = Math.max(worst, Math.abs(losses[0][i] - losses[2][i]));
            }
            double bound = Math.max(1e-6, 3 * spread);
            if (!(worst <= bound)) throw new AssertionError("graph vs eager losses differ by up to " + worst + ", eager vs eager by " + spread);
            return (worst == 0 ? "bit-identical" : "max |diff| " + worst) + " (eager vs eager: " + spread + ")" + String.format(java.util.Locale.ROOT,
                    "; 50 steps eager %.2f s, with the graph %.2f s", seconds[0], seconds[2]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The Generator with its decode steps as CUDA graphs and without: the same ids for 16 + 150 tokens in a context of
     * 64, under either window (halve: re-prefills; sliding: 102 full-window steps), greedy and top-p. The eager path
     * attends over the cached keys only, the graph over all C with the later ones masked: equal ids unless two logits
     * are within rounding of each other.
     */
    static String decodingGraphsAgree(Device d) {
        if (!d.isCuda()) throw new NotRun("CUDA graphs need a CUDA device");
        if (!dev.jlm.tensor.CudaGraph.available()) throw new NotRun("this shim cannot capture (libtorch " + Torch.version() + ")");
        var c = dev.jlm.nn.ModelConfig.builder().vocabSize(10_000).contextLength(64).dModel(256).numLayers(4).numHeads(8).build();
        Torch.manualSeed(6);
        var model = new dev.jlm.nn.TransformerLm(c, d, dev.jlm.tensor.DType.FLOAT32, dev.jlm.nn.Kernels.FUSED);
        int[] prompt = new java.util.SplittableRandom(2).ints(16, 0, c.vocabSize()).toArray();
        StringBuilder detail = new StringBuilder();
        for (var window : dev.jlm.generate.Generator.Window.values())
        for (var sampler : List.of(dev.jlm.generate.Sampler.of(0, 1), dev.jlm.generate.Sampler.of(1.0, 0.9))) {
            int[][] ids = new int[2][];
            double[] seconds = new double[2];
            var modes = new dev.jlm.tensor.CudaGraph.Mode[] {dev.jlm.tensor.CudaGraph.Mode.OFF, dev.jlm.tensor.CudaGraph.Mode.ON};
            for (int m = 0; m < 2; m++) {
                try (var gen = new dev.jlm.generate.Generator(model, true, window, modes[m])) {
                    gen.generate(prompt, 150, sampler, 9, t -> true);                      // warm-up (and capture)
                    long t0 = System.nanoTime();
                    ids[m] = gen.generate(prompt, 150, sampler, 9, t -> true);
                    seconds[m] = (System.nanoTime() - t0) / 1e9;
                }
            }
            int first = 0;
            while (first < 150 && ids[0][first] == ids[1][first]) first++;
            String what = window.name().toLowerCase(java.util.Locale.ROOT) + " " + (sampler instanceof dev.jlm.generate.Sampler.Greedy ? "greedy" : "top-p");
            if (first < 150) throw new AssertionError(what + ": ids differ from token " + first);
            detail.append(String.format(java.util.Locale.ROOT, "%s%s: eager %.0f, graph %.0f tokens/s", detail.isEmpty() ? "" : "; ",
                    what, 150 / seconds[0], 150 / seconds[1]));
        }
        return detail.toString();
    }

    static Tensor seeded(long seed, Device d, long... shape) {
        Torch.manualSeed(seed);
        return Torch.randn(shape).to(d);
    }

    static void close(float[] expected, float[] actual, double atol) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        if (expected.length != actual.length || !(worst <= atol)) throw new AssertionError("max |diff| " + worst + " > " + atol);
    }

    public static void main(String[] args) {
        Device d = Device.parse(args.length > 0 ? args[0] : "cuda:0");
        System.out.println("# jlm device check on " + d);
        System.out.println();
        System.out.println("- libtorch " + Torch.version() + " from " + Torch.libraryPath());
        System.out.println("- CUDA available: " + Torch.cudaAvailable() + ", devices: " + Torch.devices());
        System.out.println("- fused sdpa in this libtorch: " + Fused.hasSdpa());
        long live0 = Tensor.liveHandles();

        check("device usable", () -> Torch.requireDevice(d));
        check("sdpa 3D = official snapshot", () -> {
            Tensor m = seeded(5, d, 4, 12, 16).gt(0.5);
            Tensor out = Functional.scaledDotProductAttention(seeded(1, d, 4, 12, 64), seeded(2, d, 4, 16, 64), seeded(3, d, 4, 16, 64), m);
            if (!out.device().equals(d)) throw new AssertionError("result on " + out.device());
            close(Npz.array("/snapshots/test_scaled_dot_product_attention.npz").data(), out.toFloatArray(), 1e-5);
        });
        check("sdpa 4D = official snapshot", () -> {
            Tensor m = seeded(5, d, 4, 12, 16).gt(0.5).reshape(2, 2, 12, 16);
            Tensor out = Functional.scaledDotProductAttention(seeded(1, d, 4, 12, 64).reshape(2, 2, 12, 64),
                    seeded(2, d, 4, 16, 64).reshape(2, 2, 16, 64), seeded(3, d, 4, 16, 64).reshape(2, 2, 16, 64), m);
            close(Npz.array("/snapshots/test_4d_scaled_dot_product_attention.npz").data(), out.toFloatArray(), 1e-5);
        });
        check("rope = official snapshot", () -> {
            Tensor out = new Rope(10000.0, 64, 12, d).forward(seeded(4, d, 4, 12, 64), Torch.arange(12).to(d));
            close(Npz.array("/snapshots/test_rope.npz").data(), out.toFloatArray(), 1e-5);
        });
        check("fused sdpa = reference sdpa", () -> {
            if (!Fused.hasSdpa()) throw new NotRun("libtorch " + Torch.version() + " has no scaled_dot_product_attention");
            Tensor q = seeded(1, d, 4, 12, 64), k = seeded(2, d, 4, 16, 64), v = seeded(3, d, 4, 16, 64);
            Tensor m = seeded(5, d, 4, 12, 16).gt(0.5);
            close(Functional.scaledDotProductAttention(q, k, v, m).toFloatArray(), Fused.sdpa(q, k, v, m, false).toFloatArray(), 1e-4);
        });
        check("softmax / cross-entropy = fused, logits x1000", () -> {
            Tensor logits = seeded(0, d, 4, 7, 11).mul(1000);
            Torch.manualSeed(0);
            Tensor targets = Torch.randint(0, 11, Device.CPU, 4, 7).to(d);
            close(Fused.softmax(logits, -1).toFloatArray(), Functional.softmax(logits, -1).toFloatArray(), 1e-6);
            double a = Fused.crossEntropy(logits, targets).item(), b = Loss.crossEntropy(logits, targets).item();
            if (Math.abs(a - b) > 1e-3 * Math.max(1, Math.abs(a))) throw new AssertionError(a + " vs " + b);
        });
        check("invalid device cuda:99 is an exception", () -> {
            try {
                Torch.zeros(dev.jlm.tensor.DType.FLOAT32, Device.cuda(99), 1);
                throw new AssertionError("no exception");
            } catch (TorchException expected) {
                if (!expected.getMessage().contains("cuda:99")) throw new AssertionError(expected.getMessage());
            }
        });
        check("2,000 training steps: live handles flat", () -> {
            Tensor w = seeded(0, d, 256, 256).mul(0.05).requiresGrad(true);
            long live = Tensor.liveHandles();
            for (int i = 0; i < 2000; i++) {
                try (var s = TensorScope.open()) {
                    Tensor loss = seeded(i, d, 64, 256).matmul(w).sigmoid().pow(2).mean();
                    loss.backward();
                    try (var g = NoGrad.enter()) {
                        w.add_(w.grad(), -0.1);
                    }
                    w.clearGrad();
                }
                if (Tensor.liveHandles() != live) throw new AssertionError("leak at step " + i);
            }
        });

        for (dev.jlm.tensor.DType dt : new dev.jlm.tensor.DType[] {dev.jlm.tensor.DType.FLOAT32, dev.jlm.tensor.DType.BFLOAT16}) {
            check("TransformerLm trains on " + d + " in " + dt + " (loss falls over 30 steps)", () -> {
                var c = dev.jlm.nn.ModelConfig.builder().vocabSize(512).contextLength(64).dModel(128).numLayers(2).numHeads(4).build();
                Torch.manualSeed(0);
                var model = new dev.jlm.nn.TransformerLm(c, d, dt, dev.jlm.nn.Kernels.FUSED);
                var opt = new dev.jlm.optim.AdamW(model.params().named(), new dev.jlm.optim.AdamWConfig(0.9, 0.95, 1e-8, 0.1));
                double first = 0, last = 0;
                for (int i = 0; i < 30; i++) {
                    try (var s = TensorScope.open()) {
                        long[] v = new long[8 * 65];
                        for (int k = 0; k < v.length; k++) v[k] = (k * 7L + i) % 97;       // a learnable pattern
                        Tensor ids = Torch.fromArray(v, 8, 65).to(d);
                        var r = dev.jlm.train.Trainer.step(model, opt, new dev.jlm.data.Batch(ids.narrow(1, 0, 64), ids.narrow(1, 1, 64)), 3e-3, 1.0);
                        if (i == 0) first = r.loss();
                        last = r.loss();
                    }
                }
                if (!(last < first - 1)) throw new AssertionError("loss " + first + " -> " + last);
            });
        }

        for (dev.jlm.tensor.DType dt : new dev.jlm.tensor.DType[] {dev.jlm.tensor.DType.FLOAT32, dev.jlm.tensor.DType.BFLOAT16}) {
            check("CUDA graphs: 50 steps replayed = 50 eager steps in " + dt + " (losses within max(1e-6, 3 × eager's own spread))",
                    (java.util.function.Supplier<String>) () -> graphsAgree(d, dt));
        }

        check("top-p on " + d + " draws what the host draws (300 draws, same uniforms)", () -> {
            java.util.SplittableRandom gen = new java.util.SplittableRandom(5);
            for (int trial = 0; trial < 60; trial++) {
                float[] logits = new float[10_000];
                for (int i = 0; i < logits.length; i++) logits[i] = (float) Math.round(gen.nextGaussian() * 8) / 2;   // exact ties
                var sampler = dev.jlm.generate.Sampler.of(0.5 + gen.nextDouble(), gen.nextDouble());
                long seed = gen.nextLong();
                java.util.SplittableRandom a = new java.util.SplittableRandom(seed), b = new java.util.SplittableRandom(seed);
                try (var draws = TensorScope.open()) {
                    Tensor l = Torch.fromArray(logits, logits.length).to(d);
                    for (int k = 0; k < 5; k++) {
                        int host = sampler.next(logits, a);
                        int device = (int) sampler.choose(l, Torch.full(sampler.draw(b), dev.jlm.tensor.DType.FLOAT64, d)).item();
                        if (device != host) throw new AssertionError("trial " + trial + " draw " + k + ": host " + host + ", device " + device);
                    }
                }
            }
        });
        check("decoding with CUDA graphs = eager decoding (ids; sliding and halving windows, greedy and top-p, 150 tokens past the context)",
                (java.util.function.Supplier<String>) () -> decodingGraphsAgree(d));

        check("--profile on " + d + " reports GPU time by component", (java.util.function.Supplier<String>) () -> {
            if (!d.isCuda()) throw new NotRun("GPU times need a CUDA device");
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jlm-gpu-profile");
                java.nio.file.Path train = dev.jlm.testing.TokenFiles.random(dir.resolve("t.bin"), 400_000, 50_257, 1);
                var gpt2Small = dev.jlm.nn.ModelConfig.builder().vocabSize(50257).contextLength(1024).dModel(768).numLayers(12).numHeads(12)
                        .dFf(2048).build();                                        // #21's goal shape: where its step's GPU time goes
                var cfg = dev.jlm.train.TrainConfig.builder().model(gpt2Small).train(train).out(dir.resolve("run"))
                        .batchSize(16).device(d).dtype(dev.jlm.tensor.DType.BFLOAT16).threads(0).build();
                String table = new dev.jlm.train.Trainer(cfg).profile(3, dir.resolve("events.tsv")).table(12);
                System.out.println();
                System.out.println("GPU profile, GPT-2 small shape, batch 16 x 1024, bfloat16, eager (jlm train --profile 3):");
                System.out.println();
                System.out.println(table);
                if (!table.contains("GPU ms")) throw new AssertionError("no GPU column");
                return "table printed above";
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        // boundary timings on this device (compare with scripts/reference/boundary_peer.py on the same machine)
        try (var s = TensorScope.open()) {
            Tensor a = seeded(0, d, 4, 4), b = seeded(1, d, 4, 4);
            for (int i = 0; i < 20_000; i++) a.add(b).close();
            Torch.synchronize(d);
            int n = 100_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) a.add(b).close();
            Torch.synchronize(d);
            double addNs = (System.nanoTime() - t0) / (double) n;
            t0 = System.nanoTime();
            for (int i = 0; i < 10_000_000; i++) Torch.noop();
            double noopNs = (System.nanoTime() - t0) / 1e7;
            Tensor x = seeded(0, d, 4096, 4096), y = seeded(1, d, 4096, 4096);
            x.matmul(y).close();
            Torch.synchronize(d);
            t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) x.matmul(y).close();
            Torch.synchronize(d);
            double mmMs = (System.nanoTime() - t0) / 20e6;
            System.out.println();
            System.out.printf("| timing (jlm) | value |%n|---|---|%n| empty downcall | %.1f ns |%n| 4x4 add on %s, end to end | %.0f ns |%n"
                    + "| 4096^3 f32 matmul | %.2f ms (%.0f GFLOP/s) |%n", noopNs, d, addNs, mmMs, 2.0 * Math.pow(4096, 3) / (mmMs / 1e3) / 1e9);
        }
        System.out.println();
        System.out.println("| check | result | detail |\n|---|---|---|");
        for (Result r : results) {
            String st = switch (r.status()) { case PASS -> "pass"; case FAIL -> "FAIL"; case NOT_RUN -> "not run"; };
            System.out.println("| " + r.check() + " | " + st + " | " + r.detail() + " |");
        }
        System.out.println();
        System.out.println("live handles after: " + (Tensor.liveHandles() - live0));
        long failed = results.stream().filter(r -> r.status() == Status.FAIL).count();
        long notRun = results.stream().filter(r -> r.status() == Status.NOT_RUN).count();
        System.out.println(failed + " failed, " + (results.size() - failed - notRun) + " passed, " + notRun + " not run");
        System.exit(failed == 0 ? 0 : 1);
    }
}
