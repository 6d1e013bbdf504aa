package dev.jlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Errors are Java exceptions with libtorch's words; nothing crashes the JVM. */
class ErrorPathTest {
    @Test
    void shapeMismatchCarriesLibtorchText() {
        try (var s = TensorScope.open()) {
            var e = assertThrows(TorchException.class, () -> Torch.zeros(2, 3).matmul(Torch.zeros(4, 5)));
            assertTrue(e.getMessage().startsWith("matmul: "), e.getMessage());
            assertTrue(e.getMessage().contains("2x3") && e.getMessage().contains("4x5"), e.getMessage());
            var v = assertThrows(TorchException.class, () -> Torch.zeros(2, 3).view(7));
            assertTrue(v.getMessage().contains("invalid for input of size 6"), v.getMessage());
        }
    }

    /** A CUDA graph where there can be none is an exception saying why; a closed one refuses use; nothing crashes. */
    @Test
    void cudaGraphsWhereThereAreNoneAreClearExceptions() {
        var cpu = assertThrows(IllegalArgumentException.class, () -> CudaGraph.create(Device.CPU));
        assertEquals("CUDA graphs need a CUDA device, not cpu", cpu.getMessage());
        org.junit.jupiter.api.Assumptions.assumeFalse(CudaGraph.available(), "this shim can capture: the GPU check covers it");
        var e = assertThrows(TorchException.class, () -> CudaGraph.create(Device.cuda(0)));
        assertTrue(e.getMessage().contains("CUDA graphs need"), e.getMessage());
    }

    @Test
    void badDevicesAreClearExceptions() {
        assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu0"));
        try (var s = TensorScope.open()) {
            var e = assertThrows(TorchException.class, () -> Torch.zeros(DType.FLOAT32, Device.parse("cuda:99"), 2));
            assertTrue(e.getMessage().contains("cuda:99"), e.getMessage());
        }
    }

    @Test
    void useAfterCloseThrows() {
        Tensor t;
        try (var s = TensorScope.open()) {
            t = Torch.ones(2);
        }
        var e = assertThrows(IllegalStateException.class, t::sum);
        assertEquals("tensor used after its scope closed", e.getMessage());
        try (var s = TensorScope.open()) {
            Tensor u = Torch.ones(2);
            u.close();
            assertThrows(IllegalStateException.class, () -> u.add(u));
            Tensor ok = Torch.ones(2);
            assertThrows(IllegalStateException.class, () -> ok.add(u)); // a closed operand too
        }
    }

    @Test
    void nullHandleAtTheBoundaryIsAnErrorNotACrash() {
        Native.ensureLoaded();
        var r = dev.jlm.bindings.jlm_h.jlm_add(java.lang.foreign.MemorySegment.NULL, java.lang.foreign.MemorySegment.NULL);
        assertEquals(java.lang.foreign.MemorySegment.NULL, r);
        assertEquals("null tensor handle", Native.lastError());
        assertEquals(1, dev.jlm.bindings.jlm_h.jlm_zero_(java.lang.foreign.MemorySegment.NULL));
    }

    @Test
    void noScopeIsAnExceptionNotALeak() {
        long live = Tensor.liveHandles();
        var e = assertThrows(IllegalStateException.class, () -> Torch.ones(3));
        assertTrue(e.getMessage().contains("no TensorScope is open"));
        assertEquals(live, Tensor.liveHandles());
    }

    @Test
    void badIndicesAndArguments() {
        try (var s = TensorScope.open()) {
            Tensor x = Torch.ones(3);
            assertThrows(TorchException.class, () -> x.indexSelect(0, Torch.fromArray(new long[] {5}, 1)));
            assertThrows(TorchException.class, () -> x.transpose(0, 4));
            assertThrows(TorchException.class, () -> Torch.setNumThreads(0));
            assertThrows(TorchException.class, () -> Torch.ones(2, 2).item());
            assertThrows(TorchException.class, () -> Torch.ones(2).backward()); // no grad_fn
        }
    }
}
