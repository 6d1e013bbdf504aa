package dev.jlm.tensor;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Work whose shapes never change, run as torch.cuda.graph runs it: {@code warmup} times eagerly on the graph's side
 * stream, then captured once, then replayed. The work reads tensors made before it (its inputs: fill them before each
 * {@link #run}); what it returns is the eager result while warming up, afterwards the captured result, which every replay
 * overwrites. The captured output tensors ({@code outputs} of a result) move to the scope current when this was made;
 * the capture's other temporaries are freed into the graph's pool. Not thread-safe; close it.
 */
public final class GraphedWork<T> implements AutoCloseable {
    private final CudaGraph graph;
    private final int warmup;
    private final Supplier<T> work;
    private final Function<T, List<Tensor>> outputs;
    private final TensorScope owner;
    private T captured;                       // null until captured
    private int eager;

    public GraphedWork(Device device, int warmup, Supplier<T> work, Function<T, List<Tensor>> outputs) {
        this.warmup = warmup;
        this.work = work;
        this.outputs = outputs;
        owner = TensorScope.current();
        graph = CudaGraph.create(device);
    }

    /** Whether the next {@link #run} is an eager warm-up run (its result is then the caller's, not the graph's). */
    public boolean warmingUp() {
        return eager < warmup;
    }

    /** Whether the next {@link #run} captures (the warm-up is over and nothing was captured yet). */
    public boolean capturePending() {
        return !warmingUp() && captured == null;
    }

    /** Captures the work now; a failure leaves this unusable (close it). */
    public void capture() {
        if (captured != null) throw new IllegalStateException("captured already");
        try (var s = TensorScope.open()) {
            T result = graph.capture(work);
            for (Tensor t : outputs.apply(result)) t.moveTo(owner);
            captured = result;
        }
    }

    /** An eager warm-up run on the side stream, or (after one capture) a replay on the current stream. */
    public T run() {
        if (warmingUp()) {
            eager++;
            return graph.onSideStream(work);
        }
        if (captured == null) capture();
        graph.replay();
        return captured;
    }

    @Override
    public void close() {
        graph.close();
    }
}
