package dev.jlm.tokenizer;

import dev.jlm.JlmException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits for a worker's result, rethrowing its failure as it was (a JlmException stays one line). */
final class Futures {
    private Futures() {}

    static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;           // an OutOfMemoryError reaches the caller as itself
            throw new JlmException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JlmException("interrupted");
        }
    }
}
