package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.jlm_free_many;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.atomic.LongAdder;

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
 *
 * Safety net: a scope that becomes unreachable while open (its thread died inside it) is freed by a Cleaner,
 * which counts what it freed in {@link Tensor#cleanerFrees()}; tests assert that count stays zero.
 */
public final class TensorScope implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ThreadLocal<ArrayDeque<TensorScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);
    static final LongAdder LIVE = new LongAdder();
    static final LongAdder CLEANER_FREES = new LongAdder();

    /** One native handle and who owns it. Never references a Tensor or a TensorScope (the Cleaner holds it). */
    static final class Handle {
        final MemorySegment address;
        Owner owner;
        boolean freed; // written by the owning thread; read by the Cleaner only after the owner became unreachable

        Handle(MemorySegment address, Owner owner) {
            this.address = address;
            this.owner = owner;
        }

        /** Frees now if not yet freed; true if this call freed it. */
        boolean free() {
            if (freed) return false;
            freed = true;
            LIVE.decrement();
            dev.jlm.bindings.jlm_h.jlm_free(address);
            return true;
        }
    }

    /** The native side of a scope: its handles. Also the Cleaner's action. */
    static final class Owner implements Runnable {
        final ArrayList<Handle> handles = new ArrayList<>();
        int compactAt = 1024;
        boolean closed;

        void add(Handle h) {
            if (handles.size() >= compactAt) { // a long-lived scope whose tensors are closed one by one stays small
                handles.removeIf(x -> x.freed || x.owner != this);
                compactAt = Math.max(1024, 2 * handles.size());
            }
            handles.add(h);
        }

        /** Frees every handle still owned, in one downcall; returns how many. */
        int freeAll() {
            closed = true;
            MemorySegment[] batch = new MemorySegment[handles.size()];
            int n = 0;
            for (Handle h : handles) {
                if (!h.freed && h.owner == this) {
                    h.freed = true;
                    batch[n++] = h.address;
                }
            }
            handles.clear();
            if (n > 0) {
                LIVE.add(-n);
                jlm_free_many(Scratch.handles(batch, n), n);
            }
            return n;
        }

        @Override
        public void run() { // Cleaner: only reached when the scope was never closed
            if (!closed) CLEANER_FREES.add(freeAll());
        }
    }

    private final ArrayDeque<TensorScope> stack;
    private final TensorScope parent;
    final Owner owner = new Owner();
    private final Cleaner.Cleanable cleanable;

    private TensorScope(ArrayDeque<TensorScope> stack) {
        this.stack = stack;
        this.parent = stack.peek();
        this.cleanable = CLEANER.register(this, owner);
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
        return !owner.closed;
    }

    /** Number of tensors this scope would free now. */
    public int size() {
        int n = 0;
        for (Handle h : owner.handles) if (!h.freed && h.owner == owner) n++;
        return n;
    }

    Handle adopt(MemorySegment address) {
        if (owner.closed) throw new IllegalStateException("scope already closed");
        Handle h = new Handle(address, owner);
        LIVE.increment();
        owner.add(h);
        return h;
    }

    void take(Handle h) {
        if (owner.closed) throw new IllegalStateException("scope already closed");
        h.owner = owner;
        owner.add(h);
    }

    @Override
    public void close() {
        if (owner.closed) return;
        if (stack.peek() != this) {
            throw new IllegalStateException("TensorScope closed out of order: close the innermost scope first");
        }
        stack.pop();
        owner.freeAll();
        cleanable.clean(); // deregisters; run() sees closed and does nothing
    }
}
