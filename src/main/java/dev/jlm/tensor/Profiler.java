package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libtorch's autograd profiler: {@link #start}, run the work, {@link #stop} writes its raw events to a file
 * (one line each: push|pop, thread, handle, cpu_ns, sequence_nr, flops, gpu_ns, name; flops of the matrix products when
 * started with them, else 0; gpu_ns when the CUDA stream reached the event, when started with the GPU, else -1). {@link #range} names a stretch of work — a
 * model component — so that the operators inside it can be attributed to it; outside profiling it costs a field
 * read. One profiling session at a time per process.
 */
public final class Profiler {
    private static volatile boolean active;
    private static final ConcurrentHashMap<String, MemorySegment> NAMES = new ConcurrentHashMap<>();
    private static final Range NONE = () -> {};
    private static final Range POP = () -> Native.check(jlm_range_pop(), "range_pop");

    /** An open range; close it on the thread that opened it. */
    @FunctionalInterface
    public interface Range extends AutoCloseable {
        @Override
        void close();
    }

    private Profiler() {}

    public static void start() {
        start(false, false);
    }

    /**
     * Starts profiling; with {@code flops} each matrix product's FLOPs are recorded too (input shapes kept: slower); with
     * {@code gpu} each event also records a CUDA event on the current stream (a CUDA build), so ranges get GPU times.
     */
    public static void start(boolean flops, boolean gpu) {
        Native.ensureLoaded();
        Native.check(jlm_profiler_start(flops ? 1 : 0, gpu ? 1 : 0), "profiler_start");
        active = true;
    }

    /** Stops profiling and writes the events to {@code file}. */
    public static void stop(Path file) {
        active = false;
        try (Arena a = Arena.ofConfined()) {
            Native.check(jlm_profiler_stop(a.allocateFrom(file.toAbsolutePath().toString())), "profiler_stop");
        }
    }

    public static boolean active() {
        return active;
    }

    /** {@code work} inside the range {@code name}: its operators are attributed to it. */
    public static <T> T range(String name, java.util.function.Supplier<T> work) {
        try (var r = range(name)) {
            return work.get();
        }
    }

    /** Opens the range {@code name} (a constant: each distinct name is kept for the process's life). */
    public static Range range(String name) {
        if (!active) return NONE;
        MemorySegment n = NAMES.computeIfAbsent(name, k -> Arena.global().allocateFrom(k));
        Native.check(jlm_range_push(n), "range_push");
        return POP;
    }
}
