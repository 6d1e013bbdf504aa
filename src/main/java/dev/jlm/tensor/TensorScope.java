package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.jlm_free_many;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * A lexical lifetime for tensors. Every tensor made on a thread joins that thread's innermost open scope;
 * closing the scope frees, in one downcall, every tensor it still owns. {@link Tensor#keep()} hands one to the
 * enclosing scope and {@link Tensor#moveTo} to any open scope. Scopes nest strictly (close the innermost first)
 * and belong to the thread that opened them.
 *
 * <pre>{@code
 * try (var step = TensorScope.open()) {
 *     Tensor loss = model.forward(x).sum();   // temporaries join `step`
 *     loss.backward();
 * }                                            // all freed here
 * }</pre>
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<TensorScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final ArrayDeque<TensorScope> stack;
    private final TensorScope parent;
    private final ArrayList<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private TensorScope(ArrayDeque<TensorScope> stack) {
        this.stack = stack;
        this.parent = stack.peek();
    }

    /** Opens a scope nested in the current thread's innermost one (if any). */
    public static TensorScope open() {
        Native.ensureLoaded();
        ArrayDeque<TensorScope> stack = STACK.get();
        TensorScope s = new TensorScope(stack);
        stack.push(s);
        return s;
    }

    /** The innermost open scope of this thread. */
    public static TensorScope current() {
        TensorScope s = STACK.get().peek();
        if (s == null) {
            throw new IllegalStateException(
                    "no TensorScope is open on this thread: wrap tensor code in try (var scope = TensorScope.open()) { ... }");
        }
        return s;
    }

    /** The scope this one is nested in, or null. */
    public TensorScope parent() {
        return parent;
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Number of tensors this scope would free now. */
    public int size() {
        int n = 0;
        for (Tensor t : owned) if (t.ownedBy(this)) n++;
        return n;
    }

    void adopt(Tensor t) {
        if (closed) throw new IllegalStateException("scope already closed");
        owned.add(t);
    }

    @Override
    public void close() {
        if (closed) return;
        if (stack.peek() != this) {
            throw new IllegalStateException("TensorScope closed out of order: close the innermost scope first");
        }
        closed = true;
        stack.pop();
        MemorySegment[] handles = new MemorySegment[owned.size()];
        int n = 0;
        for (Tensor t : owned) {
            MemorySegment h = t.release(this);
            if (h != null) handles[n++] = h;
        }
        owned.clear();
        if (n > 0) jlm_free_many(Scratch.handles(handles, n), n);
    }
}
