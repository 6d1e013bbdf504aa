package dev.jlm.tensor;

import static dev.jlm.testing.Close.assertAllClose;
import static dev.jlm.testing.Close.assertShape;

import dev.jlm.nn.Functional;
import dev.jlm.nn.Rope;
import dev.jlm.testing.Npz;
import dev.jlm.testing.OpenScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Oracle: the official CS336 snapshots (tests/_snapshots/*.npz). Inputs are made as the official conftest makes
 * them: torch.manual_seed(s) then torch.randn of the same shape, so this also proves the generator is PyTorch's.
 */
@ExtendWith(OpenScope.class)
class SnapshotTest {
    static final long B = 4, TQ = 12, TK = 16, D = 64;

    static Tensor seeded(long seed, long... shape) {
        Torch.manualSeed(seed);
        return Torch.randn(shape);
    }

    static Tensor mask() {
        return seeded(5, B, TQ, TK).gt(0.5);
    }

    @Test
    void scaledDotProductAttentionMatchesOfficialSnapshot() {
        Tensor out = Functional.scaledDotProductAttention(seeded(1, B, TQ, D), seeded(2, B, TK, D), seeded(3, B, TK, D), mask());
        Npz.Array expected = Npz.array("/snapshots/test_scaled_dot_product_attention.npz");
        assertShape(expected.shape(), out.shape());
        assertAllClose(expected.data(), out.toFloatArray(), 1e-6, 1e-4);
    }

    @Test
    void scaledDotProductAttention4dMatchesOfficialSnapshot() {
        // official test: rearrange "(batch head) seq d -> batch head seq d" with head = 2
        Tensor q = seeded(1, B, TQ, D).reshape(2, 2, TQ, D);
        Tensor k = seeded(2, B, TK, D).reshape(2, 2, TK, D);
        Tensor v = seeded(3, B, TK, D).reshape(2, 2, TK, D);
        Tensor m = mask().reshape(2, 2, TQ, TK);
        Tensor out = Functional.scaledDotProductAttention(q, k, v, m);
        Npz.Array expected = Npz.array("/snapshots/test_4d_scaled_dot_product_attention.npz");
        assertShape(expected.shape(), out.shape());
        assertAllClose(expected.data(), out.toFloatArray(), 1e-6, 1e-4);
    }

    @Test
    void ropeMatchesOfficialSnapshot() {
        Tensor x = seeded(4, B, TQ, D);
        Rope rope = new Rope(10000.0, (int) D, (int) TQ, Device.CPU);
        Tensor out = rope.forward(x, Torch.arange(TQ));
        Npz.Array expected = Npz.array("/snapshots/test_rope.npz");
        assertShape(expected.shape(), out.shape());
        assertAllClose(expected.data(), out.toFloatArray(), 1e-6, 1e-4);
    }

    @Test
    void fusedSdpaAgreesWithReferenceWhereAvailable() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Fused.hasSdpa(), "linked libtorch has no scaled_dot_product_attention");
        Tensor q = seeded(1, B, TQ, D), k = seeded(2, B, TK, D), v = seeded(3, B, TK, D), m = mask();
        assertAllClose(Functional.scaledDotProductAttention(q, k, v, m).toFloatArray(),
                Fused.sdpa(q, k, v, m, false).toFloatArray(), 1e-5, 1e-4);
    }
}
