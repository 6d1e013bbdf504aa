package dev.jlm.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.TorchException;
import dev.jlm.testing.OpenScope;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Oracle: the official test_get_batch (dataset = arange(100), T = 7, B = 32, 1000 draws, counts within 5σ). */
@ExtendWith(OpenScope.class)
class BatchSamplerTest {
    @Test
    void officialStatisticalTest(@TempDir Path dir) throws Exception {
        Path file = TokenFiles.write(dir.resolve("a.bin"), IntStream.range(0, 100).toArray());
        try (TokenFile data = TokenFile.open(file)) {
            officialStatistics(data);
        }
    }

    /** CS336 hands get_batch an array: the same test on ids held in memory. */
    @Test
    void officialStatisticalTestOnAnArray() {
        try (TokenFile data = TokenFile.ofIds(IntStream.range(0, 100).toArray(), 100)) {
            officialStatistics(data);
        }
        var e = assertThrows(JlmException.class, () -> TokenFile.ofIds(new int[] {1, 2, 100}, 100));
        assertEquals("an array of 3 ids: token id 100 at offset 2 is outside [0, 100)", e.getMessage());
        try (TokenFile two = TokenFile.ofIds(new int[] {1, 2}, 100)) {
            var tooShort = assertThrows(JlmException.class, () -> new BatchSampler(two, 1, 7, Device.CPU, 0));
            assertTrue(tooShort.getMessage().startsWith("an array of 2 ids: 2 tokens is shorter than context_length + 1 = 8"), tooShort.getMessage());
        }
    }

    static void officialStatistics(TokenFile data) {
        int t = 7, b = 32, iters = 1000;
        long[] counts = new long[100];
        {
            BatchSampler s = new BatchSampler(data, b, t, Device.CPU, 42);
            for (int i = 0; i < iters; i++) {
                try (var scope = TensorScope.open()) {
                    Batch batch = s.next();
                    assertArrayEquals(new long[] {b, t}, batch.inputs().shape());
                    assertEquals(DType.INT64, batch.inputs().dtype());
                    assertArrayEquals(batch.inputs().add(1.0).to(DType.INT64).toLongArray(), batch.targets().toLongArray());
                    long[] x = batch.inputs().toLongArray();
                    for (int r = 0; r < b; r++) counts[(int) x[r * t]]++;
                }
            }
        }
        int possible = 100 - t;
        double expected = (double) iters * b / possible;
        double sd = Math.sqrt(iters * b * (1.0 / possible) * (1 - 1.0 / possible));
        for (int i = 0; i < possible; i++) {
            assertTrue(Math.abs(counts[i] - expected) <= 5 * sd, "start " + i + " drawn " + counts[i] + " times");
        }
        for (int i = possible; i < 100; i++) assertEquals(0, counts[i], "start " + i + " is past the last valid start");
    }

    @Test
    void invalidDeviceAndShortDataAreErrors(@TempDir Path dir) throws Exception {
        Path file = TokenFiles.write(dir.resolve("a.bin"), IntStream.range(0, 100).toArray());
        try (TokenFile data = TokenFile.open(file)) {
            assertThrows(TorchException.class, () -> new BatchSampler(data, 32, 7, Device.cuda(99), 0));
            var e = assertThrows(JlmException.class, () -> new BatchSampler(data, 2, 100, Device.CPU, 0));
            assertTrue(e.getMessage().contains("shorter than context_length + 1 = 101"), e.getMessage());
        }
        Path odd = java.nio.file.Files.write(dir.resolve("odd.bin"), new byte[] {1, 2, 3});
        assertThrows(JlmException.class, () -> TokenFile.open(odd));
    }
}
