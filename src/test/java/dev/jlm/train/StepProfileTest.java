package dev.jlm.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle: closed form on a hand-written events file of one step (10 ms wall): an attention range of 4 ms on the host
 * holding a 2 ms matrix product, then a 1 ms optimizer range; on the stream the product takes 5 ms and the attention
 * range 8 ms, the optimizer 1 ms, the whole step 9 ms from first event to last.
 */
class StepProfileTest {
    static final String EVENTS = """
            push\t1\th1\t0\t-1\t0\t%s\tattention
            push\t1\th2\t1000000\t5\t0\t%s\taten::mm
            pop\t1\th2\t3000000\t-1\t0\t%s\taten::mm
            pop\t1\th1\t4000000\t-1\t0\t%s\tattention
            push\t1\th3\t5000000\t-1\t0\t%s\toptimizer
            pop\t1\th3\t6000000\t-1\t0\t%s\toptimizer
            """;

    @Test
    void gpuTimeByComponentIsTheStreamsTimeBetweenItsEvents(@TempDir Path dir) throws Exception {
        String t = table(dir, "0", "1000000", "6000000", "8000000", "8000000", "9000000");
        assertTrue(t.contains("GPU: 9.0 ms per step on the stream"), t);
        assertTrue(t.contains("| attention | 4.00 | 0.00 | 0.00 | 4.00 | 40.0% | 8.00 |"), t);
        assertTrue(t.contains("| optimizer | 0.00 | 0.00 | 1.00 | 1.00 | 10.0% | 1.00 |"), t);
        assertTrue(t.contains("| aten::mm | 1 | 2.00 | 20.0% |"), t);
    }

    @Test
    void withoutGpuTimesTheTableHasNoGpuColumn(@TempDir Path dir) throws Exception {
        String t = table(dir, "-1", "-1", "-1", "-1", "-1", "-1");
        assertFalse(t.contains("GPU"), t);
        assertTrue(t.contains("| attention | 4.00 | 0.00 | 0.00 | 4.00 | 40.0% |\n"), t);
    }

    /** The table of EVENTS with these gpu_ns, one step of 10 ms wall. */
    static String table(Path dir, Object... gpuNs) throws Exception {
        Path f = Files.writeString(dir.resolve("e.tsv"), EVENTS.formatted(gpuNs));
        return StepProfile.read(f, 1, 10).table(5);
    }
}
