package dev.jlm.dist;

import dev.jlm.JlmException;
import dev.jlm.tensor.ProcessGroup;
import java.util.Map;

/**
 * Where this process sits in a data-parallel job, from torchrun's environment variables: RANK, WORLD_SIZE, LOCAL_RANK,
 * LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT (rank 0 serves the rendezvous store there), and GLOO_SOCKET_IFNAME (the
 * interface Gloo binds to; by default the one that reaches MASTER_ADDR). Under torchrun's static rendezvous
 * (TORCHELASTIC_USE_AGENT_STORE=True) the launcher's agent already serves the store at MASTER_PORT and no rank does;
 * each restart (TORCHELASTIC_RESTART_COUNT) keeps its keys apart, as PyTorch's own workers do.
 */
public record DistEnv(int rank, int worldSize, int localRank, int localWorldSize, String masterAddr, int masterPort, String ifname,
                      boolean agentStore, int restart) {
    public DistEnv {
        if (worldSize < 1) throw new JlmException("WORLD_SIZE must be >= 1, got " + worldSize);
        if (rank < 0 || rank >= worldSize) throw new JlmException("RANK " + rank + " is outside 0..WORLD_SIZE-1 = 0.." + (worldSize - 1));
        if (localWorldSize < 1 || localWorldSize > worldSize) {
            throw new JlmException("LOCAL_WORLD_SIZE must be in 1..WORLD_SIZE = 1.." + worldSize + ", got " + localWorldSize);
        }
        if (localRank < 0 || localRank >= localWorldSize) {
            throw new JlmException("LOCAL_RANK " + localRank + " is outside 0..LOCAL_WORLD_SIZE-1 = 0.." + (localWorldSize - 1));
        }
        if (masterPort < 1 || masterPort > 65535) throw new JlmException("MASTER_PORT must be in 1..65535, got " + masterPort);
        if (restart < 0) throw new JlmException("TORCHELASTIC_RESTART_COUNT must be >= 0, got " + restart);
    }

    /** One process, no process group. */
    public static final DistEnv SOLO = new DistEnv(0, 1, 0, 1, "127.0.0.1", 29500, null, false, 0);

    /**
     * The job this environment describes; {@link #SOLO} when no WORLD_SIZE is set, or WORLD_SIZE is 1 (torchrun
     * --nproc-per-node 1 sets the other variables too, and each is checked all the same).
     */
    public static DistEnv from(Map<String, String> env) {
        String world = env.get("WORLD_SIZE");
        if (world == null || world.isBlank()) {
            if (env.containsKey("RANK")) throw new JlmException("RANK is set but WORLD_SIZE is not: set both (as torchrun does), or neither");
            return SOLO;
        }
        int size = number(env, "WORLD_SIZE", null);
        if (size < 1) throw new JlmException("WORLD_SIZE must be >= 1, got " + size);
        boolean solo = size == 1;
        int rank = number(env, "RANK", solo ? "0" : null);
        int localSize = number(env, "LOCAL_WORLD_SIZE", String.valueOf(size));
        if (localSize < 1 || localSize > size) throw new JlmException("LOCAL_WORLD_SIZE must be in 1..WORLD_SIZE = 1.." + size + ", got " + localSize);
        int localRank = number(env, "LOCAL_RANK", String.valueOf(Math.floorMod(rank, localSize)));
        String addr = env.get("MASTER_ADDR");
        if (!solo && (addr == null || addr.isBlank())) throw new JlmException("WORLD_SIZE is " + size + " but MASTER_ADDR is not set (the host of rank 0)");
        int port = number(env, "MASTER_PORT", solo ? String.valueOf(SOLO.masterPort) : null);
        String ifname = env.get("GLOO_SOCKET_IFNAME");
        boolean agent = "true".equalsIgnoreCase(env.getOrDefault("TORCHELASTIC_USE_AGENT_STORE", "false"));
        int restart = number(env, "TORCHELASTIC_RESTART_COUNT", "0");
        DistEnv e = new DistEnv(rank, size, localRank, localSize, solo ? SOLO.masterAddr : addr, port, ifname == null || ifname.isBlank() ? null : ifname,
                agent, restart);                                      // every variable checked, also for one process
        return solo ? SOLO : e;
    }

    /** The rendezvous store: rank 0 serves it unless torchrun's agent does; keys under a per-attempt prefix. */
    public ProcessGroup.Store store() {
        var server = agentStore ? ProcessGroup.Server.LAUNCHER : rank == 0 ? ProcessGroup.Server.THIS_RANK : ProcessGroup.Server.OTHER_RANK;
        return new ProcessGroup.Store(masterAddr, masterPort, server, "/jlm/attempt_" + restart + "/");
    }

    public boolean distributed() {
        return worldSize > 1;
    }

    private static int number(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        if (v != null && v.isBlank()) throw new JlmException(name + " is set but empty (an integer expected)");
        if (v == null) v = fallback;
        if (v == null) throw new JlmException(name + " is not set (WORLD_SIZE is: set all of torchrun's variables)");
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new JlmException(name + " must be an integer, got '" + v + "'");
        }
    }
}
