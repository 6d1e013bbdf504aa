package dev.jlm.bench;

import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/** 1024x1024 float32 matmul through the shim; peer: the same from Python (scripts/reference/boundary_peer.py). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class MatmulBench {
    @Param({"1"})
    public int threads;

    TensorScope run;
    Tensor a, b;

    @Setup
    public void setup() {
        run = TensorScope.open();
        Torch.setNumThreads(threads);
        Torch.manualSeed(0);
        a = Torch.randn(1024, 1024);
        b = Torch.randn(1024, 1024);
    }

    @TearDown
    public void tearDown() {
        run.close();
    }

    @Benchmark
    public void matmul1024() {
        try (var s = TensorScope.open()) {
            a.matmul(b);
        }
    }
}
