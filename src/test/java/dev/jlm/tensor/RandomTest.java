package dev.jlm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * Oracle: values printed by PyTorch (Debian python3-torch 1.13, CPU) for the same seeds, e.g.
 * {@code torch.manual_seed(0); torch.randn(5)}. Reproducing them shows the shim drives PyTorch's own generator.
 */
class RandomTest {
    @Test
    void randnMatchesPyTorch() {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(0);
            assertArrayEquals(new float[] {1.5409960746765137f, -0.293428897857666f, -2.1787893772125244f,
                    0.5684312582015991f, -1.0845223665237427f}, Torch.randn(5).toFloatArray());
        }
    }

    @Test
    void truncNormalMatchesTorchInit() {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(42); // torch.nn.init.trunc_normal_(torch.empty(2, 3), 0, 0.5, -1.5, 1.5)
            Tensor w = Torch.empty(DType.FLOAT32, Device.CPU, 2, 3).truncNormal_(0, 0.5, -1.5, 1.5);
            assertArrayEquals(new float[] {0.5905970931053162f, 0.682532012462616f, -0.1485697627067566f,
                    0.8643333315849304f, -0.13869024813175201f, 0.1274799257516861f}, w.toFloatArray(), 1e-7f);
        }
    }

    @Test
    void randRandintMatchPyTorch() {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(7);
            assertArrayEquals(new float[] {0.5349225401878357f, 0.19880318641662598f, 0.6592116951942444f, 0.6568902730941772f},
                    Torch.rand(DType.FLOAT32, Device.CPU, 4).toFloatArray());
            Torch.manualSeed(7);
            assertArrayEquals(new long[] {15, 92, 21, 86, 83, 47}, Torch.randint(0, 100, Device.CPU, 6).toLongArray());
        }
    }

    @Test
    void rngStateRoundTripsAndRepeatsDraws() {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(11);
            byte[] state = Torch.rngState();
            float[] first = Torch.randn(8).toFloatArray();
            Torch.setRngState(state);
            assertArrayEquals(first, Torch.randn(8).toFloatArray());
        }
    }
}
