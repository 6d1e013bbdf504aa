package dev.jlm.gpu;

import dev.jlm.dist.DistEnv;
import dev.jlm.dist.LocalLauncher;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.ProcessGroup;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The process-group check of scripts/gpu-check: on DEVICE (cuda → NCCL, cpu → Gloo), a group of the ranks torchrun's
 * variables describe, or of this one process when they are absent. All-reduce (sum of rank+1 over two tensors, one
 * flattened call), broadcast from rank 0, barrier, then the median time of a 92 MB all-reduce. Exit 1 on a wrong value.
 * Usage: DistCheck cpu|cuda
 */
public final class DistCheck {
    public static void main(String[] args) throws Exception {
        DistEnv env = DistEnv.from(System.getenv());
        Device dev = args[0].startsWith("cuda") ? Device.cuda(env.localRank()) : Device.CPU;
        int rank = env.rank(), size = env.worldSize();
        ProcessGroup.Store store = env.distributed() ? env.store()
                : new ProcessGroup.Store("127.0.0.1", LocalLauncher.freePort(), ProcessGroup.Server.THIS_RANK, "/jlm-check/");
        var backend = dev.isCuda() ? ProcessGroup.Backend.NCCL : ProcessGroup.Backend.GLOO;
        String failures = "";
        try (ProcessGroup pg = ProcessGroup.join(backend, store, rank, size, "127.0.0.1", null, Duration.ofSeconds(60));
             var s = TensorScope.open()) {
            Tensor a = Torch.full(rank + 1, DType.FLOAT32, dev, 1000), b = Torch.full(rank + 1, DType.FLOAT32, dev, 3, 7);
            pg.allReduce(List.of(a, b), false);
            double want = size * (size + 1) / 2.0;
            for (Tensor t : List.of(a, b)) {
                double lo = -t.mul(-1).amax(false).item(), hi = t.amax(false).item();
                if (lo != want || hi != want) failures += String.format(Locale.ROOT, " all-reduce gave [%s, %s], want %s;", lo, hi, want);
            }
            Tensor c = Torch.full(rank == 0 ? 7 : -1, DType.FLOAT32, dev, 5);
            pg.broadcast(List.of(c), 0);
            if (-c.mul(-1).amax(false).item() != 7 || c.amax(false).item() != 7) failures += " broadcast did not copy rank 0's values;";
            pg.barrier();
            Tensor big = Torch.ones(DType.FLOAT32, dev, 23_000_000);
            double[] ms = new double[5];
            for (int i = -1; i < ms.length; i++) {
                pg.barrier();
                Torch.synchronize(dev);
                long t0 = System.nanoTime();
                pg.allReduce(List.of(big), true);
                Torch.synchronize(dev);
                if (i >= 0) ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            if (rank == 0) {
                System.out.printf(Locale.ROOT, "%s %s, %d rank(s): all-reduce, broadcast, barrier %s; 92 MB all-reduce %.2f ms (%.1f GB/s)%n",
                        backend.spelling(), dev, size, failures.isEmpty() ? "correct" : "WRONG:" + failures, ms[2], 0.092 / (ms[2] / 1e3));
            }
        }
        System.exit(failures.isEmpty() ? 0 : 1);
    }
}
