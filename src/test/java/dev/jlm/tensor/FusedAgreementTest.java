package dev.jlm.tensor;

import static dev.jlm.testing.Close.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.nn.Functional;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.Loss;
import dev.jlm.nn.Rope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Oracle: libtorch's fused softmax / cross_entropy, against jlm's primitive-built ones, also on shifted and scaled inputs. */
class FusedAgreementTest {
    @ParameterizedTest(name = "logits * {0} + {1}")
    @CsvSource({"1, 0", "1, 100", "1000, 0"})
    void softmaxAndCrossEntropyAgreeWithFused(double scale, double shift) {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(0);
            Tensor logits = Torch.randn(4, 7, 11).mul(scale).add(shift);   // (B, T, V)
            Tensor targets = Torch.randint(0, 11, Device.CPU, 4, 7);         // (B, T)
            assertAllClose(Fused.softmax(logits, -1).toFloatArray(), Functional.softmax(logits, -1).toFloatArray(), 1e-6, 1e-5);
            double fused = Fused.crossEntropy(logits, targets).item();
            double ours = Loss.crossEntropy(logits, targets).item();
            assertFalse(Double.isNaN(ours) || Double.isInfinite(ours), "cross-entropy overflowed: " + ours);
            assertEquals(fused, ours, 1e-4 * Math.max(1, Math.abs(fused)));
            assertAllClose(Fused.silu(logits).toFloatArray(), Functional.silu(logits).toFloatArray(), 1e-5, 1e-5);
        }
    }

    /**
     * The one-downcall attention (baddbmm with the mask as −∞ bias, softmax, bmm) against CS336's primitives, values
     * and gradients, on heads viewed out of (B, T, H, D) as the model does: a causal mask, a sliding window (keys
     * i−40..i, not a prefix), and no bias at all.
     */
    @ParameterizedTest(name = "T = {0}, mask {1}")
    @CsvSource({"9, causal", "200, causal", "200, window", "130, none"})
    void fusedAttentionAgreesWithThePrimitivesForwardAndBackward(int t, String maskKind) {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(1);
            long b = 2, h = 3, d = 8;
            Tensor causal = Torch.ones(DType.BOOL, Device.CPU, t, t).tril(0);
            Tensor mask = switch (maskKind) {
                case "causal" -> causal;
                case "window" -> Torch.where(Torch.ones(DType.BOOL, Device.CPU, t, t).tril(-41), Torch.zeros(DType.BOOL, Device.CPU, t, t), causal);
                default -> Torch.ones(DType.BOOL, Device.CPU, t, t);
            };
            Tensor bias = maskKind.equals("none") ? null
                    : Torch.where(mask, Torch.full(0, DType.FLOAT32, Device.CPU), Torch.full(Double.NEGATIVE_INFINITY, DType.FLOAT32, Device.CPU));
            Tensor[] ref = new Tensor[3], fused = new Tensor[3];
            for (int i = 0; i < 3; i++) {
                Tensor x = Torch.randn(b, t, h, d);                                   // (B, T, H, D) viewed as (B, H, T, D), as the model does
                ref[i] = x.clone().requiresGrad(true);
                fused[i] = x.clone().requiresGrad(true);
            }
            Tensor w = Torch.randn(b, h, t, d);                                       // a loss that weighs every output
            Tensor yRef = Functional.scaledDotProductAttention(ref[0].transpose(1, 2), ref[1].transpose(1, 2), ref[2].transpose(1, 2), mask);
            Tensor yFused = Fused.attention(fused[0].transpose(1, 2), fused[1].transpose(1, 2), fused[2].transpose(1, 2), bias, 1 / Math.sqrt(d));
            assertAllClose(yRef.toFloatArray(), yFused.toFloatArray(), 1e-6, 1e-5);
            yRef.mul(w).sum().backward();
            yFused.mul(w).sum().backward();
            for (int i = 0; i < 3; i++) assertAllClose(ref[i].grad().toFloatArray(), fused[i].grad().toFloatArray(), 1e-5, 1e-5);
        }
    }

    /**
     * RoPE by one complex multiply against the real formula (CS336's), values and gradients, on heads viewed out of
     * (B, T, H, D) from position 3 on; and in bfloat16, which has no complex type and takes the real formula.
     */
    @Test
    void fusedRopeAgreesWithTheRealFormula() {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(2);
            Rope rope = new Rope(10000, 8, 32, Device.CPU);
            Tensor x = Torch.randn(2, 11, 3, 8);                                    // (B, T, H, D)
            Tensor a = x.clone().requiresGrad(true), b = x.clone().requiresGrad(true);
            Tensor cos = rope.cos(3, 11), sin = rope.sin(3, 11);                      // positions 3..13
            Tensor yRef = Kernels.REFERENCE.rope(a.transpose(1, 2), cos, sin), yFused = Kernels.FUSED.rope(b.transpose(1, 2), cos, sin);
            assertAllClose(yRef.toFloatArray(), yFused.toFloatArray(), 1e-6, 1e-5);
            Tensor w = Torch.randn(2, 3, 11, 8);
            yRef.mul(w).sum().backward();
            yFused.mul(w).sum().backward();
            assertAllClose(a.grad().toFloatArray(), b.grad().toFloatArray(), 1e-6, 1e-5);
            Tensor xb = x.transpose(1, 2).to(DType.BFLOAT16);
            assertAllClose(Kernels.REFERENCE.rope(xb, cos, sin).to(DType.FLOAT32).toFloatArray(),
                    Kernels.FUSED.rope(xb, cos, sin).to(DType.FLOAT32).toFloatArray(), 1e-2, 1e-2);
            Tensor table = Torch.ones(11, 4);
            var e = assertThrows(TorchException.class, () -> Fused.rope(xb, table, table));     // the shim has no bfloat16 branch
            assertTrue(e.getMessage().contains("float32 or float64"), e.getMessage());
        }
    }

    /**
     * RMSNorm by libtorch (at::rms_norm on 2.4+, the shim's own formula before) against the reference module's
     * formula, values and gradients of x and the weight; and in bfloat16, computed in float32 and returned in bfloat16.
     */
    @Test
    void fusedRmsNormAgreesWithTheReferenceForwardAndBackward() {
        // before 2.4 the "fused" RMSNorm is the shim's C++ copy of the reference formula: no oracle, so not run
        String[] v = Torch.version().split("\\.");
        org.junit.jupiter.api.Assumptions.assumeTrue(Integer.parseInt(v[0]) > 2 || Integer.parseInt(v[0]) == 2 && Integer.parseInt(v[1]) >= 4,
                "at::rms_norm needs libtorch 2.4+; this is " + Torch.version() + " (the default lane, pip's 2.x, runs it)");
        try (var s = TensorScope.open()) {
            Torch.manualSeed(3);
            Tensor x = Torch.randn(2, 5, 16).mul(3).add(1);                         // (B, T, D), off-centre
            Tensor g = Torch.randn(16);
            Tensor xa = x.clone().requiresGrad(true), xb = x.clone().requiresGrad(true);
            Tensor ga = g.clone().requiresGrad(true), gb = g.clone().requiresGrad(true);
            Tensor yRef = Kernels.REFERENCE.rmsNorm(xa, ga, 1e-5), yFused = Kernels.FUSED.rmsNorm(xb, gb, 1e-5);
            assertAllClose(yRef.toFloatArray(), yFused.toFloatArray(), 1e-6, 1e-5);
            Tensor w = Torch.randn(2, 5, 16);
            yRef.mul(w).sum().backward();
            yFused.mul(w).sum().backward();
            assertAllClose(xa.grad().toFloatArray(), xb.grad().toFloatArray(), 1e-5, 1e-5);
            assertAllClose(ga.grad().toFloatArray(), gb.grad().toFloatArray(), 1e-5, 1e-5);
            Tensor x16 = x.to(DType.BFLOAT16);
            Tensor r16 = Kernels.REFERENCE.rmsNorm(x16, g, 1e-5), f16 = Kernels.FUSED.rmsNorm(x16, g, 1e-5);
            assertEquals(DType.BFLOAT16, f16.dtype());
            assertAllClose(r16.to(DType.FLOAT32).toFloatArray(), f16.to(DType.FLOAT32).toFloatArray(), 1e-2, 1e-2);   // a bfloat16 ulp
            var e = assertThrows(TorchException.class, () -> Fused.rmsNorm(x, Torch.ones(15), 1e-5));
            assertTrue(e.getMessage().contains("weight must be (D)"), e.getMessage());
        }
    }
}
