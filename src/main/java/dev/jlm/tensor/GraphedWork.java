package dev.jlm.tensor;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Work whose shapes never change, run as torch.cuda.graph runs it: {@code warmup} times eagerly on the graph's side
 * stream, then captured once, then replayed. The work reads tensors made before it (its inputs: fill them before each
 * {@link #run}); what it returns is the eager result while warming up, afterwards the captured result, which every replay
 * overwrites. The captured output tensors ({@code outputs} of a result) move to the scope current when this was made;
 * the capture's other temporaries are freed into the graph's pool. A capture that fails under {@link CudaGraph.Mode#AUTO}
 * says so once on stderr and every later run is eager on the current stream (under ON it throws). Not thread-safe; close it.
 */
public final class GraphedWork<T> implements AutoCloseable {
    private CudaGraph graph;                  // null after a failed capture: eager from then on
    private final CudaGraph.Mode mode;
    private final String what;                // "the training step": for the fallback's one line
    private final int warmup;
    private final Supplier<T> work;
    private final Function<T, List<Tensor>> outputs;
    private final TensorScope owner;
    private T captured;                       // null until captured
    private int eager;

    /** {@code what} names the work in the one line a failed capture under auto prints. */
    public GraphedWork(Device device, CudaGraph.Mode mode, String what, int warmup, Supplier<T> work, Function<T, List<Tensor>> outputs) {
        if (mode == CudaGraph.Mode.OFF) throw new IllegalArgumentException("GraphedWork with cuda graphs off");
        this.mode = mode;
        this.what = what;
        this.warmup = warmup;
        this.work = work;
        this.outputs = outputs;
        owner = TensorScope.current();
        graph = CudaGraph.create(device);
    }

    /** Whether the next {@link #run} returns the graph's outputs (overwritten by the run after it), not the caller's own. */
    public boolean replaying() {
        return graph != null && eager >= warmup;
    }

    /**
     * An eager warm-up run on the side stream, or (after one capture) a replay on the current stream; after a capture that
     * failed under auto, an eager run on the current stream.
     */
    public T run() {
        if (graph == null) return work.get();
        if (eager < warmup) {
            eager++;
            return graph.onSideStream(work);
        }
        if (captured == null && !capture()) return work.get();
        graph.replay();
        return captured;
    }

    /** Captures the work; false (graph gone, eager from now on) where that failed under auto. */
    private boolean capture() {
        try (var s = TensorScope.open()) {
            T result = graph.capture(work);
            for (Tensor t : outputs.apply(result)) t.moveTo(owner);
            captured = result;
            return true;
        } catch (RuntimeException e) {
            graph.close();
            graph = null;
            if (mode == CudaGraph.Mode.ON) throw e;
            System.err.println("jlm: " + what + " could not be captured in a CUDA graph, running it eagerly (--cuda-graphs auto): "
                    + e.getMessage());
            return false;
        }
    }

    /** Whether this fell back to eager runs after a failed capture. */
    public boolean fellBack() {
        return graph == null;
    }

    @Override
    public void close() {
        if (graph != null) graph.close();
        graph = null;
    }
}
