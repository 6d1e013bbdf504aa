package dev.jlm.serve;

import dev.jlm.generate.BatchDecoder;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.TensorScope;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that owns the model: it loads it (its tensors live in this thread's scope), then runs a step scheduler
 * over a {@link BatchDecoder} (continuous batching): each step it admits waiting work into the free rows (the jobs already
 * started first, then the queue's, in order; each admission prefills one sequence), then decodes one token for every
 * active sequence in one batched forward; a sequence that ends frees its row for the next. The queue is bounded; {@link
 * #offer} says false when it is full (the server's 429); a job leaves the queue once a row is free for it. {@link #close}
 * lets the queued and running jobs finish, then frees the model.
 */
final class ModelThread implements AutoCloseable {
    /**
     * Work on the model, made of sequences; every method runs on this thread. What one throws is its job's failure, told
     * to {@link #fail}; it never reaches the thread's loop.
     */
    interface Job {
        /** Starts its next sequence on {@code decoder}, which has a free row (it may end at once). */
        BatchDecoder.Sequence admitNext(BatchDecoder decoder);

        /** Whether it has sequences left to start. */
        boolean pending();

        /** One of its sequences ended: the decoder freed its row. */
        void ended(TransformerLm model, BatchDecoder.Sequence s);

        /** Whether it is over: nothing left to start and nothing decoding (its client has been told). */
        boolean done();

        void fail(Throwable why);
    }

    private final ArrayBlockingQueue<Job> queue;
    private final CompletableFuture<TransformerLm> ready = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean running;       // a job is on the model now

    /** capacity: jobs that may wait; rows: sequences decoded together in one step (the decoder's KV-cache rows). */
    ModelThread(Callable<TransformerLm> loader, int capacity, int rows) {
        queue = new ArrayBlockingQueue<>(capacity);
        thread = Thread.ofPlatform().name("jlm-model").unstarted(() -> loop(loader, rows));
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

    /** Jobs waiting for a row (not counting those decoding). */
    int waiting() {
        return queue.size();
    }

    /** Whether any job is on the model now. */
    boolean running() {
        return running;
    }

    private void loop(Callable<TransformerLm> loader, int rows) {
        try (var life = TensorScope.open()) {
            TransformerLm model;
            try {
                model = loader.call();
            } catch (Throwable t) {
                ready.completeExceptionally(t);
                return;
            }
            BatchDecoder decoder = new BatchDecoder(model, rows);            // its KV cache lives in this scope
            ready.complete(model);
            List<Job> started = new ArrayList<>();                           // in arrival order
            Map<BatchDecoder.Sequence, Job> owner = new IdentityHashMap<>();
            while (true) {
                while (decoder.hasFreeRow()) {                               // admit: started jobs first, then the queue's
                    Job job = started.stream().filter(Job::pending).findFirst().orElse(null);
                    if (job == null) {
                        job = started.isEmpty() ? queue.poll(50, TimeUnit.MILLISECONDS) : queue.poll();
                        if (job == null) break;
                        started.add(job);
                        running = true;
                    }
                    try {
                        BatchDecoder.Sequence s = job.admitNext(decoder);
                        if (s.ended()) job.ended(model, s);
                        else owner.put(s, job);
                    } catch (Throwable t) {                                  // a job's failure is its request's, never the server's
                        job.fail(t);
                    }
                    if (!job.pending() && job.done()) started.remove(job);
                }
                for (BatchDecoder.Sequence s : decoder.step()) {
                    Job job = owner.remove(s);
                    try {
                        job.ended(model, s);
                    } catch (Throwable t) {
                        job.fail(t);
                    }
                }
                started.removeIf(Job::done);
                running = !started.isEmpty();
                if (started.isEmpty() && stopping && queue.isEmpty()) break;
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
