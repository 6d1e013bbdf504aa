package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.nn.Functional;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tensor-demo", header = "A small tour of the tensor layer: autograd, a few gradient steps, a matmul's speed.")
final class TensorDemoCommand implements Runnable {
    @Domain("cpu or cuda:N") @Option(names = "--device", defaultValue = "cpu", description = "where to compute")
    String device;

    @Override
    public void run() {
        Device dev = ComputeOptions.requireDevice(Device.parse(device));   // said as every verb says it, before any output
        try (var run = TensorScope.open()) {
            Torch.manualSeed(0);
            // Fit y = x @ wTrue with plain gradient descent: the loss falls, the weights approach wTrue.
            Tensor wTrue = Torch.fromArray(new float[] {2f, -3f, 0.5f}, 3, 1).to(dev);
            Tensor w = Torch.zeros(DType.FLOAT32, dev, 3, 1).requiresGrad(true);
            for (int step = 0; step <= 200; step++) {
                try (var s = TensorScope.open()) {
                    Tensor x = Torch.randn(DType.FLOAT32, dev, 64, 3);              // (B, 3)
                    Tensor loss = x.matmul(w).sub(x.matmul(wTrue)).pow(2).mean();   // ()
                    loss.backward();
                    try (var g = NoGrad.enter()) {
                        w.add_(w.grad(), -0.1);
                    }
                    w.clearGrad();
                    if (step % 50 == 0) System.out.printf("step %3d  loss %.6f%n", step, loss.item());
                }
            }
            System.out.println("learned w = " + Arrays.toString(w.detach().toFloatArray()) + "  (true: [2.0, -3.0, 0.5])");
            System.out.println("softmax([1, 2, 3]) = " + Arrays.toString(Functional.softmax(Torch.fromArray(new float[] {1, 2, 3}, 3), 0).toFloatArray()));

            Tensor a = Torch.randn(DType.FLOAT32, dev, 1024, 1024), b = Torch.randn(DType.FLOAT32, dev, 1024, 1024);
            a.matmul(b).close();
            int reps = 10;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) a.matmul(b).close();
            Torch.synchronize(dev);
            double sec = (System.nanoTime() - t0) / 1e9 / reps;
            System.out.printf("1024x1024 float32 matmul on %s: %.2f ms, %.1f GFLOP/s (%d threads)%n", dev, sec * 1e3,
                    2.0 * 1024 * 1024 * 1024 / sec / 1e9, Torch.numThreads());
            System.out.println("live native tensors before the run scope closes: " + Tensor.liveHandles());
        }
        System.out.println("after: " + Tensor.liveHandles());
    }
}
