package dev.jlm.tensor;

import static dev.jlm.testing.Close.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jlm.nn.Functional;
import dev.jlm.nn.Loss;
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
}
