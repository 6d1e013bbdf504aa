package dev.jlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Oracle: the live-handle counter, which counts native handles made minus handles freed. */
class ScopeTest {
    @Test
    void scopeFreesEverythingMadeInside() {
        long before = Tensor.liveHandles();
        try (var s = TensorScope.open()) {
            Tensor a = Torch.ones(4);
            a.add(a).mul(3).sum();
            assertEquals(before + 4, Tensor.liveHandles());
            assertEquals(4, s.size());
        }
        assertEquals(before, Tensor.liveHandles());
    }

    @Test
    void keepHandsToEnclosingScope() {
        long before = Tensor.liveHandles();
        long cleaned = Tensor.cleanerFrees();
        try (var outer = TensorScope.open()) {
            Tensor kept;
            Tensor dropped;
            try (var inner = TensorScope.open()) {
                kept = Torch.ones(2).keep();
                dropped = Torch.ones(2);
            }
            assertTrue(dropped.isFreed());
            assertFalse(kept.isFreed());
            assertEquals(2.0, kept.sum().item());
            assertEquals(before + 2, Tensor.liveHandles());
        }
        assertEquals(before, Tensor.liveHandles());
        assertEquals(cleaned, Tensor.cleanerFrees(), "the Cleaner had to free a handle: a scope leaked");
    }

    @Test
    void moveToLongLivedScopeAndOutOfOrderClose() {
        try (var run = TensorScope.open()) {
            Tensor param;
            try (var step = TensorScope.open()) {
                param = Torch.zeros(3).moveTo(run);
            }
            assertFalse(param.isFreed());
            var a = TensorScope.open();
            var b = TensorScope.open();
            assertThrows(IllegalStateException.class, a::close);
            b.close();
            a.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")      // waits on System.gc() and the Cleaner thread
    void cleanerFreesScopeOfADeadThread() throws Exception {
        long before = Tensor.liveHandles();
        long cleaned = Tensor.cleanerFrees();
        Thread t = new Thread(() -> {
            TensorScope.open();          // never closed: the thread dies inside it
            Torch.ones(8);
            Torch.ones(8);
        });
        t.start();
        t.join();
        t = null;
        for (int i = 0; i < 100 && Tensor.cleanerFrees() < cleaned + 2; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(cleaned + 2, Tensor.cleanerFrees(), "the safety net did not free the dead thread's scope");
        assertEquals(before, Tensor.liveHandles());
    }
}
