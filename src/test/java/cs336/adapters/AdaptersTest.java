package cs336.adapters;

import static dev.jlm.testing.Close.assertAllClose;
import static dev.jlm.testing.Close.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.checkpoint.Safetensors;
import dev.jlm.data.Batch;
import dev.jlm.nn.Linear;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.Module;
import dev.jlm.nn.RmsNorm;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.Npz;
import dev.jlm.testing.OpenScope;
import dev.jlm.testing.TorchPython;
import dev.jlm.tokenizer.BpeModel;
import dev.jlm.tokenizer.ByteUnicode;
import dev.jlm.tokenizer.Tokenizer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CS336 adapter surface ({@link Adapters}, outside jlm's packages) against the official snapshots that exist here
 * (attention, RoPE, AdamW) and, where the official ones need weights not held here (PROVENANCE.md), against PyTorch on
 * the same inputs and weights: scripts/reference/cs336_adapters_ref.py, run once for the class. Sizes are the official
 * conftest's: batch 4, 12 queries, 16 keys (context), d_model 64, 4 heads, d_ff 128, vocab 10,000, 3 layers, θ 10,000.
 */
@ExtendWith(OpenScope.class)
class AdaptersTest {
    static final int B = 4, T = 12, CONTEXT = 16, D = 64, H = 4, F = 128, V = 10_000, LAYERS = 3;
    static final double THETA = 10_000, EPS = 1e-5;
    static final int CLIP_N = 4, ADAM_N = 2, ADAM_STEPS = 5;
    static final double ADAM_LR = 1e-2, ADAM_B1 = 0.9, ADAM_B2 = 0.95, ADAM_EPS = 1e-8, ADAM_WD = 0.1;
    static final double CLIP_SMALL = 1e-2, CLIP_LARGE = 1e4;
    static final ModelConfig LM = ModelConfig.builder().vocabSize(V).contextLength(CONTEXT).dModel(D).numLayers(LAYERS).numHeads(H)
            .dFf(F).ropeTheta(THETA).build();
    static Path inputs, expected;

    static Tensor seeded(long seed, long... shape) {
        Torch.manualSeed(seed);
        return Torch.randn(shape);
    }

    /** Inputs and random weights (norm gains too, so none is the identity) written once; PyTorch's results read once. */
    @BeforeAll
    static void oracle(@TempDir Path dir) throws Exception {
        TorchPython.requireModule("torch");
        inputs = dir.resolve("in.safetensors");
        expected = dir.resolve("out.safetensors");
        try (var s = dev.jlm.tensor.TensorScope.open()) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("x", seeded(4, B, T, D));
            Torch.manualSeed(3);
            t.put("ids", Torch.randint(0, V, Device.CPU, B, T));
            t.put("rope_pos", Torch.randint(0, CONTEXT, Device.CPU, B, T));
            t.put("attn_pos", Torch.fromArray(new long[] {0, 1, 2, 5, 6, 7, 9, 10, 11, 12, 14, 15}, T));   // gaps: RoPE is not a shift
            t.put("logits", seeded(6, 8, 5));
            t.put("targets", Torch.randint(0, 5, Device.CPU, 8));
            Torch.manualSeed(7);
            TransformerLm.parameterShapes(LM).forEach((name, shape) -> t.put("lm." + name,
                    name.contains("ln") ? Torch.randn(shape).mul(0.1).add(1) : Torch.randn(shape).mul(0.2)));
            for (int i = 0; i < CLIP_N; i++) {
                t.put("clip.p" + i, Torch.randn(5, 5));
                t.put("clip.g" + i, Torch.randn(5, 5));
            }
            long[][] adamShapes = {{3, 4}, {7}};
            for (int i = 0; i < ADAM_N; i++) t.put("adam.p" + i, Torch.randn(adamShapes[i]));
            for (int s2 = 0; s2 < ADAM_STEPS; s2++) for (int i = 0; i < ADAM_N; i++) t.put("adam.g" + s2 + "." + i, Torch.randn(adamShapes[i]));
            Object[] sizes = {                               // the metadata the oracle reads: name, value
                    "vocab_size", V, "d_model", D, "num_heads", H, "num_layers", LAYERS, "rope_theta", THETA,
                    "rms_eps", EPS, "lr_max", "1", "lr_min", "0.1", "warmup", "7", "cycle", "21", "lr_steps", "25",
                    "clip_n", CLIP_N, "clip_small", CLIP_SMALL, "clip_large", CLIP_LARGE, "adam_n", ADAM_N,
                    "adam_steps", ADAM_STEPS, "adam_lr", ADAM_LR, "adam_beta1", ADAM_B1, "adam_beta2", ADAM_B2,
                    "adam_eps", ADAM_EPS, "adam_wd", ADAM_WD};
            Map<String, String> meta = new LinkedHashMap<>();
            for (int i = 0; i < sizes.length; i += 2) meta.put((String) sizes[i], String.valueOf(sizes[i + 1]));
            Safetensors.write(inputs, t, meta);
        }
        Path script = Path.of(System.getProperty("jlm.root", ".")).resolve("scripts/reference/cs336_adapters_ref.py");
        Process p = new ProcessBuilder(TorchPython.python(), script.toString(), inputs.toString(), expected.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "cs336_adapters_ref.py: " + out);
    }

    static Map<String, Tensor> in() throws IOException {
        return Safetensors.read(inputs, Device.CPU).tensors();
    }

    static Tensor want(String name) throws IOException {
        Tensor t = Safetensors.read(expected, Device.CPU).tensors().get(name);
        if (t == null) throw new AssertionError("the oracle wrote no " + name);
        return t;
    }

    static void assertMatches(String name, Tensor actual, double atol, double rtol) throws IOException {
        Tensor e = want(name);
        assertShape(e.shape(), actual.shape());
        assertAllClose(e.toFloatArray(), actual.detach().toFloatArray(), atol, rtol);
    }

    /** The weights of the LM under the CS336 names; {@code prefix} selects a sub-module's, relative to it. */
    static Map<String, Tensor> weights(Map<String, Tensor> in, String prefix) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (k.startsWith("lm." + prefix)) w.put(k.substring(("lm." + prefix).length()), v);
        });
        return w;
    }

    @Test
    void linearEmbeddingSwigluRmsnormSilu() throws IOException {
        var in = in();
        Tensor x = in.get("x");
        assertMatches("linear", Adapters.runLinear(D, F, in.get("lm.layers.0.ffn.w1.weight"), x), 1e-5, 1e-5);
        assertMatches("embedding", Adapters.runEmbedding(V, D, in.get("lm.token_embeddings.weight"), in.get("ids")), 0, 0);
        assertMatches("swiglu", Adapters.runSwiglu(D, F, in.get("lm.layers.0.ffn.w1.weight"), in.get("lm.layers.0.ffn.w2.weight"),
                in.get("lm.layers.0.ffn.w3.weight"), x), 1e-4, 1e-5);
        assertMatches("rmsnorm", Adapters.runRmsnorm(D, EPS, in.get("lm.layers.0.ln1.weight"), x), 1e-6, 1e-5);
        assertMatches("silu", Adapters.runSilu(x), 1e-6, 1e-5);
    }

    @Test
    void embeddingTakesIdsOfAnyRank() throws IOException {
        var in = in();
        Tensor ids = in.get("ids"), w = in.get("lm.token_embeddings.weight");
        Tensor flat = Adapters.runEmbedding(V, D, w, ids.reshape(-1));                     // (B·T) → (B·T, D)
        Tensor cube = Adapters.runEmbedding(V, D, w, ids.reshape(2, 2, T));                 // (2, 2, T) → (2, 2, T, D)
        assertShape(new long[] {B * T, D}, flat.shape());
        assertShape(new long[] {2, 2, T, D}, cube.shape());
        assertAllClose(want("embedding").toFloatArray(), cube.toFloatArray(), 0, 0);
    }

    @Test
    void rmsnormTakesItsOwnEps() throws IOException {
        Tensor x = in().get("x").mul(1e-3);                                                // mean(x²) ≈ 1e-6: eps matters
        Tensor w = Torch.ones(D);
        Tensor a = Adapters.runRmsnorm(D, 1e-5, w, x), b = Adapters.runRmsnorm(D, 1e-2, w, x);
        float[] xs = x.toFloatArray(), bs = b.toFloatArray();
        double ms = 0;
        for (int i = 0; i < D; i++) ms += (double) xs[i] * xs[i] / D;
        assertEquals(xs[0] / Math.sqrt(ms + 1e-2), bs[0], 1e-6);                          // closed form, first row
        assertTrue(Math.abs(a.toFloatArray()[0] - bs[0]) > 1e-3, "eps 1e-5 and 1e-2 gave the same output");
    }

    @Test
    void scaledDotProductAttentionMatchesOfficialSnapshots() {
        Tensor q = seeded(1, B, T, D), k = seeded(2, B, CONTEXT, D), v = seeded(3, B, CONTEXT, D), mask = seeded(5, B, T, CONTEXT).gt(0.5);
        Npz.Array three = Npz.array("/snapshots/test_scaled_dot_product_attention.npz");
        assertAllClose(three.data(), Adapters.runScaledDotProductAttention(q, k, v, mask).toFloatArray(), 1e-6, 1e-4);
        Npz.Array four = Npz.array("/snapshots/test_4d_scaled_dot_product_attention.npz");
        Tensor out = Adapters.runScaledDotProductAttention(q.reshape(2, 2, T, D), k.reshape(2, 2, CONTEXT, D), v.reshape(2, 2, CONTEXT, D),
                mask.reshape(2, 2, T, CONTEXT));
        assertShape(four.shape(), out.shape());
        assertAllClose(four.data(), out.toFloatArray(), 1e-6, 1e-4);
    }

    @Test
    void ropeMatchesOfficialSnapshotAndTorchAtAnyPositions() throws IOException {
        Tensor x = seeded(4, B, T, D);
        Npz.Array snap = Npz.array("/snapshots/test_rope.npz");
        assertAllClose(snap.data(), Adapters.runRope(D, THETA, T, x, Torch.arange(T)).toFloatArray(), 1e-6, 1e-4);
        var in = in();
        assertMatches("rope", Adapters.runRope(D, THETA, CONTEXT, in.get("x"), in.get("rope_pos")), 1e-5, 1e-4);
    }

    @Test
    void attentionBlockAndLmMatchTorch() throws IOException {
        var in = in();
        Tensor x = in.get("x");
        Map<String, Tensor> a = weights(in, "layers.0.attn.");
        assertMatches("mhsa", Adapters.runMultiheadSelfAttention(D, H, a.get("q_proj.weight"), a.get("k_proj.weight"), a.get("v_proj.weight"),
                a.get("output_proj.weight"), x), 1e-4, 1e-4);
        assertMatches("mhsa_rope", Adapters.runMultiheadSelfAttentionWithRope(D, H, CONTEXT, THETA, a.get("q_proj.weight"), a.get("k_proj.weight"),
                a.get("v_proj.weight"), a.get("output_proj.weight"), x, Torch.arange(T)), 1e-4, 1e-4);
        assertMatches("mhsa_rope_pos", Adapters.runMultiheadSelfAttentionWithRope(D, H, CONTEXT, THETA, a.get("q_proj.weight"),
                a.get("k_proj.weight"), a.get("v_proj.weight"), a.get("output_proj.weight"), x, in.get("attn_pos")), 1e-4, 1e-4);
        assertMatches("block", Adapters.runTransformerBlock(D, H, F, CONTEXT, THETA, weights(in, "layers.0."), x), 1e-4, 1e-4);
        Map<String, Tensor> lm = weights(in, "");
        assertMatches("lm", Adapters.runTransformerLm(V, CONTEXT, D, LAYERS, H, F, THETA, lm, in.get("ids")), 2e-4, 1e-4);
        assertMatches("lm_truncated", Adapters.runTransformerLm(V, CONTEXT, D, LAYERS, H, F, THETA, lm, in.get("ids").narrow(1, 0, T / 2)),
                2e-4, 1e-4);
    }

    @Test
    void strictLoadRefusesByName() throws IOException {
        var in = in();
        Map<String, Tensor> block = weights(in, "layers.0.");
        Map<String, Tensor> missing = new LinkedHashMap<>(block);
        missing.remove("ffn.w3.weight");
        var e = assertThrows(JlmException.class, () -> Adapters.runTransformerBlock(D, H, F, CONTEXT, THETA, missing, in.get("x")));
        assertEquals("state dict: tensor ffn.w3.weight is missing", e.getMessage());
        Map<String, Tensor> extra = new LinkedHashMap<>(block);
        extra.put("attn.bias", Torch.zeros(D));
        e = assertThrows(JlmException.class, () -> Adapters.runTransformerBlock(D, H, F, CONTEXT, THETA, extra, in.get("x")));
        assertEquals("state dict: unexpected tensor attn.bias (the module has no such parameter)", e.getMessage());
        e = assertThrows(JlmException.class, () -> Adapters.runLinear(D, F, in.get("lm.layers.0.ffn.w2.weight"), in.get("x")));
        assertEquals("state dict: tensor weight has shape [64, 128] but the module expects [128, 64]", e.getMessage());
        RmsNorm norm = new RmsNorm(D, EPS);                                          // not strict: the extra name is skipped
        norm.loadStateDict(Map.of("weight", Torch.full(2, DType.FLOAT32, Device.CPU, D), "other", Torch.zeros(1)), false);
        assertEquals(2.0, norm.stateDict().get("weight").toFloatArray()[5]);
    }

    @Test
    void softmaxAndCrossEntropyMatchTorchAndStayFinite() throws IOException {
        var in = in();
        Tensor logits = in.get("logits"), targets = in.get("targets");
        assertMatches("softmax", Adapters.runSoftmax(logits, -1), 1e-6, 1e-5);
        assertMatches("softmax_shifted", Adapters.runSoftmax(logits.add(100), -1), 1e-6, 1e-5);
        assertMatches("cross_entropy", Adapters.runCrossEntropy(logits, targets), 1e-6, 1e-5);
        assertMatches("cross_entropy_large", Adapters.runCrossEntropy(logits.mul(1000), targets), 1e-3, 1e-5);
    }

    /** Gradients set from outside (CS336 backpropagates; here they are given), the last parameter without one, as the official test. */
    @Test
    void gradientClippingOfSetGradientsMatchesTorch() throws IOException {
        var in = in();
        for (var c : List.of(Map.entry("clip_small", CLIP_SMALL), Map.entry("clip_large", CLIP_LARGE))) {
            List<Tensor> params = new ArrayList<>();
            for (int i = 0; i < CLIP_N; i++) {
                Tensor p = in.get("clip.p" + i).clone().requiresGrad(true);
                if (i < CLIP_N - 1) p.setGrad(in.get("clip.g" + i));
                params.add(p);
            }
            assertArrayEquals(in.get("clip.g0").toFloatArray(), params.get(0).grad().toFloatArray(), "setGrad then grad");
            Adapters.runGradientClipping(params, c.getValue());
            for (int i = 0; i < CLIP_N - 1; i++) assertMatches(c.getKey() + "." + i, params.get(i).grad(), 1e-6, 1e-5);
            assertEquals(null, params.get(CLIP_N - 1).grad());
        }
    }

    @Test
    void adamWMatchesOfficialSnapshot() {
        Linear model = new Linear(3, 2);
        Tensor w = model.stateDict().get("weight");
        Torch.manualSeed(42);                            // then the official test's init, drawn from torch's generator:
        double bound = 1 / Math.sqrt(3);                 // nn.Linear(3, 2, bias=False): kaiming_uniform_(a=√5)
        try (var g = NoGrad.enter()) {
            w.uniform_(-bound, bound);
        }
        var opt = new Adapters.Cs336AdamW(List.copyOf(model.stateDict().values()), 1e-3, 0.9, 0.999, 1e-8, 0.01);
        for (int i = 0; i < 1000; i++) {
            try (var s = dev.jlm.tensor.TensorScope.open()) {
                opt.zeroGrad();
                Tensor x = Torch.rand(DType.FLOAT32, Device.CPU, 3);
                float[] xv = x.toFloatArray();
                Tensor y = Torch.fromArray(new float[] {xv[0] + xv[1], -xv[2]}, 2);
                y.sub(model.forward(x)).pow(2).sum().backward();
                opt.step();
            }
        }
        assertAllClose(Npz.array("/snapshots/test_adamw.npz").data(), w.detach().toFloatArray(), 1e-4, 0);
    }

    @Test
    void adamWOverSetGradientsMatchesTorch() throws IOException {
        var in = in();
        List<Tensor> params = new ArrayList<>();
        for (int i = 0; i < ADAM_N; i++) params.add(in.get("adam.p" + i).clone().requiresGrad(true));
        var opt = new Adapters.Cs336AdamW(params, ADAM_LR, ADAM_B1, ADAM_B2, ADAM_EPS, ADAM_WD);
        for (int s = 0; s < ADAM_STEPS; s++) {
            for (int i = 0; i < ADAM_N; i++) params.get(i).setGrad(in.get("adam.g" + s + "." + i));
            opt.step();
        }
        for (int i = 0; i < ADAM_N; i++) assertMatches("adam." + i, params.get(i), 1e-6, 1e-5);
    }

    @Test
    void cosineScheduleMatchesTheFormula() throws IOException {
        double[] lr = want("lr").toDoubleArray();
        for (int t = 0; t < lr.length; t++) assertEquals(lr[t], Adapters.runGetLrCosineSchedule(t, 1, 0.1, 7, 21), 1e-12, "it " + t);
    }

    /** The official test_get_batch: shapes, y = x + 1, every start in range and each within 5σ of its expected count. */
    @Test
    void getBatchFromAnArray() {
        int[] dataset = IntStream.range(0, 100).toArray();
        int batch = 32, context = 7, iters = 1000, starts = dataset.length - context;
        int[] counts = new int[starts];
        for (int i = 0; i < iters; i++) {
            try (var s = dev.jlm.tensor.TensorScope.open()) {
                Batch b = Adapters.runGetBatch(dataset, batch, context, "cpu");
                assertShape(new long[] {batch, context}, b.inputs().shape());
                assertShape(new long[] {batch, context}, b.targets().shape());
                long[] x = b.inputs().toLongArray(), y = b.targets().toLongArray();
                for (int j = 0; j < x.length; j++) assertEquals(x[j] + 1, y[j]);
                for (int r = 0; r < batch; r++) counts[(int) x[r * context]]++;
            }
        }
        double n = (double) iters * batch, expected = n / starts, sd = Math.sqrt(n * (1.0 / starts) * (1 - 1.0 / starts));
        for (int k = 0; k < starts; k++) {
            assertTrue(counts[k] >= expected - 5 * sd && counts[k] <= expected + 5 * sd, "start " + k + " drawn " + counts[k] + " times");
        }
        assertThrows(RuntimeException.class, () -> Adapters.runGetBatch(dataset, batch, context, "cuda:99"));
    }

    /** A module jlm does not know (two Linears, composed here), trained on set gradients, saved, and restored exactly. */
    static final class TwoLayer implements Module {
        final Linear a = new Linear(5, 8), b = new Linear(8, 3);

        @Override
        public Map<String, Tensor> stateDict() {
            Map<String, Tensor> s = new LinkedHashMap<>();
            a.stateDict().forEach((k, v) -> s.put("a." + k, v));
            b.stateDict().forEach((k, v) -> s.put("b." + k, v));
            return s;
        }
    }

    @Test
    void checkpointOfAnyModuleRestoresModelOptimizerAndIteration(@TempDir Path dir) throws IOException {
        Torch.manualSeed(11);
        TwoLayer model = new TwoLayer();
        var opt = new Adapters.Cs336AdamW(List.copyOf(model.stateDict().values()), 1e-2, 0.9, 0.999, 1e-8, 0.01);
        for (int s = 0; s < 3; s++) {
            for (Tensor p : model.stateDict().values()) p.setGrad(Torch.randn(p.shape()));
            opt.step();
        }
        Path file = dir.resolve("ckpt.safetensors");
        Adapters.runSaveCheckpoint(model, opt, 3, file);
        Torch.manualSeed(12);
        TwoLayer other = new TwoLayer();
        var otherOpt = new Adapters.Cs336AdamW(List.copyOf(other.stateDict().values()), 1e-2, 0.9, 0.999, 1e-8, 0.01);
        assertEquals(3, Adapters.runLoadCheckpoint(file, other, otherOpt));
        for (var e : model.stateDict().entrySet()) assertArrayEquals(e.getValue().toFloatArray(), other.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
        for (var e : opt.adamw.state().tensors().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), otherOpt.adamw.state().tensors().get(e.getKey()).toFloatArray(), e.getKey());
        }
        assertEquals(3, otherOpt.adamw.stepCount());
        for (var m : List.of(model, other)) {                                            // one more identical step: identical results
            for (Tensor p : m.stateDict().values()) p.setGrad(Torch.ones(p.shape()));
        }
        opt.step();
        otherOpt.step();
        assertArrayEquals(model.b.stateDict().get("weight").toFloatArray(), other.b.stateDict().get("weight").toFloatArray());

        Linear wrong = new Linear(5, 8);
        var wrongOpt = new Adapters.Cs336AdamW(List.copyOf(wrong.stateDict().values()), 1e-2, 0.9, 0.999, 1e-8, 0.01);
        var e = assertThrows(JlmException.class, () -> Adapters.runLoadCheckpoint(file, wrong, wrongOpt));
        assertEquals(file + ": tensor weight is missing", e.getMessage());
    }

    /** get_tokenizer from the GPT-2 fixture decoded to bytes (CS336's form); GPT-2's own ids for a known string. */
    @Test
    void tokenizerFromBytesVocabAndMerges() throws IOException, URISyntaxException {
        Path fixtures = Path.of(AdaptersTest.class.getResource("/fixtures/gpt2_vocab.json").toURI()).getParent();
        Map<Integer, byte[]> vocab = new HashMap<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(fixtures.resolve("gpt2_vocab.json").toFile());
        json.properties().forEach(en -> vocab.put(en.getValue().asInt(), en.getKey().equals("<|endoftext|>")
                ? en.getKey().getBytes(StandardCharsets.UTF_8) : ByteUnicode.decode(en.getKey())));
        List<BpeModel.Merge> merges = new ArrayList<>();
        for (String line : Files.readAllLines(fixtures.resolve("gpt2_merges.txt"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#version")) continue;
            String[] p = line.split(" ");
            merges.add(new BpeModel.Merge(ByteUnicode.decode(p[0]), ByteUnicode.decode(p[1])));
        }
        Tokenizer tok = Adapters.getTokenizer(vocab, merges, List.of("<|endoftext|>"));
        assertArrayEquals(new int[] {15496, 995, 50256}, tok.encode("Hello world<|endoftext|>"));
        String text = Files.readString(fixtures.resolve("address.txt"));
        assertEquals(text, tok.decode(tok.encode(text)));
    }
}
