package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A handle to a libtorch tensor. Owned by the {@link TensorScope} it was made in; using it after that scope
 * closed throws {@link IllegalStateException}. Operations return new tensors in the calling thread's current
 * scope; methods ending in {@code _} update in place (PyTorch's convention). Creation lives in {@link Torch}.
 */
public final class Tensor implements AutoCloseable {
    private final TensorScope.Handle h;
    private TensorScope scope;

    private Tensor(TensorScope.Handle h, TensorScope scope) {
        this.h = h;
        this.scope = scope;
    }

    /** Wraps a new handle from a downcall into the current scope (freeing it if there is none). */
    static Tensor adopt(MemorySegment handle, String op) {
        Native.check(handle, op);
        TensorScope s;
        try {
            s = TensorScope.current();
        } catch (IllegalStateException e) {
            jlm_free(handle);
            throw e;
        }
        return new Tensor(s.adopt(handle), s);
    }

    private static final java.util.concurrent.atomic.LongAdder HOST_READS = new java.util.concurrent.atomic.LongAdder();

    /**
     * Reads of a tensor's values into Java so far ({@link #item}, {@link #copyTo} and the toXArray methods), across all
     * threads: each waits for the device to finish the work queued before it. A training step makes none.
     */
    public static long hostReads() {
        return HOST_READS.sum();
    }

    /** Handles currently alive (made and not yet freed), across all threads. */
    public static long liveHandles() {
        return TensorScope.LIVE.sum();
    }

    /** Handles the Cleaner had to free because no scope closed over them; non-zero means a lifetime bug. */
    public static long cleanerFrees() {
        return TensorScope.CLEANER_FREES.sum();
    }

    MemorySegment handle() {
        if (h.freed) throw new IllegalStateException("tensor used after its scope closed");
        return h.address;
    }

    public boolean isFreed() {
        return h.freed;
    }

    /** Frees this tensor now (its scope will skip it). Idempotent. */
    @Override
    public void close() {
        h.free();
    }

    /** Hands this tensor to the scope enclosing its own, so it outlives the current one. */
    public Tensor keep() {
        handle();
        TensorScope parent = scope.parent();
        if (parent == null) throw new IllegalStateException("keep(): the tensor's scope has no enclosing scope");
        return moveTo(parent);
    }

    /** Hands this tensor to {@code target}, which then frees it. */
    public Tensor moveTo(TensorScope target) {
        handle();
        if (!target.isOpen()) throw new IllegalStateException("moveTo(): target scope is closed");
        if (target != scope) {
            target.take(h);
            scope = target;
        }
        return this;
    }

    private static Tensor of(MemorySegment h, String op) {
        return adopt(h, op);
    }

    // ---------------------------------------------------------------- metadata

    public int dim() {
        int n = jlm_ndim(handle());
        if (n < 0) throw new TorchException("dim", Native.lastError());
        return n;
    }

    public long[] shape() {
        int n = dim();
        MemorySegment out = Scratch.longs(new long[Math.max(n, 1)]);
        Native.check(jlm_shape(handle(), out, n), "shape");
        return out.asSlice(0, 8L * n).toArray(ValueLayout.JAVA_LONG);
    }

    public long size(int d) {
        long[] s = shape();
        return s[d < 0 ? s.length + d : d];
    }

    public long numel() {
        long n = jlm_numel(handle());
        if (n < 0) throw new TorchException("numel", Native.lastError());
        return n;
    }

    public DType dtype() {
        return DType.of(jlm_dtype(handle()));
    }

    public Device device() {
        int c = jlm_device(handle());
        if (c < -1) throw new TorchException("device", Native.lastError());
        return Device.of(c);
    }

    /** The value of a one-element tensor. */
    public double item() {
        HOST_READS.increment();
        MemorySegment out = Scratch.out();
        Native.check(jlm_item(handle(), out), "item");
        return out.get(ValueLayout.JAVA_DOUBLE, 0);
    }

    // ---------------------------------------------------------------- copies out

    /** Copies the elements (row-major, on the CPU) into {@code dst}, which must have exactly numel·byteSize bytes. */
    public void copyTo(MemorySegment dst) {
        HOST_READS.increment();
        Native.check(jlm_copy_out(handle(), dst, dst.byteSize()), "copy_out");
    }

    public float[] toFloatArray() {
        return copyOut(DType.FLOAT32, seg -> seg.toArray(ValueLayout.JAVA_FLOAT));
    }

    public double[] toDoubleArray() {
        return copyOut(DType.FLOAT64, seg -> seg.toArray(ValueLayout.JAVA_DOUBLE));
    }

    public long[] toLongArray() {
        return copyOut(DType.INT64, seg -> seg.toArray(ValueLayout.JAVA_LONG));
    }

    /** The elements as {@code dtype} (converted if needed), copied to a native buffer that {@code read} turns into an array. */
    private <A> A copyOut(DType dtype, java.util.function.Function<MemorySegment, A> read) {
        try (var t = new Converted(this, dtype); var arena = java.lang.foreign.Arena.ofConfined()) {
            long bytes = t.tensor.numel() * dtype.byteSize();
            MemorySegment seg = arena.allocate(Math.max(bytes, 1), 8).asSlice(0, bytes);
            t.tensor.copyTo(seg);
            return read.apply(seg);
        }
    }

    /** This tensor in {@code dtype}, freed on close if a conversion had to be made. */
    private static final class Converted implements AutoCloseable {
        final Tensor tensor;
        final boolean made;

        Converted(Tensor t, DType dtype) {
            made = t.dtype() != dtype;
            tensor = made ? t.to(dtype) : t;
        }

        @Override
        public void close() {
            if (made) tensor.close();
        }
    }

    // ---------------------------------------------------------------- casts, devices, copies

    public Tensor to(DType dtype) {
        return of(jlm_to_dtype(handle(), dtype.code), "to(" + dtype + ")");
    }

    public Tensor to(Device device) {
        return of(jlm_to_device(handle(), device.code()), "to(" + device + ")");
    }

    @Override
    public Tensor clone() {
        return of(jlm_clone(handle()), "clone");
    }

    // ---------------------------------------------------------------- views and shapes

    public Tensor view(long... shape) {
        return of(jlm_view(handle(), Scratch.longs(shape), shape.length), "view" + Arrays.toString(shape));
    }

    public Tensor reshape(long... shape) {
        return of(jlm_reshape(handle(), Scratch.longs(shape), shape.length), "reshape" + Arrays.toString(shape));
    }

    public Tensor transpose(long dim0, long dim1) {
        return of(jlm_transpose(handle(), dim0, dim1), "transpose");
    }

    public Tensor narrow(long dim, long start, long length) {
        return of(jlm_narrow(handle(), dim, start, length), "narrow");
    }

    /** Python's {@code t[..., start:end:step]} along {@code dim}. */
    public Tensor slice(long dim, long start, long end, long step) {
        return of(jlm_slice(handle(), dim, start, end, step), "slice");
    }

    public Tensor select(long dim, long index) {
        return of(jlm_select(handle(), dim, index), "select");
    }

    public Tensor unsqueeze(long dim) {
        return of(jlm_unsqueeze(handle(), dim), "unsqueeze");
    }

    public Tensor squeeze(long dim) {
        return of(jlm_squeeze(handle(), dim), "squeeze");
    }

    public Tensor indexSelect(long dim, Tensor index) {
        return of(jlm_index_select(handle(), dim, index.handle()), "index_select");
    }

    public Tensor gather(long dim, Tensor index) {
        return of(jlm_gather(handle(), dim, index.handle()), "gather");
    }

    // ---------------------------------------------------------------- arithmetic and math

    public Tensor add(Tensor o) {
        return of(jlm_add(handle(), o.handle()), "add");
    }

    public Tensor sub(Tensor o) {
        return of(jlm_sub(handle(), o.handle()), "sub");
    }

    public Tensor mul(Tensor o) {
        return of(jlm_mul(handle(), o.handle()), "mul");
    }

    public Tensor div(Tensor o) {
        return of(jlm_div(handle(), o.handle()), "div");
    }

    public Tensor add(double s) {
        return of(jlm_add_scalar(handle(), s), "add");
    }

    public Tensor sub(double s) {
        return of(jlm_add_scalar(handle(), -s), "sub");
    }

    public Tensor mul(double s) {
        return of(jlm_mul_scalar(handle(), s), "mul");
    }

    public Tensor div(double s) {
        return of(jlm_mul_scalar(handle(), 1.0 / s), "div");
    }

    public Tensor pow(double exponent) {
        return of(jlm_pow_scalar(handle(), exponent), "pow");
    }

    public Tensor exp() {
        return of(jlm_exp(handle()), "exp");
    }

    public Tensor log() {
        return of(jlm_log(handle()), "log");
    }

    public Tensor sqrt() {
        return of(jlm_sqrt(handle()), "sqrt");
    }

    public Tensor rsqrt() {
        return of(jlm_rsqrt(handle()), "rsqrt");
    }

    public Tensor sigmoid() {
        return of(jlm_sigmoid(handle()), "sigmoid");
    }

    public Tensor sin() {
        return of(jlm_sin(handle()), "sin");
    }

    public Tensor cos() {
        return of(jlm_cos(handle()), "cos");
    }

    public Tensor abs() {
        return of(jlm_abs(handle()), "abs");
    }

    /** Batched matrix product with broadcasting over leading dimensions, as torch.matmul. */
    public Tensor matmul(Tensor o) {
        return of(jlm_matmul(handle(), o.handle()), "matmul");
    }

    public Tensor tril(long diagonal) {
        return of(jlm_tril(handle(), diagonal), "tril");
    }

    /** this > s elementwise → bool (the official tests' masks: randn > 0.5). */
    public Tensor gt(double s) {
        return of(jlm_compare_scalar(handle(), s, JLM_CMP_GT), "gt");
    }

    /** this ≤ s elementwise → bool. */
    public Tensor le(double s) {
        return of(jlm_compare_scalar(handle(), s, JLM_CMP_LE), "le");
    }

    /** this > o elementwise, broadcasting → bool. */
    public Tensor gt(Tensor o) {
        return of(jlm_compare(handle(), o.handle(), JLM_CMP_GT), "gt");
    }

    /** this < o elementwise, broadcasting → bool. */
    public Tensor lt(Tensor o) {
        return of(jlm_compare(handle(), o.handle(), JLM_CMP_LT), "lt");
    }

    /** this ≤ o elementwise, broadcasting → bool. */
    public Tensor le(Tensor o) {
        return of(jlm_compare(handle(), o.handle(), JLM_CMP_LE), "le");
    }

    /** this == o elementwise, broadcasting → bool. */
    public Tensor eq(Tensor o) {
        return of(jlm_compare(handle(), o.handle(), JLM_CMP_EQ), "eq");
    }

    /** Running sum along dim: same shape and dtype. */
    public Tensor cumsum(long dim) {
        return of(jlm_cumsum(handle(), dim), "cumsum");
    }

    /** The int64 indices that sort this along dim; stable, so under {@code descending} a tie keeps the lower index first. */
    public Tensor argsort(long dim, boolean descending) {
        return of(jlm_argsort(handle(), dim, descending ? 1 : 0), "argsort");
    }

    // ---------------------------------------------------------------- reductions (no dims = all dims)

    public Tensor sum(long... dims) {
        return sum(false, dims);
    }

    public Tensor sum(boolean keepdim, long... dims) {
        return of(jlm_sum(handle(), Scratch.longs(dims), dims.length, keepdim ? 1 : 0), "sum");
    }

    public Tensor mean(long... dims) {
        return mean(false, dims);
    }

    public Tensor mean(boolean keepdim, long... dims) {
        return of(jlm_mean(handle(), Scratch.longs(dims), dims.length, keepdim ? 1 : 0), "mean");
    }

    /** The index of the largest value along {@code dim} (the first on a tie), int64, without that dim. */
    public Tensor argmax(long dim) {
        return of(jlm_argmax(handle(), dim), "argmax");
    }

    public Tensor amax(boolean keepdim, long... dims) {
        return of(jlm_amax(handle(), Scratch.longs(dims), dims.length, keepdim ? 1 : 0), "amax");
    }

    public Tensor logsumexp(boolean keepdim, long... dims) {
        return of(jlm_logsumexp(handle(), Scratch.longs(dims), dims.length, keepdim ? 1 : 0), "logsumexp");
    }

    public Tensor norm(double p, boolean keepdim, long... dims) {
        return of(jlm_norm(handle(), p, Scratch.longs(dims), dims.length, keepdim ? 1 : 0), "norm");
    }

    // ---------------------------------------------------------------- in place (optimizers; use under NoGrad)

    public Tensor mul_(Tensor o) {
        Native.check(jlm_mul_(handle(), o.handle()), "mul_");
        return this;
    }

    public Tensor mul_(double s) {
        Native.check(jlm_mul_scalar_(handle(), s), "mul_");
        return this;
    }

    /** this += alpha · o */
    public Tensor add_(Tensor o, double alpha) {
        Native.check(jlm_add_(handle(), o.handle(), alpha), "add_");
        return this;
    }

    public Tensor add_(double s) {
        Native.check(jlm_add_scalar_(handle(), s), "add_");
        return this;
    }

    /** this += value · a · b */
    public Tensor addcmul_(Tensor a, Tensor b, double value) {
        Native.check(jlm_addcmul_(handle(), a.handle(), b.handle(), value), "addcmul_");
        return this;
    }

    /** this += value · a / b */
    public Tensor addcdiv_(Tensor a, Tensor b, double value) {
        Native.check(jlm_addcdiv_(handle(), a.handle(), b.handle(), value), "addcdiv_");
        return this;
    }

    /** this += weight · (end − this) */
    public Tensor lerp_(Tensor end, double weight) {
        Native.check(jlm_lerp_(handle(), end.handle(), weight), "lerp_");
        return this;
    }

    public Tensor copy_(Tensor src) {
        Native.check(jlm_copy_(handle(), src.handle()), "copy_");
        return this;
    }

    /** Slice index[i] of this along dim becomes src's slice i; index: int64 on this device. */
    public Tensor indexCopy_(long dim, Tensor index, Tensor src) {
        Native.check(jlm_index_copy_(handle(), dim, index.handle(), src.handle()), "index_copy_");
        return this;
    }

    public Tensor zero_() {
        Native.check(jlm_zero_(handle()), "zero_");
        return this;
    }

    public Tensor fill_(double v) {
        Native.check(jlm_fill_(handle(), v), "fill_");
        return this;
    }

    public Tensor uniform_(double from, double to) {
        Native.check(jlm_uniform_(handle(), from, to), "uniform_");
        return this;
    }

    /** torch.nn.init.trunc_normal_: normal(mean, std) truncated to [a, b], same draws for the same seed. */
    public Tensor truncNormal_(double mean, double std, double a, double b) {
        Native.check(jlm_trunc_normal_(handle(), mean, std, a, b), "trunc_normal_");
        return this;
    }

    // ---------------------------------------------------------------- autograd

    public Tensor requiresGrad(boolean requiresGrad) {
        Native.check(jlm_set_requires_grad(handle(), requiresGrad ? 1 : 0), "requires_grad_");
        return this;
    }

    public boolean requiresGrad() {
        int r = jlm_requires_grad(handle());
        if (r < 0) throw new TorchException("requires_grad", Native.lastError());
        return r == 1;
    }

    public void backward() {
        Native.check(jlm_backward(handle()), "backward");
    }

    /** The accumulated gradient (a new handle in the current scope sharing its storage), or null if none. */
    public Tensor grad() {
        MemorySegment out = Scratch.out();
        Native.check(jlm_grad(handle(), out), "grad");
        MemorySegment g = out.get(ValueLayout.ADDRESS, 0);
        return g.equals(MemorySegment.NULL) ? null : of(g, "grad");
    }

    /**
     * Sets this parameter's gradient to a copy of {@code g}'s values (PyTorch's {@code p.grad = g.clone()}), so an
     * optimizer or clipping acts on a gradient computed elsewhere: {@code g} must have this tensor's shape (it is
     * converted to this tensor's dtype and device), and this tensor must require grad and be a leaf (a parameter):
     * autograd computes a non-leaf's gradient and stores none, so setting one is refused (the shim checks it).
     */
    public void setGrad(Tensor g) {
        if (!Arrays.equals(shape(), g.shape())) {
            throw new IllegalArgumentException("setGrad: gradient of shape " + Arrays.toString(g.shape()) + " for a tensor of shape "
                    + Arrays.toString(shape()));
        }
        if (!requiresGrad()) throw new IllegalArgumentException("setGrad: the tensor does not require grad");
        try (var s = TensorScope.open()) {
            Native.check(jlm_set_grad(handle(), g.detach().to(dtype()).to(device()).handle()), "setGrad");
        }
    }

    /** Drops the accumulated gradient (PyTorch's {@code p.grad = None}). */
    public void clearGrad() {
        Native.check(jlm_clear_grad(handle()), "clear_grad");
    }

    public Tensor detach() {
        return of(jlm_detach(handle()), "detach");
    }

    @Override
    public String toString() {
        if (h.freed) return "Tensor(freed)";
        return "Tensor(" + Arrays.toString(shape()) + ", " + dtype() + ", " + device() + ")";
    }
}
