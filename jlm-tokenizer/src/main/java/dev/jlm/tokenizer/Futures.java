package dev.jlm.tokenizer;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Worker pools and their results: a failure is rethrown as it was (a TokenizerException stays one line). */
final class Futures {
    private Futures() {}

    static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;           // an OutOfMemoryError reaches the caller as itself
            throw new TokenizerException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenizerException("interrupted");
        }
    }

    /**
     * A fixed pool of daemon threads named {@code name}; closing it waits for what was submitted, as Java 19's
     * {@code ExecutorService.close()} does (this module is Java 17).
     */
    static final class Pool implements AutoCloseable {
        private final ExecutorService executor;

        Pool(int threads, String name) {
            executor = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }

        <T> Future<T> submit(Callable<T> task) {
            return executor.submit(task);
        }

        @Override
        public void close() {
            executor.shutdown();
            boolean interrupted = false;
            while (true) {
                try {
                    if (executor.awaitTermination(1, TimeUnit.DAYS)) break;
                } catch (InterruptedException e) {
                    if (!interrupted) executor.shutdownNow();
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
