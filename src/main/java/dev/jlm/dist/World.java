package dev.jlm.dist;

import dev.jlm.JlmException;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.ProcessGroup;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The ranks of a data-parallel job as the training loop sees them: one process ({@link #solo}, every collective a
 * no-op) or a c10d process group. Gradients are averaged in buckets of about {@link #BUCKET_BYTES} (DDP's default),
 * each one flattened all-reduce. Counts the time spent in collectives.
 */
public final class World implements AutoCloseable {
    /** About 25 MB per all-reduce, like DistributedDataParallel's bucket_cap_mb. */
    public static final long BUCKET_BYTES = 25L << 20;

    private final ProcessGroup group;   // null: one process
    private final Device device;        // where this rank's small tensors (flags, losses) live
    private final Waiting waiting;
    private long collectiveNanos;

    private World(ProcessGroup group, Device device, Waiting waiting) {
        this.group = group;
        this.device = device;
        this.waiting = waiting;
    }

    public static World solo() {
        return new World(null, Device.CPU, Waiting.NONE);
    }

    /**
     * Joins the job {@code env} describes (solo when it is one process): Gloo for a CPU {@code device}, NCCL for CUDA.
     * Blocks until every rank has arrived or {@code timeout} passes.
     */
    public static World join(DistEnv env, Device device, Duration timeout) {
        return join(env, device, timeout, note -> { });
    }

    /** As above; while this rank waits for the others (to join, in a collective), {@code notes} is told so every 10 s. */
    public static World join(DistEnv env, Device device, Duration timeout, java.util.function.Consumer<String> notes) {
        if (!env.distributed()) return solo();
        var backend = device.isCuda() ? ProcessGroup.Backend.NCCL : ProcessGroup.Backend.GLOO;
        if (!backend.available()) {
            throw new JlmException("this jlm shim has no " + backend.spelling() + " backend (needed for " + device + " tensors): "
                    + (backend == ProcessGroup.Backend.GLOO ? "install libgloo-dev and rebuild (scripts/setup)" : "build against a CUDA libtorch with NCCL"));
        }
        String bind = env.ifname() != null ? env.masterAddr() : localAddressTowards(env.masterAddr(), env.masterPort());
        Waiting waiting = new Waiting("rank " + env.rank(), timeout, notes);
        waiting.begin("the other " + (env.worldSize() - 1) + " rank(s) to join at " + env.masterAddr() + ":" + env.masterPort());
        ProcessGroup group;
        try {
            group = ProcessGroup.join(backend, env.store(), env.rank(), env.worldSize(), bind, env.ifname(), timeout);
        } catch (RuntimeException e) {
            waiting.close();
            throw e;
        } finally {
            waiting.end();
        }
        return new World(group, device, waiting);
    }

    /** The address of the interface this machine would use to reach host (no packet is sent). */
    static String localAddressTowards(String host, int port) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(host, port));
            var a = s.getLocalAddress();
            if (a == null || a.isAnyLocalAddress()) throw new JlmException("no local interface reaches MASTER_ADDR " + host);
            return a.getHostAddress();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new JlmException("MASTER_ADDR " + host + " cannot be reached from here: " + e.getMessage());
        }
    }

    public int rank() {
        return group == null ? 0 : group.rank();
    }

    public int size() {
        return group == null ? 1 : group.size();
    }

    /** Rank 0: the one that writes checkpoints, metrics and progress. */
    public boolean isMain() {
        return rank() == 0;
    }

    /** Seconds spent in collectives so far. */
    public double collectiveSeconds() {
        return collectiveNanos / 1e9;
    }

    /** Averages the gradients across ranks in place, in buckets of about BUCKET_BYTES of one dtype each. */
    public void averageGradients(List<Tensor> grads) {
        if (group == null || grads.isEmpty()) return;
        List<Tensor> bucket = new ArrayList<>();
        long bytes = 0;
        for (Tensor g : grads) {
            if (!bucket.isEmpty() && (bytes >= BUCKET_BYTES || g.dtype() != bucket.getFirst().dtype())) {
                timed("an all-reduce", () -> group.allReduce(List.copyOf(bucket), true));
                bucket.clear();
                bytes = 0;
            }
            bucket.add(g);
            bytes += g.numel() * g.dtype().byteSize();
        }
        timed("an all-reduce", () -> group.allReduce(bucket, true));
    }

    /** Replaces {@code t} by its mean over all ranks, on its device (no host read). */
    public void averageInPlace(Tensor t) {
        if (group != null) timed("an all-reduce", () -> group.allReduce(List.of(t), true));
    }

    /** Elementwise sums of these values over all ranks (float64). */
    public double[] sum(double[] values) {
        if (group == null) return values.clone();
        try (var s = TensorScope.open()) {
            Tensor t = Torch.fromArray(values, values.length).to(device);
            timed("an all-reduce", () -> group.allReduce(List.of(t), false));
            return t.to(Device.CPU).toDoubleArray();
        }
    }

    /** Rank 0's values, on every rank. */
    public long[] broadcast(long[] values) {
        if (group == null) return values.clone();
        try (var s = TensorScope.open()) {
            Tensor t = Torch.fromArray(values, values.length).to(device);
            timed("a broadcast", () -> group.broadcast(List.of(t), 0));
            return t.to(Device.CPU).toLongArray();
        }
    }

    /** Rank 0's values of these tensors, copied into every rank's (one dtype per call). */
    public void broadcast(List<Tensor> ts) {
        if (group == null || ts.isEmpty()) return;
        for (DType d : ts.stream().map(Tensor::dtype).distinct().toList()) {
            List<Tensor> same = ts.stream().filter(t -> t.dtype() == d).toList();
            timed("a broadcast", () -> group.broadcast(same, 0));
        }
    }

    public void barrier() {
        if (group != null) timed("a barrier", group::barrier);
    }

    /**
     * Runs {@code check} here (where {@code here} is true), then tells every rank whether any rank's check failed:
     * this rank rethrows its own failure; the others stop with an error naming the failed ranks. Ranks never hang on
     * a peer that gave up.
     */
    public void agree(boolean here, Check check) throws IOException {
        Exception mine = null;
        if (here) {
            try {
                check.run();
            } catch (IOException | RuntimeException e) {
                mine = e;
            }
        }
        if (group != null) {
            double[] failed = new double[size()];
            if (mine != null) failed[rank()] = 1;
            failed = sum(failed);
            if (mine == null) {
                List<Integer> who = new ArrayList<>();
                for (int r = 0; r < failed.length; r++) if (failed[r] > 0) who.add(r);
                if (!who.isEmpty()) {
                    throw new JlmException("stopping: " + (who.size() == 1 ? "rank " + who.getFirst() : "ranks " + who) + " failed (see that rank's own error)");
                }
            }
        }
        if (mine instanceof IOException e) throw e;
        if (mine instanceof RuntimeException e) throw e;
    }

    /** A check that may fail with an exception. */
    @FunctionalInterface
    public interface Check {
        void run() throws IOException;
    }

    private void timed(String what, Runnable collective) {
        long t0 = System.nanoTime();
        waiting.begin(what);
        try {
            collective.run();
        } finally {
            waiting.end();
            collectiveNanos += System.nanoTime() - t0;
        }
    }

    @Override
    public void close() {
        waiting.close();
        if (group != null) group.close();
    }
}
