package dev.jlm.serve;

import dev.jlm.generate.Generator;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.TensorScope;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that owns the model: it loads it (its tensors live in this thread's scope), then runs the queued jobs one
 * at a time, each in a scope of its own. Requests are serialized here, not batched: continuous batching over the KV cache
 * (rows of one cache at different lengths) is the next step. The queue is bounded; {@link #offer} says false when it is
 * full (the server's 429). {@link #close} lets the queued jobs finish, then frees the model.
 */
final class ModelThread implements AutoCloseable {
    /** Work on the model, run on this thread; {@code fail} is told what it threw (it never reaches the thread's loop). */
    interface Job {
        void run(TransformerLm model, Generator generator);

        void fail(Throwable why);
    }

    private final ArrayBlockingQueue<Job> queue;
    private final CompletableFuture<TransformerLm> ready = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean running;       // a job is on the model now

    ModelThread(Callable<TransformerLm> loader, int capacity) {
        queue = new ArrayBlockingQueue<>(capacity);
        thread = Thread.ofPlatform().name("jlm-model").unstarted(() -> loop(loader));
        thread.start();
    }

    /** The loaded model, once it is; what the loader threw, as it threw it. */
    TransformerLm awaitReady() throws Exception {
        try {
            return ready.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) throw x;
            throw e;
        }
    }

    /** Queues a job; false when the queue is full or the thread is stopping. */
    boolean offer(Job job) {
        return !stopping && queue.offer(job);
    }

    /** Jobs waiting (not counting the one running). */
    int waiting() {
        return queue.size();
    }

    /** Whether a job is on the model now. */
    boolean running() {
        return running;
    }

    private void loop(Callable<TransformerLm> loader) {
        try (var life = TensorScope.open()) {
            TransformerLm model;
            try {
                model = loader.call();
            } catch (Throwable t) {
                ready.completeExceptionally(t);
                return;
            }
            try (Generator generator = new Generator(model, true)) {
                ready.complete(model);
                while (true) {
                    Job job = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (job == null) {
                        if (stopping) break;
                        continue;
                    }
                    running = true;
                    try (var scope = TensorScope.open()) {
                        job.run(model, generator);
                    } catch (Throwable t) {                 // a job's failure is its request's, never the server's
                        job.fail(t);
                    } finally {
                        running = false;
                    }
                }
            }
            for (Job left; (left = queue.poll()) != null; ) {   // offered as close began
                left.fail(new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops taking jobs, lets the queued ones finish, frees the model. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join();
    }
}
