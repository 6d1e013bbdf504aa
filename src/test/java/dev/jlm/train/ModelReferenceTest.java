package dev.jlm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.Close;
import dev.jlm.testing.PyTorchOracle;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Oracle: scripts/reference/model_ref.py, an independent PyTorch implementation of the CS336 model (Debian's
 * python3-torch, the same libtorch), evaluating the same safetensors checkpoint on the same token file.
 */
class ModelReferenceTest {

    @ParameterizedTest(name = "norm={0} position={1} ffn={2}")
    @CsvSource({"PRE, ROPE, SWIGLU", "POST, ROPE, SWIGLU", "NONE, ROPE, SWIGLU", "PRE, NONE, SWIGLU", "PRE, ROPE, SILU"})
    void evalMatchesPyTorchReference(ModelConfig.Norm norm, ModelConfig.Position pos, ModelConfig.Ffn ffn, @TempDir Path dir) throws Exception {
        ModelConfig c = ModelConfig.builder().vocabSize(97).contextLength(16).dModel(32).numLayers(2).numHeads(4).norm(norm).position(pos).ffn(ffn).build();
        Path ckpt = dir.resolve("m.safetensors");
        Path tokens = TokenFiles.random(dir.resolve("t.bin"), 400, 97, 1);
        double jlm;
        try (var run = TensorScope.open(); TokenFile data = TokenFile.open(tokens)) {
            Torch.manualSeed(3);
            TransformerLm model = new TransformerLm(c, Device.CPU, DType.FLOAT32);
            Checkpoint.save(ckpt, model, null, 0, Map.of());
            jlm = Evaluator.evaluate(model, data, 20, 7).loss();
        }
        assertEquals(PyTorchOracle.eval(ckpt, tokens, 20), jlm, 1e-4);
    }

    @Test
    void fusedFastPathAgreesWithReferenceModules() {
        ModelConfig c = ModelConfig.builder().vocabSize(97).contextLength(16).dModel(32).numLayers(2).numHeads(4).build();
        try (var run = TensorScope.open()) {
            Torch.manualSeed(5);
            TransformerLm ref = new TransformerLm(c, Device.CPU, DType.FLOAT32);
            Torch.manualSeed(5);
            TransformerLm fused = new TransformerLm(c, Device.CPU, DType.FLOAT32, dev.jlm.nn.Kernels.FUSED);
            var ids = Torch.randint(0, 97, Device.CPU, 3, 16);
            var yRef = ref.forward(ids);
            var yFused = fused.forward(ids);
            Close.assertAllClose(yRef.toFloatArray(), yFused.toFloatArray(), 1e-5, 1e-4);
            var w = Torch.randn(3, 16, 97);                                     // a loss that weighs every logit differently
            yRef.mul(w).sum().backward();
            yFused.mul(w).sum().backward();
            for (var e : ref.params().named().entrySet()) {                      // q/k/v and w1/w3 run stacked on the fused path
                Close.assertAllClose(e.getValue().grad().toFloatArray(), fused.params().named().get(e.getKey()).grad().toFloatArray(), 1e-4, 1e-4);
            }
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /**
     * Oracle: the float32 model with the same weights. bfloat16 compute must track its logits at every position
     * far closer than a broken path does — the same model without RoPE — and must stay causal: the logits of a
     * prefix equal the full sequence's logits at those positions.
     */
    @Test
    void bfloat16ComputeTracksFloat32Logits() {
        ModelConfig c = ModelConfig.builder().vocabSize(97).contextLength(16).dModel(32).numLayers(2).numHeads(4).build();
        ModelConfig nope = ModelConfig.builder().vocabSize(97).contextLength(16).dModel(32).numLayers(2).numHeads(4).position(ModelConfig.Position.NONE).build();
        try (var run = TensorScope.open()) {
            Torch.manualSeed(5);
            TransformerLm f32 = new TransformerLm(c, Device.CPU, DType.FLOAT32);
            Torch.manualSeed(5);
            TransformerLm bf16 = new TransformerLm(c, Device.CPU, DType.BFLOAT16);
            Torch.manualSeed(5);
            TransformerLm broken = new TransformerLm(nope, Device.CPU, DType.FLOAT32);       // same weights, no RoPE
            var x = Torch.randint(0, 97, Device.CPU, 3, 16);
            var logits = bf16.forward(x);
            assertEquals(DType.FLOAT32, logits.dtype());
            float[] want = f32.forward(x).toFloatArray(), got = logits.toFloatArray(), wrong = broken.forward(x).toFloatArray();
            double err = maxAbsDiff(want, got), brokenErr = maxAbsDiff(want, wrong), scale = maxAbsDiff(want, new float[want.length]);
            assertTrue(err < 0.03 * scale, "bf16 logits off by " + err + " (max |logit| " + scale + ")");
            assertTrue(err < brokenErr / 4, "bf16 error " + err + " is not far below a path without RoPE (" + brokenErr + ")");
            float[] prefix = bf16.forward(x.narrow(1, 0, 8)).toFloatArray();
            float[] sameSpan = logits.narrow(1, 0, 8).toFloatArray();
            assertTrue(maxAbsDiff(prefix, sameSpan) < 0.03 * scale, "bf16 path is not causal");
        }
    }

    @Test
    void parameterNamesAreTheCs336StateDictNames() {
        ModelConfig c = ModelConfig.builder().vocabSize(50).contextLength(8).dModel(16).numLayers(1).numHeads(2).build();
        try (var run = TensorScope.open()) {
            var params = new TransformerLm(c, Device.CPU, DType.FLOAT32).params();
            assertEquals(List.of("token_embeddings.weight", "layers.0.ln1.weight", "layers.0.attn.q_proj.weight", "layers.0.attn.k_proj.weight",
                    "layers.0.attn.v_proj.weight", "layers.0.attn.output_proj.weight", "layers.0.ln2.weight", "layers.0.ffn.w1.weight",
                    "layers.0.ffn.w2.weight", "layers.0.ffn.w3.weight", "ln_final.weight", "lm_head.weight").stream().sorted().toList(),
                    params.named().keySet().stream().sorted().toList());
            assertArrayEquals(new long[] {64, 16}, params.named().get("layers.0.ffn.w1.weight").shape()); // d_ff = 64 (8/3·16 → 64)
            // closed form: V·D (emb) + L·(4·D² + 3·D·F + 2·D) + D (ln_final) + V·D (head)
            assertEquals(50 * 16 + (4 * 16 * 16 + 3 * 16 * 64 + 2 * 16) + 16 + 50 * 16, params.count());
        }
    }
}
