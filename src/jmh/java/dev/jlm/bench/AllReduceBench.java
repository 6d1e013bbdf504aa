package dev.jlm.bench;

import dev.jlm.dist.DistEnv;
import dev.jlm.dist.World;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * All-reduce of one float32 buffer through jlm's process group (Gloo on CPU), launched like torchrun (RANK,
 * WORLD_SIZE, MASTER_ADDR, MASTER_PORT); rank 0 prints JSON like the Python peer (scripts/reference/allreduce_ref.py).
 * Median of REPEATS after 2 warm-ups, each a barrier then one all-reduce (sum).
 * Usage: AllReduceBench MEGABYTES REPEATS
 */
public final class AllReduceBench {
    public static void main(String[] args) {
        double mb = Double.parseDouble(args[0]);
        int repeats = Integer.parseInt(args[1]);
        long n = (long) (mb * 1e6 / 4);
        try (World world = World.join(DistEnv.from(System.getenv()), Device.CPU, Duration.ofSeconds(120));
             var s = TensorScope.open()) {
            Tensor buf = Torch.ones(DType.FLOAT32, Device.CPU, n);
            double[] ms = new double[repeats];
            for (int i = -2; i < repeats; i++) {
                world.barrier();
                long t0 = System.nanoTime();
                world.averageGradients(List.of(buf));            // one bucket: the buffer is a single tensor
                if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            double med = ms[repeats / 2];
            if (world.isMain()) {
                System.out.printf(Locale.ROOT, "{\"peer\": \"jlm\", \"world\": %d, \"mb\": %.1f, \"ms\": %.2f, \"gb_per_s\": %.3f}%n", world.size(),
                        n * 4 / 1e6, med, n * 4 / 1e9 / (med / 1e3));
            }
        }
    }
}
