package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

/** Disables autograd recording on this thread until closed: {@code try (var g = NoGrad.enter()) { ... }}. */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;

    private NoGrad() {
        Native.ensureLoaded();
        previous = jlm_is_grad_enabled() != 0;
        Native.check(jlm_set_grad_enabled(0), "no_grad");
    }

    public static NoGrad enter() {
        return new NoGrad();
    }

    @Override
    public void close() {
        Native.check(jlm_set_grad_enabled(previous ? 1 : 0), "no_grad");
    }
}
