package dev.jlm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Per-row positions: the batched decoding step and the standalone attention, each against sequences run alone. */
class RowPositionsTest {
    static final ModelConfig C = ModelConfig.builder().vocabSize(61).contextLength(16).dModel(32).numLayers(2).numHeads(4).build();

    /** ids of a sequence: (1, T) int64. */
    private static Tensor ids(long... ids) {
        return Torch.fromArray(ids, 1, ids.length);
    }

    private static float[] logSoftmax(Tensor logits) {                      // (V) → log-probabilities
        return logits.sub(logits.logsumexp(true, 0)).toFloatArray();
    }

    /**
     * Three sequences of different lengths prefilled into rows 2, 0, 3 of one cache (row 1 holds a stale longer one),
     * then decoded together for several steps: each step's log-probabilities equal those of the sequence decoded alone
     * with a cache of its own, to 1e-5.
     */
    @ParameterizedTest
    @EnumSource(Kernels.Choice.class)
    void batchedStepsEqualEachSequenceAlone(Kernels.Choice kernels) {
        try (var run = TensorScope.open(); var g = NoGrad.enter()) {
            Torch.manualSeed(5);
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32, kernels.kernels());
            long[][] prompts = {{3, 14, 15}, {9, 2, 6, 5, 35, 8, 9}, {1}};
            int[] rows = {2, 0, 3};
            KvCache shared = new KvCache(C, 4, Device.CPU, DType.FLOAT32);
            m.forward(ids(7, 7, 7, 7, 7, 7, 7, 7, 7, 7), shared.row(1));           // stale keys the others must never see
            KvCache[] alone = new KvCache[3];
            int[] pos = new int[3];
            long[] last = new long[3];
            for (int i = 0; i < 3; i++) {
                alone[i] = new KvCache(C, 1, Device.CPU, DType.FLOAT32);
                m.forward(ids(prompts[i]), alone[i]);
                m.forward(ids(prompts[i]), shared.row(rows[i]));
                pos[i] = prompts[i].length;
                last[i] = 10 + i;
            }
            for (int step = 0; step < 5; step++) {
                Tensor batched = m.forwardRows(Torch.fromArray(last, 3, 1), shared, rows, pos);     // (3, 1, V)
                for (int i = 0; i < 3; i++) {
                    float[] want = logSoftmax(m.forward(ids(last[i]), alone[i]).reshape(-1));
                    float[] got = logSoftmax(batched.select(0, i).reshape(-1));
                    for (int v = 0; v < want.length; v++) assertEquals(want[v], got[v], 1e-5, "row " + i + " step " + step + " id " + v);
                    pos[i]++;
                    last[i] = (last[i] * 7 + step) % C.vocabSize();
                }
            }
        }
    }

    /**
     * The standalone form (CS336's token_positions and mask): a short sequence left-padded inside a batch, with positions
     * 0 on the padding and 0..n−1 on its tokens and a mask hiding the padding, gives the outputs it gives alone; and
     * positions 0..T−1 with no mask equal the model's causal fast path.
     */
    @ParameterizedTest
    @EnumSource(Kernels.Choice.class)
    void explicitPositionsAndMaskEqualTheSequenceAlone(Kernels.Choice kernels) {
        try (var run = TensorScope.open(); var g = NoGrad.enter()) {
            Torch.manualSeed(6);
            Params p = new Params(Device.CPU);
            Rope rope = new Rope(C.ropeTheta(), C.dHead(), C.contextLength(), Device.CPU);
            Attention attn = new Attention(p, C, rope, kernels.kernels());
            CausalMask causal = new CausalMask(C.contextLength(), Device.CPU);
            int t = 7, pad = 3, n = t - pad;
            Tensor x = Torch.randn(2, t, C.dModel());
            Tensor fast = attn.forward(x, causal.window(0, t, false), null);            // (2, T, D)
            Tensor explicit = attn.forward(x, Torch.arange(t), null);
            assertTrue(fast.sub(explicit).abs().amax(false, 0, 1, 2).item() < 1e-5, "positions 0..T-1, causal");

            Tensor alone = attn.forward(x.select(0, 1).narrow(0, pad, n).unsqueeze(0), causal.window(0, n, false), null);  // (1, n, D)
            long[] positions = new long[2 * t];
            boolean[] mask = new boolean[2 * t * t];
            for (int q = 0; q < t; q++) {
                positions[q] = q;
                positions[t + q] = Math.max(0, q - pad);
                for (int k = 0; k <= q; k++) {
                    mask[q * t + k] = true;                                              // row 0: plain causal
                    mask[t * t + q * t + k] = k >= pad || q < pad;                      // row 1: padding hidden from real tokens
                }
            }
            Tensor out = attn.forward(x, Torch.fromArray(positions, 2, t), Torch.fromArray(mask, 2, 1, t, t));
            assertTrue(out.select(0, 0).sub(fast.select(0, 0)).abs().amax(false, 0, 1).item() < 1e-5, "row 0 as causal");
            assertTrue(out.select(0, 1).narrow(0, pad, n).sub(alone.select(0, 0)).abs().amax(false, 0, 1).item() < 1e-5, "row 1 as alone");
        }
    }
}
