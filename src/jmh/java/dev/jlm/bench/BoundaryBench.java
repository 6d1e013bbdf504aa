package dev.jlm.bench;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The price of the boundary, per call, end to end from Java (peer: scripts/reference/boundary_peer.py, the same
 * operations from Python on the same libtorch; scripts/bench prints both and the ratio).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class BoundaryBench {
    TensorScope run;
    Tensor a, b;

    @Setup
    public void setup() {
        run = TensorScope.open();
        Torch.manualSeed(0);
        a = Torch.randn(4, 4);
        b = Torch.randn(4, 4);
    }

    @TearDown
    public void tearDown() {
        run.close();
    }

    /** One downcall into the shim that does nothing. Peer: torch.is_grad_enabled(). */
    @Benchmark
    public int emptyDowncall() {
        return Torch.noop();
    }

    /** A 4x4 tensor handle made and freed. Peer: torch.empty(4, 4) (made, then freed by refcount). */
    @Benchmark
    public void createFree() {
        Torch.empty(DType.FLOAT32, Device.CPU, 4, 4).close();
    }

    /** a + b on 4x4 float32, result freed. Peer: torch.add(a, b). */
    @Benchmark
    public void add4x4() {
        a.add(b).close();
    }

    /** The same add inside its own scope (open, add, close = one bulk free): the per-step pattern's fixed cost. */
    @Benchmark
    public void add4x4InOwnScope() {
        try (var s = TensorScope.open()) {
            a.add(b);
        }
    }
}
