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
