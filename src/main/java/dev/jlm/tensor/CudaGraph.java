package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * A CUDA graph: the kernels this thread enqueues, captured once and replayed as one launch. Made for one device, it owns
 * a side stream: warm-up work runs there ({@link #onSideStream}, as torch.cuda.graph wants before a capture), the
 * capture runs there, and a replay runs on the current stream, after what is queued on it. What a capture records must
 * not read the device back on the host (a capture forbids it) and must keep its tensors' addresses: inputs are copied
 * into tensors made before the capture, and its outputs are overwritten by each replay. Not thread-safe; close it.
 */
public final class CudaGraph implements AutoCloseable {
    /** Whether a run uses graphs: auto = where it can (else eager), on = required (refused where it cannot), off = eager. */
    public enum Mode { AUTO, ON, OFF }

    private MemorySegment handle;
    private boolean captured;

    private CudaGraph(MemorySegment handle) {
        this.handle = handle;
    }

    /** Whether this shim can capture a training step: built with CUDA, on libtorch 2.3+ (AdamW with a device learning rate). */
    public static boolean available() {
        Native.ensureLoaded();
        return jlm_cuda_graphs() == 1;
    }

    /** A new, empty graph for {@code device} (a CUDA device; else, or without {@link #available()}, an exception saying why). */
    public static CudaGraph create(Device device) {
        Native.ensureLoaded();
        if (!device.isCuda()) throw new IllegalArgumentException("CUDA graphs need a CUDA device, not " + device);
        return new CudaGraph(Native.check(jlm_graph_new(device.code()), "CUDA graph"));
    }

    /** Runs {@code work} with the side stream current (after the work queued so far); the current stream then waits for it. */
    public <T> T onSideStream(Supplier<T> work) {
        Native.check(jlm_graph_side_stream(handle(), 1), "side stream");
        try {
            return work.get();
        } finally {
            Native.check(jlm_graph_side_stream(handle(), 0), "side stream");
        }
    }

    /** Records, without running, what {@code work} enqueues. A failure leaves this graph unusable (close it). */
    public <T> T capture(Supplier<T> work) {
        if (captured) throw new IllegalStateException("this graph was captured already");
        Native.check(jlm_graph_capture_begin(handle()), "CUDA graph capture");
        captured = true;
        T result = work.get();                       // on failure: close() ends the capture
        Native.check(jlm_graph_capture_end(handle()), "CUDA graph capture");
        return result;
    }

    /** Runs what was captured, on the current stream. */
    public void replay() {
        if (!captured) throw new IllegalStateException("nothing was captured");
        Native.check(jlm_graph_replay(handle()), "CUDA graph replay");
    }

    private MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("CUDA graph already closed");
        return handle;
    }

    @Override
    public void close() {
        if (handle == null) return;
        jlm_graph_free(handle);
        handle = null;
    }
}
