package dev.jlm.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.tensor.ProcessGroup;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** torchrun's variables as torchrun documents them (standalone, static rendezvous with its agent's store, restarts). */
class DistEnvTest {
    @Test
    void noVariablesOrWorldSizeOneIsOneProcess() {
        assertSame(DistEnv.SOLO, DistEnv.from(Map.of()));
        assertSame(DistEnv.SOLO, DistEnv.from(Map.of("WORLD_SIZE", "1", "RANK", "0")));
        assertFalse(DistEnv.SOLO.distributed());
    }

    @Test
    void torchrunStandaloneRankZeroServesTheStore() {
        DistEnv e = DistEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "4", "LOCAL_RANK", "0", "LOCAL_WORLD_SIZE", "2", "MASTER_ADDR", "10.0.0.1",
                "MASTER_PORT", "29400"));
        assertTrue(e.distributed());
        assertEquals(new ProcessGroup.Store("10.0.0.1", 29400, ProcessGroup.Server.THIS_RANK, "/jlm/attempt_0/"), e.store());
        DistEnv r3 = DistEnv.from(Map.of("RANK", "3", "WORLD_SIZE", "4", "MASTER_ADDR", "10.0.0.1", "MASTER_PORT", "29400"));
        assertEquals(ProcessGroup.Server.OTHER_RANK, r3.store().server());
        assertEquals(3, r3.localRank());                              // LOCAL_* default to one node
    }

    @Test
    void underTheAgentsStoreNoRankServesAndEachRestartHasItsOwnKeys() {
        DistEnv e = DistEnv.from(Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "29500",
                "TORCHELASTIC_USE_AGENT_STORE", "True", "TORCHELASTIC_RESTART_COUNT", "1", "GLOO_SOCKET_IFNAME", "eth0"));
        assertEquals(new ProcessGroup.Store("127.0.0.1", 29500, ProcessGroup.Server.LAUNCHER, "/jlm/attempt_1/"), e.store());
        assertEquals("eth0", e.ifname());
    }

    /**
     * Variables that used to divide by zero (LOCAL_WORLD_SIZE 0, WORLD_SIZE 0 with no LOCAL_WORLD_SIZE: exit 70) or were not
     * read at all when WORLD_SIZE is 1 (torchrun --nproc-per-node 1 sets them all): each refused in one line naming it.
     */
    @Test
    void everyVariableIsCheckedAlsoForOneProcess() {
        Map<String, String> ok = Map.of("WORLD_SIZE", "1", "RANK", "0", "LOCAL_RANK", "0", "LOCAL_WORLD_SIZE", "1", "MASTER_ADDR", "127.0.0.1",
                "MASTER_PORT", "29500", "TORCHELASTIC_RESTART_COUNT", "0");
        assertSame(DistEnv.SOLO, DistEnv.from(ok));
        String[][] cases = {
                {"LOCAL_WORLD_SIZE", "0", "LOCAL_WORLD_SIZE must be in 1..WORLD_SIZE = 1..1, got 0"},
                {"RANK", "3", "RANK 3 is outside 0..WORLD_SIZE-1 = 0..0"},
                {"LOCAL_RANK", "1", "LOCAL_RANK 1 is outside 0..LOCAL_WORLD_SIZE-1 = 0..0"},
                {"MASTER_PORT", "http", "MASTER_PORT must be an integer, got 'http'"},
                {"MASTER_PORT", "0", "MASTER_PORT must be in 1..65535, got 0"},
                {"TORCHELASTIC_RESTART_COUNT", "-1", "TORCHELASTIC_RESTART_COUNT must be >= 0, got -1"},
                {"RANK", " ", "RANK is set but empty (an integer expected)"},
                {"WORLD_SIZE", "0", "WORLD_SIZE must be >= 1, got 0"},
                {"WORLD_SIZE", "-2", "WORLD_SIZE must be >= 1, got -2"},
        };
        for (String[] c : cases) {
            Map<String, String> env = new java.util.HashMap<>(ok);
            env.put(c[0], c[1]);
            assertEquals(c[2], assertThrows(JlmException.class, () -> DistEnv.from(env), c[0] + "=" + c[1]).getMessage());
        }
        Map<String, String> two = Map.of("WORLD_SIZE", "2", "RANK", "1", "MASTER_ADDR", "h", "MASTER_PORT", "29500", "LOCAL_WORLD_SIZE", "0");
        assertEquals("LOCAL_WORLD_SIZE must be in 1..WORLD_SIZE = 1..2, got 0", assertThrows(JlmException.class, () -> DistEnv.from(two)).getMessage());
        assertEquals("WORLD_SIZE must be >= 1, got 0", assertThrows(JlmException.class,
                () -> DistEnv.from(Map.of("WORLD_SIZE", "0", "RANK", "0", "MASTER_ADDR", "h", "MASTER_PORT", "1"))).getMessage());
    }

    @Test
    void aWrongEnvironmentIsNamed() {
        assertEquals("RANK is set but WORLD_SIZE is not: set both (as torchrun does), or neither",
                assertThrows(JlmException.class, () -> DistEnv.from(Map.of("RANK", "1"))).getMessage());
        assertEquals("WORLD_SIZE must be an integer, got 'two'",
                assertThrows(JlmException.class, () -> DistEnv.from(Map.of("WORLD_SIZE", "two"))).getMessage());
        assertTrue(assertThrows(JlmException.class, () -> DistEnv.from(Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_PORT", "1")))
                .getMessage().contains("MASTER_ADDR is not set"));
        assertEquals("RANK 2 is outside 0..WORLD_SIZE-1 = 0..1", assertThrows(JlmException.class,
                () -> DistEnv.from(Map.of("WORLD_SIZE", "2", "RANK", "2", "MASTER_ADDR", "h", "MASTER_PORT", "1"))).getMessage());
        assertEquals("MASTER_PORT must be in 1..65535, got 70000", assertThrows(JlmException.class,
                () -> DistEnv.from(Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_ADDR", "h", "MASTER_PORT", "70000"))).getMessage());
    }
}
