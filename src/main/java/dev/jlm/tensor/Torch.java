package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** Creation, seeded randomness and the runtime (versions, threads, devices): the {@code torch.*} functions. */
public final class Torch {
    private Torch() {}

    // ---------------------------------------------------------------- runtime

    /** The libtorch version the shim was built against, e.g. "1.13.0". */
    public static String version() {
        Native.ensureLoaded();
        return Native.string(jlm_torch_version());
    }

    /** The libtorch shared library actually loaded. */
    public static String libraryPath() {
        Native.ensureLoaded();
        return Native.string(jlm_torch_library_path());
    }

    /**
     * Every libtorch library mapped into this process (libc10, libtorch, libtorch_cpu, libtorch_cuda, …), in load order,
     * from /proc/self/maps: one install's folder where the build is sound; two folders mean two libtorch installs.
     */
    public static List<String> loadedLibraries() {
        Native.ensureLoaded();
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(f -> TORCH_LIBRARY.matcher(f.substring(f.lastIndexOf('/') + 1)).matches())
                    .distinct().toList();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return List.of("(unknown: /proc/self/maps: " + e.getMessage() + ")");
        }
    }

    /** libc10.so, libtorch_cpu.so.1.13, libc10_cuda.so, libtorch.so.2: the file names of libtorch's own libraries. */
    public static final java.util.regex.Pattern TORCH_LIBRARY = java.util.regex.Pattern.compile("lib(c10|torch)(_cpu|_cuda|_global_deps)?\\.so(\\..*)?");

    /** Whether the shim was built against a CUDA libtorch (JLM_WITH_CUDA): graphs, NCCL and the CUDA kernels compiled in. */
    public static boolean cudaCompiled() {
        Native.ensureLoaded();
        return jlm_cuda_compiled() == 1;
    }

    /** Path of the loaded shim (libjlm.so). */
    public static String shimPath() {
        return Native.path();
    }

    public static boolean cudaAvailable() {
        Native.ensureLoaded();
        return jlm_cuda_is_available() == 1;
    }

    public static int cudaDeviceCount() {
        Native.ensureLoaded();
        return jlm_cuda_device_count();
    }

    /** Usable devices: cpu, then cuda:0..N-1. */
    public static List<Device> devices() {
        List<Device> out = new ArrayList<>();
        out.add(Device.CPU);
        if (cudaAvailable()) for (int i = 0; i < cudaDeviceCount(); i++) out.add(Device.cuda(i));
        return out;
    }

    public static void synchronize(Device d) {
        Native.ensureLoaded();
        Native.check(jlm_cuda_synchronize(d.code()), "synchronize(" + d + ")");
    }

    /** Checks that {@code d} exists on this machine, with libtorch's reason if not. */
    public static void requireDevice(Device d) {
        synchronize(d);
    }

    public static int numThreads() {
        Native.ensureLoaded();
        return jlm_get_num_threads();
    }

    /** Intra-op thread count (at::set_num_threads). */
    public static void setNumThreads(int n) {
        Native.ensureLoaded();
        Native.check(jlm_set_num_threads(n), "set_num_threads(" + n + ")");
    }

    /** torch.manual_seed: seeds the default CPU generator (and CUDA's). */
    public static void manualSeed(long seed) {
        Native.ensureLoaded();
        Native.check(jlm_manual_seed(seed), "manual_seed");
    }

    /** The default CPU generator's state (torch.get_rng_state()), for checkpoints. */
    public static byte[] rngState() {
        Native.ensureLoaded();
        MemorySegment size = Scratch.out();
        Native.check(jlm_get_rng_state(MemorySegment.NULL, 0, size), "get_rng_state");
        long n = size.get(ValueLayout.JAVA_LONG, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(n);
            Native.check(jlm_get_rng_state(buf, n, Scratch.out()), "get_rng_state");
            return buf.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    public static void setRngState(byte[] state) {
        Native.ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, state);
            Native.check(jlm_set_rng_state(buf, state.length), "set_rng_state");
        }
    }

    public static boolean hasFusedAttention() {
        Native.ensureLoaded();
        return jlm_has_sdpa() == 1;
    }

    /** One empty downcall, for measuring the boundary. */
    public static int noop() {
        return jlm_noop();
    }

    // ---------------------------------------------------------------- creation

    public static Tensor empty(DType dtype, Device device, long... shape) {
        return Tensor.adopt(jlm_empty(Scratch.longs(shape), shape.length, dtype.code, device.code()), "empty");
    }

    public static Tensor zeros(DType dtype, Device device, long... shape) {
        return Tensor.adopt(jlm_zeros(Scratch.longs(shape), shape.length, dtype.code, device.code()), "zeros");
    }

    public static Tensor zeros(long... shape) {
        return zeros(DType.FLOAT32, Device.CPU, shape);
    }

    public static Tensor ones(DType dtype, Device device, long... shape) {
        return Tensor.adopt(jlm_ones(Scratch.longs(shape), shape.length, dtype.code, device.code()), "ones");
    }

    public static Tensor ones(long... shape) {
        return ones(DType.FLOAT32, Device.CPU, shape);
    }

    public static Tensor full(double value, DType dtype, Device device, long... shape) {
        return Tensor.adopt(jlm_full(Scratch.longs(shape), shape.length, value, dtype.code, device.code()), "full");
    }

    /** [start, end) by step, as torch.arange. */
    public static Tensor arange(double start, double end, double step, DType dtype, Device device) {
        return Tensor.adopt(jlm_arange(start, end, step, dtype.code, device.code()), "arange");
    }

    public static Tensor arange(long end) {
        return arange(0, end, 1, DType.INT64, Device.CPU);
    }

    /** Copies {@code data} (row-major, element type {@code dtype}, exactly numel·byteSize bytes) into a new tensor. */
    public static Tensor fromSegment(MemorySegment data, DType dtype, Device device, long... shape) {
        return Tensor.adopt(jlm_from_data(data, data.byteSize(), Scratch.longs(shape), shape.length, dtype.code, device.code()),
                "from_data");
    }

    public static Tensor fromArray(float[] data, long... shape) {
        try (Arena a = Arena.ofConfined()) {
            return fromSegment(a.allocateFrom(ValueLayout.JAVA_FLOAT, data), DType.FLOAT32, Device.CPU, shape);
        }
    }

    public static Tensor fromArray(double[] data, long... shape) {
        try (Arena a = Arena.ofConfined()) {
            return fromSegment(a.allocateFrom(ValueLayout.JAVA_DOUBLE, data), DType.FLOAT64, Device.CPU, shape);
        }
    }

    public static Tensor fromArray(long[] data, long... shape) {
        try (Arena a = Arena.ofConfined()) {
            return fromSegment(a.allocateFrom(ValueLayout.JAVA_LONG, data), DType.INT64, Device.CPU, shape);
        }
    }

    public static Tensor fromArray(int[] data, long... shape) {
        try (Arena a = Arena.ofConfined()) {
            return fromSegment(a.allocateFrom(ValueLayout.JAVA_INT, data), DType.INT32, Device.CPU, shape);
        }
    }

    public static Tensor fromArray(boolean[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (data[i] ? 1 : 0);
        try (Arena a = Arena.ofConfined()) {
            return fromSegment(a.allocateFrom(ValueLayout.JAVA_BYTE, b), DType.BOOL, Device.CPU, shape);
        }
    }

    public static Tensor stack(long dim, Tensor... ts) {
        MemorySegment[] hs = new MemorySegment[ts.length];
        for (int i = 0; i < ts.length; i++) hs[i] = ts[i].handle();
        return Tensor.adopt(jlm_stack(Scratch.handles(hs, hs.length), hs.length, dim), "stack");
    }

    /** Elementwise {@code cond ? a : b} with broadcasting. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Tensor.adopt(jlm_where(cond.handle(), a.handle(), b.handle()), "where");
    }

    // ---------------------------------------------------------------- seeded randomness (PyTorch's CPU generator)

    public static Tensor randn(long... shape) {
        return randn(DType.FLOAT32, Device.CPU, shape);
    }

    public static Tensor randn(DType dtype, Device device, long... shape) {
        return Tensor.adopt(jlm_randn(Scratch.longs(shape), shape.length, dtype.code, device.code()), "randn");
    }

    public static Tensor rand(DType dtype, Device device, long... shape) {
        return Tensor.adopt(jlm_rand(Scratch.longs(shape), shape.length, dtype.code, device.code()), "rand");
    }

    /** Uniform int64 in [low, high). */
    public static Tensor randint(long low, long high, Device device, long... shape) {
        return Tensor.adopt(jlm_randint(low, high, Scratch.longs(shape), shape.length, device.code()), "randint");
    }

}
