package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

import dev.jlm.JlmException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;

/**
 * A c10d process group: libtorch's TCPStore rendezvous (rank 0 hosts it) and its Gloo (CPU tensors) or NCCL (CUDA
 * tensors) collectives. Every collective is blocking and flattens its tensors into one buffer, so a list costs one
 * call. A failed collective becomes a {@link PeerLostException} naming the ranks whose heartbeat stopped.
 * Not thread-safe: one thread drives a group. Close it (all ranks) when done.
 */
public final class ProcessGroup implements AutoCloseable {
    public enum Backend {
        GLOO(JLM_BACKEND_GLOO), NCCL(JLM_BACKEND_NCCL);

        final int code;

        Backend(int code) {
            this.code = code;
        }

        /** Whether this shim was built with the backend. */
        public boolean available() {
            Native.ensureLoaded();
            return jlm_pg_has_backend(code) == 1;
        }

        public String spelling() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A collective failed because a peer is gone or stalled; {@code missing} holds the ranks that stopped beating. */
    public static final class PeerLostException extends JlmException {
        private final List<Integer> missing;

        PeerLostException(String message, List<Integer> missing) {
            super(message);
            this.missing = List.copyOf(missing);
        }

        public List<Integer> missing() {
            return missing;
        }
    }

    private MemorySegment handle;
    private final int rank, size;

    private ProcessGroup(MemorySegment handle, int rank, int size) {
        this.handle = handle;
        this.rank = rank;
        this.size = size;
    }

    /** Who serves the rendezvous store: this rank, another rank, or the launcher (torchrun's agent). */
    public enum Server { THIS_RANK, OTHER_RANK, LAUNCHER }

    /** Where the rendezvous store is: host:port, served by {@code server}, this job's keys under {@code prefix}. */
    public record Store(String host, int port, Server server, String prefix) {}

    /**
     * Joins the group: blocks until all {@code size} ranks have reached the store, or {@code timeout} passes. The
     * Gloo device binds to {@code bindHost}, or to interface {@code ifname} when not null.
     */
    public static ProcessGroup join(Backend backend, Store store, int rank, int size, String bindHost, String ifname, Duration timeout) {
        Native.ensureLoaded();
        String host = store.host();
        int port = store.port();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = jlm_pg_new(backend.code, a.allocateFrom(host), port, switch (store.server()) { case THIS_RANK -> 1; case OTHER_RANK -> 0; case LAUNCHER -> -1; }, a.allocateFrom(store.prefix()), rank, size,
                    a.allocateFrom(bindHost), a.allocateFrom(ifname == null ? "" : ifname), timeout.toMillis());
            if (h.equals(MemorySegment.NULL)) {
                String why = firstLine(Native.lastError());
                if (why.contains("Address already in use") || why.contains("EADDRINUSE")) why = "port " + port + " is in use by another program: choose a free MASTER_PORT";
                else if (why.contains("Socket Timeout") || why.contains("Timed out") || why.contains("wait timeout")) {
                    why = "not every rank arrived within the timeout (" + timeout.toSeconds() + " s): are all " + size + " started, with the same MASTER_ADDR:MASTER_PORT? ["
                            + why + "]";
                }
                throw new JlmException("rank " + rank + " of " + size + " could not join the " + backend.spelling() + " process group at "
                        + host + ":" + port + ": " + why);
            }
            return new ProcessGroup(h, rank, size);
        }
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** Sums (or averages, when {@code average}) these tensors across ranks, in place. All of one dtype and device. */
    public void allReduce(List<Tensor> ts, boolean average) {
        collective(jlm_pg_all_reduce(live(), handles(ts), ts.size(), average ? 1 : 0), "all-reduce");
    }

    /** Rank {@code root}'s values of these tensors, copied into every rank's. */
    public void broadcast(List<Tensor> ts, int root) {
        collective(jlm_pg_broadcast(live(), handles(ts), ts.size(), root), "broadcast");
    }

    public void barrier() {
        collective(jlm_pg_barrier(live()), "barrier");
    }

    private MemorySegment live() {
        if (handle == null) throw new IllegalStateException("process group used after close");
        return handle;
    }

    private static MemorySegment handles(List<Tensor> ts) {
        MemorySegment[] hs = new MemorySegment[ts.size()];
        for (int i = 0; i < hs.length; i++) hs[i] = ts.get(i).handle();
        return Scratch.handles(hs, hs.length);
    }

    private void collective(int status, String op) {
        if (status == 0) return;
        String torch = firstLine(Native.lastError());
        List<Integer> missing = missingRanks();
        String who;
        if (missing.isEmpty()) who = "a peer failed or stalled";
        else who = (missing.size() == 1 ? "rank " + missing.getFirst() : "ranks " + missing) + " stopped responding (exited or hung)";
        throw new PeerLostException("rank " + rank + ": " + op + " failed: " + who + " [" + torch + "]", missing);
    }

    /** The ranks whose heartbeat in the store did not advance over 1.5 s. */
    private List<Integer> missingRanks() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG, size);
            MemorySegment count = a.allocate(ValueLayout.JAVA_INT);
            if (jlm_pg_missing_ranks(handle, 1500, out, size, count) != 0) return List.of();
            int n = count.get(ValueLayout.JAVA_INT, 0);
            Integer[] r = new Integer[n];
            for (int i = 0; i < n; i++) r[i] = (int) out.getAtIndex(ValueLayout.JAVA_LONG, i);
            return List.of(r);
        }
    }

    private static String firstLine(String s) {
        if (s == null || s.isBlank()) return "(no message)";
        return s.strip().split("\n")[0];
    }

    @Override
    public void close() {
        if (handle != null) {
            jlm_pg_free(handle);
            handle = null;
        }
    }
}
