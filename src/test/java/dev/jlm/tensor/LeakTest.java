package dev.jlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * 10,000 small training steps (forward, backward, in-place update) with per-step scopes and long-lived
 * parameters: the live-handle count returns to its start every step and resident memory stays flat.
 */
class LeakTest {
    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmRSS");
    }

    @Test
    void tenThousandStepsKeepNativeMemoryFlat() throws IOException {
        long cleaned = Tensor.cleanerFrees();
        try (var run = TensorScope.open()) {
            Torch.manualSeed(0);
            Tensor w1 = Torch.randn(32, 64).mul(0.1).requiresGrad(true);   // params live in `run`
            Tensor w2 = Torch.randn(64, 8).mul(0.1).requiresGrad(true);
            long live = Tensor.liveHandles();
            long rssAfterWarmup = 0;
            for (int step = 0; step < 10_000; step++) {
                if (step == 2_000) {
                    System.gc();
                    rssAfterWarmup = rssKb();
                }
                try (var s = TensorScope.open()) {
                    Tensor x = Torch.randn(16, 32);                          // (B, D)
                    Tensor loss = x.matmul(w1).sigmoid().matmul(w2).pow(2).mean();
                    loss.backward();
                    try (var g = NoGrad.enter()) {
                        w1.add_(w1.grad(), -0.01);
                        w2.add_(w2.grad(), -0.01);
                    }
                    w1.clearGrad();
                    w2.clearGrad();
                }
                assertEquals(live, Tensor.liveHandles(), "handles leaked at step " + step);
            }
            System.gc();
            long growthKb = rssKb() - rssAfterWarmup;
            assertTrue(growthKb < 8 * 1024, "RSS grew " + growthKb + " KiB over 8,000 steps");
        }
        assertEquals(cleaned, Tensor.cleanerFrees(), "the Cleaner had to free handles");
    }
}
