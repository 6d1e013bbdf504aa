package dev.jlm.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.KvCache;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.Close;
import java.util.SplittableRandom;
import dev.jlm.testing.PyTorchOracle;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeneratorTest {
    static final ModelConfig C = ModelConfig.builder().vocabSize(50).contextLength(12).dModel(32).numLayers(2).numHeads(4).build();

    /** Greedy next token of a plain full forward (no cache, no Generator) over seq[from, to). */
    static int argmaxOfFullForward(TransformerLm m, int[] seq, int from, int to) {
        try (var s = TensorScope.open(); var g = dev.jlm.tensor.NoGrad.enter()) {
            long[] ids = new long[to - from];
            for (int i = from; i < to; i++) ids[i - from] = seq[i];
            Tensor logits = m.forward(Torch.fromArray(ids, 1, ids.length));
            return new Sampler.Greedy().next(logits.select(1, ids.length - 1).reshape(-1).toFloatArray(), null);
        }
    }

    /**
     * Oracle: a plain full forward for every token, over the window each policy documents — all tokens while they fit
     * the context T; past it, the last T (sliding, the reference's) or the last T/2, growing again until the next
     * slide (halve). With the cache and without.
     */
    @ParameterizedTest(name = "{0}, cache {1}")
    @CsvSource({"SLIDING, true", "SLIDING, false", "HALVE, true", "HALVE, false"})
    void greedyDecodingEqualsPlainFullForwardsOverItsWindow(Generator.Window window, boolean cache) {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(9);
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32);
            int[] prompt = {3, 14, 15, 9, 26};
            Generator generator = new Generator(m, cache, window);                   // its KV cache joins this scope
            long live = Tensor.liveHandles();
            int[] made = generator.generate(prompt, 30, new Sampler.Greedy(), 0, t -> true);   // 35 > context 12
            assertEquals(live, Tensor.liveHandles(), "a call frees what it made");
            int ctx = C.contextLength();
            int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + 30);
            int len = prompt.length, windowStart = 0;
            for (int i = 0; i < 30; i++) {
                if (len - windowStart > ctx) windowStart = window == Generator.Window.SLIDING ? len - ctx : len - ctx / 2;
                seq[len] = argmaxOfFullForward(m, seq, windowStart, len);
                assertEquals(seq[len], made[i], "token " + i);
                len++;
            }
        }
    }

    /** Oracle: the PyTorch model's greedy decoding as the CS336 reference does it, well past the context length. */
    @Test
    void greedyIdsPastTheContextEqualThePyTorchReference(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("m.safetensors");
        int[] prompt = {3, 14, 15, 9, 26}, made;
        try (var run = TensorScope.open()) {
            Torch.manualSeed(11);
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32, dev.jlm.nn.Kernels.FUSED);
            dev.jlm.checkpoint.Checkpoint.save(ckpt, m, null, 0, java.util.Map.of());
            made = new Generator(m, true).generate(prompt, 40, new Sampler.Greedy(), 0, t -> true);
        }
        String out = PyTorchOracle.run("greedy", ckpt.toString(), "3,14,15,9,26", "40");
        var ids = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow()).get("ids");
        int[] reference = new int[ids.size()];
        for (int i = 0; i < reference.length; i++) reference[i] = ids.get(i).asInt();
        assertArrayEquals(reference, made);
    }

    /** Greedy on the device (argmax, one id back) picks what the host's loop picks, the lowest id on a tie. */
    @Test
    void greedyOnTheDeviceEqualsGreedyOnTheHost() {
        Sampler greedy = Sampler.of(0, 1);
        try (var s = TensorScope.open()) {
            for (int seed = 0; seed < 20; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                float[] logits = new float[97];
                for (int i = 0; i < logits.length; i++) logits[i] = r.nextInt(8);          // many ties at the top
                Tensor t = Torch.fromArray(logits, logits.length);
                int host = greedy.next(logits, r), device = (int) greedy.choose(t, Torch.full(greedy.draw(r), DType.FLOAT64, Device.CPU)).item();
                assertEquals(host, device, "seed " + seed);
                for (int i = 0; i < host; i++) assertNotEquals(logits[host], logits[i], "a lower id with the same logit");
            }
        }
    }

    @Test
    void cachedLogitsEqualFullForward() {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(2);
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32);
            Tensor ids = Torch.randint(0, 50, Device.CPU, 1, 10);
            Tensor full = m.forward(ids);                                            // (1, 10, V)
            KvCache cache = new KvCache(C, 1, Device.CPU, DType.FLOAT32);
            Tensor first = m.forward(ids.narrow(1, 0, 6), cache);                     // prefill 6
            Tensor one = m.forward(ids.narrow(1, 6, 1), cache), three = m.forward(ids.narrow(1, 7, 3), cache);
            Close.assertAllClose(full.narrow(1, 0, 6).toFloatArray(), first.toFloatArray(), 1e-5, 1e-4);
            Close.assertAllClose(full.narrow(1, 6, 1).toFloatArray(), one.toFloatArray(), 1e-5, 1e-4);
            Close.assertAllClose(full.narrow(1, 7, 3).toFloatArray(), three.toFloatArray(), 1e-5, 1e-4);
        }
    }

    /** Oracle: closed-form probabilities of a 4-token distribution. */
    @Test
    void topPKeepsTheSmallestSetReachingPAndSeedsRepeat() {
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.15), (float) Math.log(0.05)};
        int[] counts = new int[4];
        SplittableRandom rng = new SplittableRandom(1);
        Sampler s = Sampler.of(1.0, 0.8);          // {0.5, 0.3} reaches 0.8: renormalized 0.625 / 0.375
        for (int i = 0; i < 20_000; i++) counts[s.next(logits, rng)]++;
        assertEquals(0, counts[2] + counts[3]);
        assertEquals(0.625, counts[0] / 20_000.0, 0.02);
        assertEquals(0, Sampler.of(1.0, 1e-9).next(logits, new SplittableRandom(5)));   // tiny p = greedy
        assertEquals(new Sampler.Greedy(), Sampler.of(0, 0.9));                          // temperature 0 = greedy
        int[] hot = new int[4];
        for (int i = 0; i < 20_000; i++) hot[Sampler.of(100.0, 1.0).next(logits, rng)]++;   // high temperature → near uniform
        assertNotEquals(0, hot[3]);
        assertEquals(0.25, hot[3] / 20_000.0, 0.02);
    }

    /**
     * Oracle: the textbook nucleus — sort every id by (probability desc, id asc), keep the prefix reaching p — then
     * the draw walking the kept ids in id order.
     */
    static int naiveTopP(float[] logits, double temperature, double p, SplittableRandom rng) {
        int v = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] prob = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) sum += prob[i] = Math.exp((logits[i] - max) / temperature);
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> prob[a] != prob[b] ? Double.compare(prob[b], prob[a]) : Integer.compare(a, b));
        double kept = 0;
        int n = 0;
        while (n < v && kept < p * sum) kept += prob[order[n++]];
        int[] nucleus = new int[n];
        for (int i = 0; i < n; i++) nucleus[i] = order[i];
        java.util.Arrays.sort(nucleus);
        double r = rng.nextDouble() * kept;
        for (int id : nucleus) {
            r -= prob[id];
            if (r < 0) return id;
        }
        return nucleus[n - 1];
    }

    @Test
    void heapNucleusDrawsWhatTheSortedNucleusDraws() {
        SplittableRandom gen = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int v = 1 + gen.nextInt(3000);
            float[] logits = new float[v];
            for (int i = 0; i < v; i++) logits[i] = (float) Math.round(gen.nextGaussian() * 8) / 2;   // many exact ties
            double t = 0.3 + gen.nextDouble() * 1.5, p = trial % 10 == 0 ? 1.0 : gen.nextDouble();
            long seed = gen.nextLong();
            SplittableRandom a = new SplittableRandom(seed), b = new SplittableRandom(seed);
            Sampler s = Sampler.of(t, p);
            for (int k = 0; k < 5; k++) assertEquals(naiveTopP(logits, t, p, b), s.next(logits, a), "trial " + trial + " draw " + k);
        }
    }

    /** Oracle: the textbook nucleus above, and the host sampler; the device path (here on the CPU) with the same draws. */
    @Test
    void deviceNucleusDrawsWhatTheHostDraws() {
        SplittableRandom gen = new SplittableRandom(4);
        try (var scope = TensorScope.open()) {
            for (int trial = 0; trial < 300; trial++) {
                int v = 1 + gen.nextInt(3000);
                float[] logits = new float[v];
                for (int i = 0; i < v; i++) logits[i] = (float) Math.round(gen.nextGaussian() * 8) / 2;   // many exact ties
                double t = 0.3 + gen.nextDouble() * 1.5, p = trial % 10 == 0 ? 1.0 : trial % 10 == 1 ? 1e-9 : gen.nextDouble();
                long seed = gen.nextLong();
                SplittableRandom a = new SplittableRandom(seed), b = new SplittableRandom(seed);
                Sampler s = Sampler.of(t, p);
                try (var draws = TensorScope.open()) {
                    Tensor l = Torch.fromArray(logits, v);
                    for (int k = 0; k < 5; k++) {
                        int device = (int) s.choose(l, Torch.full(s.draw(a), DType.FLOAT64, Device.CPU)).item();
                        assertEquals(naiveTopP(logits, t, p, b), device, "trial " + trial + " draw " + k);
                    }
                }
            }
        }
    }

    /** The device path takes the draw it is given: u just under a bucket's upper edge and just over it. */
    @Test
    void deviceNucleusWalksTheDrawInIdOrder() {
        float[] logits = {(float) Math.log(0.2), (float) Math.log(0.5), (float) Math.log(0.3)};   // nucleus at p 0.75: {1, 2}
        Sampler s = Sampler.of(1.0, 0.75);
        try (var scope = TensorScope.open()) {
            Tensor l = Torch.fromArray(logits, 3);
            int[] want = {1, 1, 2, 2};
            double[] u = {0.0, 0.62, 0.63, 0.999999};                                    // 0.5 / 0.8 = 0.625
            for (int i = 0; i < u.length; i++) {
                assertEquals(want[i], s.choose(l, Torch.full(u[i], DType.FLOAT64, Device.CPU)).item(), "u " + u[i]);
            }
        }
    }

    /** Oracle: a plain full forward; the fixed-shape step at a device position, after a 6-token prefill. */
    @Test
    void logitsAtADevicePositionEqualFullForward() {
        try (var run = TensorScope.open(); var g = dev.jlm.tensor.NoGrad.enter()) {
            Torch.manualSeed(3);
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32, dev.jlm.nn.Kernels.FUSED);
            Tensor ids = Torch.randint(0, 50, Device.CPU, 1, 12);
            Tensor full = m.forward(ids);                                            // (1, 12, V)
            KvCache cache = new KvCache(C, 1, Device.CPU, DType.FLOAT32);
            m.forward(ids.narrow(1, 0, 6), cache);
            for (int pos = 6; pos < 12; pos++) {
                cache.seek(pos);
                Tensor at = m.forwardAt(ids.narrow(1, pos, 1), cache);
                assertEquals(pos + 1, cache.length());
                Close.assertAllClose(full.narrow(1, pos, 1).toFloatArray(), at.toFloatArray(), 1e-5, 1e-4);
            }
        }
    }

    /**
     * Oracle: the Generator's cached path; the fixed-shape step (what a CUDA graph replays, here eager on the CPU) gives
     * the same ids, greedy and top-p, through the halving window's re-prefills and the sliding window's C-token forwards
     * (5 + 30 tokens in a context of 12).
     */
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"SLIDING, 0", "SLIDING, 0.9", "HALVE, 0", "HALVE, 0.9"})
    void fixedShapeStepsDecodeWhatTheCachedPathDecodes(Generator.Window window, double temperature) {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(4);
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32, dev.jlm.nn.Kernels.FUSED);
            int[] prompt = {3, 14, 15, 9, 26};
            Sampler s = Sampler.of(temperature, 0.9);
            int[] want = new Generator(m, true, window, dev.jlm.tensor.CudaGraph.Mode.OFF).generate(prompt, 30, s, 11, t -> true);
            try (var fixed = new Generator(m, true, window, dev.jlm.tensor.CudaGraph.Mode.OFF, true)) {
                assertArrayEquals(want, fixed.generate(prompt, 30, s, 11, t -> true));
                long live = Tensor.liveHandles();
                assertArrayEquals(want, fixed.generate(prompt, 30, s, 11, t -> true), "a second call, reusing the step");
                assertEquals(live, Tensor.liveHandles(), "a call frees what it made");
            }
        }
    }

    @Test
    void cudaGraphsOnAreRefusedWhereNoneWouldRun() {
        try (var run = TensorScope.open()) {
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32);
            var on = dev.jlm.tensor.CudaGraph.Mode.ON;
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Generator(m, true, Generator.Window.SLIDING, on));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("--cuda-graphs on needs a GPU"), e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Generator(m, false, Generator.Window.SLIDING, on));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("--no-cache"), e.getMessage());
        }
    }
}
