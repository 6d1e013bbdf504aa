package dev.jlm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.OpenScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Tensor.setGrad as PyTorch's {@code p.grad = g}: exact values, overwrite, later backward accumulates onto it, clear refusals. */
@ExtendWith(OpenScope.class)
class SetGradTest {
    @Test
    void setGradIsExactOverwritesAndBackwardAccumulatesOntoIt() {
        Torch.manualSeed(2);
        Tensor p = Torch.randn(3, 4).requiresGrad(true);
        Tensor g = Torch.randn(3, 4).mul(1e30);                      // large values: any arithmetic on them would show
        p.setGrad(g);
        assertArrayEquals(g.toFloatArray(), p.grad().toFloatArray());
        Tensor h = Torch.randn(3, 4);
        p.setGrad(h);                                                // a second set replaces, as p.grad = h
        assertArrayEquals(h.toFloatArray(), p.grad().toFloatArray());
        p.mul(2).sum().backward();                                   // then d(Σ 2p)/dp = 2 accumulates onto it
        float[] want = h.add(2).toFloatArray(), got = p.grad().toFloatArray();
        assertArrayEquals(want, got);
        try (var ng = NoGrad.enter()) {                              // under no-grad too (an optimizer loop's context)
            p.clearGrad();
            p.setGrad(g);
        }
        assertArrayEquals(g.toFloatArray(), p.grad().toFloatArray());
    }

    @Test
    void setGradRefusesAnotherShapeOrATensorWithoutGrad() {
        Tensor p = Torch.zeros(2, 3).requiresGrad(true);
        var e = assertThrows(IllegalArgumentException.class, () -> p.setGrad(Torch.zeros(3, 2)));
        assertEquals("setGrad: gradient of shape [3, 2] for a tensor of shape [2, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Torch.zeros(2).setGrad(Torch.zeros(2)));
        assertEquals("setGrad: the tensor does not require grad", e.getMessage());
    }

    @Test
    void setGradRefusesANonLeafAndLeavesItsLeavesAlone() {
        Tensor p = Torch.ones(2, 3).requiresGrad(true);
        Tensor q = p.mul(2);                                         // requires grad, but autograd computes its gradient
        var e = assertThrows(TorchException.class, () -> q.setGrad(Torch.ones(2, 3)));
        assertTrue(e.getMessage().contains("setGrad: the tensor is not a leaf"), e.getMessage());
        assertNull(p.grad(), "nothing reached the leaf");
    }

    @Test
    void setGradCopiesConvertsAndKeepsNoAlias() {
        Tensor p = Torch.zeros(2, 2).requiresGrad(true);
        Tensor g = Torch.ones(2, 2).to(DType.FLOAT64);
        p.setGrad(g);
        assertEquals(p.dtype(), p.grad().dtype(), "the gradient takes the parameter's dtype");
        try (var ng = NoGrad.enter()) {
            g.fill_(7);                                              // the caller's tensor changes afterwards
        }
        assertArrayEquals(new float[] {1, 1, 1, 1}, p.grad().toFloatArray(), "a copy, as p.grad = g.clone()");
    }
}
