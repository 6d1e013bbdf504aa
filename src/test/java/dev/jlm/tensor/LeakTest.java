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

    /** One training-like step in its own scope; the parameters live in the caller's scope. */
    static void step(Tensor w1, Tensor w2) {
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
    }

    /** Exact: the live-handle count is the same after every step, and the Cleaner never fires. */
    @Test
    void tenThousandStepsKeepTheHandleCountFlat() {
        long cleaned = Tensor.cleanerFrees();
        try (var run = TensorScope.open()) {
            Torch.manualSeed(0);
            Tensor w1 = Torch.randn(32, 64).mul(0.1).requiresGrad(true);
            Tensor w2 = Torch.randn(64, 8).mul(0.1).requiresGrad(true);
            long live = Tensor.liveHandles();
            for (int i = 0; i < 10_000; i++) {
                step(w1, w2);
                assertEquals(live, Tensor.liveHandles(), "handles leaked at step " + i);
            }
        }
        assertEquals(cleaned, Tensor.cleanerFrees(), "the Cleaner had to free handles");
    }

    /** Allocator-dependent: RSS after 8,000 more steps stays within 8 MB of where it was after warm-up. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void tenThousandStepsKeepResidentMemoryFlat() throws IOException {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(0);
            Tensor w1 = Torch.randn(32, 64).mul(0.1).requiresGrad(true);
            Tensor w2 = Torch.randn(64, 8).mul(0.1).requiresGrad(true);
            for (int i = 0; i < 2_000; i++) step(w1, w2);
            System.gc();
            long rssAfterWarmup = rssKb();
            for (int i = 0; i < 8_000; i++) step(w1, w2);
            System.gc();
            long growthKb = rssKb() - rssAfterWarmup;
            assertTrue(growthKb < 8 * 1024, "RSS grew " + growthKb + " KiB over 8,000 steps");
        }
    }
}
