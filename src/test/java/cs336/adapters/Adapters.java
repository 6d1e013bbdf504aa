package cs336.adapters;

import dev.jlm.checkpoint.ModuleCheckpoint;
import dev.jlm.data.Batch;
import dev.jlm.data.BatchSampler;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.Attention;
import dev.jlm.nn.Block;
import dev.jlm.nn.Embedding;
import dev.jlm.nn.FeedForward;
import dev.jlm.nn.Functional;
import dev.jlm.nn.Linear;
import dev.jlm.nn.Loss;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.Module;
import dev.jlm.nn.RmsNorm;
import dev.jlm.nn.Rope;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.CosineSchedule;
import dev.jlm.optim.GradClip;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import dev.jlm.tokenizer.BpeModel;
import dev.jlm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CS336 Assignment 1 adapter surface ({@code tests/adapters.py}), one method per adapter with the official
 * arguments, written as a third party would: only jlm's public API, from a package outside {@code dev.jlm}. Each module
 * is built from its own arguments and its weights are loaded strictly by {@code loadStateDict}.
 */
final class Adapters {
    private Adapters() {}

    /** in_features (..., d_in) → (..., d_out). */
    static Tensor runLinear(long dIn, long dOut, Tensor weights, Tensor in) {
        Linear m = new Linear(dIn, dOut);
        m.loadStateDict(Map.of("weight", weights), true);
        return m.forward(in);
    }

    /** token_ids (...) int64 → (..., d_model). */
    static Tensor runEmbedding(long vocab, long dModel, Tensor weights, Tensor ids) {
        Embedding m = new Embedding(vocab, dModel);
        m.loadStateDict(Map.of("weight", weights), true);
        return m.forward(ids);
    }

    static Tensor runSwiglu(long dModel, long dFf, Tensor w1, Tensor w2, Tensor w3, Tensor in) {
        FeedForward m = new FeedForward(dModel, dFf);
        m.loadStateDict(Map.of("w1.weight", w1, "w2.weight", w2, "w3.weight", w3), true);
        return m.forward(in);
    }

    static Tensor runScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask) {
        return Functional.scaledDotProductAttention(q, k, v, mask);
    }

    /** Causal, no RoPE: in_features (B, T, d_model) → (B, T, d_model). */
    static Tensor runMultiheadSelfAttention(long dModel, int heads, Tensor qW, Tensor kW, Tensor vW, Tensor oW, Tensor in) {
        return attention(new Attention(dModel, heads, null), qW, kW, vW, oW, in, null);
    }

    /** With RoPE at {@code positions}: (T) or (B, T) int64, or null for 0..T−1; causal. */
    static Tensor runMultiheadSelfAttentionWithRope(long dModel, int heads, int maxSeqLen, double theta, Tensor qW, Tensor kW, Tensor vW,
                                                    Tensor oW, Tensor in, Tensor positions) {
        Rope rope = new Rope(theta, (int) (dModel / heads), maxSeqLen);
        return attention(new Attention(dModel, heads, rope), qW, kW, vW, oW, in, positions != null ? positions : Torch.arange(in.size(-2)));
    }

    private static Tensor attention(Attention m, Tensor qW, Tensor kW, Tensor vW, Tensor oW, Tensor in, Tensor positions) {
        m.loadStateDict(Map.of("q_proj.weight", qW, "k_proj.weight", kW, "v_proj.weight", vW, "output_proj.weight", oW), true);
        return m.forward(in, positions, null);
    }

    /** in_query_or_key (..., T, d_k), token_positions (..., T) → (..., T, d_k). */
    static Tensor runRope(int dK, double theta, int maxSeqLen, Tensor in, Tensor positions) {
        return new Rope(theta, dK, maxSeqLen).forward(in, positions);
    }

    /** weights: the block's state dict by CS336 names (ln1.weight, attn.q_proj.weight, …, ffn.w3.weight). */
    static Tensor runTransformerBlock(long dModel, int heads, long dFf, int maxSeqLen, double theta, Map<String, Tensor> weights, Tensor in) {
        Block m = new Block(dModel, heads, dFf, new Rope(theta, (int) (dModel / heads), maxSeqLen));
        m.loadStateDict(weights, true);
        return m.forward(in, Torch.arange(in.size(-2)), null);                   // positions 0..T−1, causal
    }

    static Tensor runTransformerLm(int vocab, int context, int dModel, int layers, int heads, int dFf, double theta,
                                   Map<String, Tensor> weights, Tensor ids) {
        ModelConfig c = ModelConfig.builder().vocabSize(vocab).contextLength(context).dModel(dModel).numLayers(layers).numHeads(heads)
                .dFf(dFf).ropeTheta(theta).build();
        TransformerLm m = new TransformerLm(c, Device.CPU, DType.FLOAT32);
        m.loadStateDict(weights, true);
        return m.forward(ids);
    }

    static Tensor runRmsnorm(long dModel, double eps, Tensor weights, Tensor in) {
        RmsNorm m = new RmsNorm(dModel, eps);
        m.loadStateDict(Map.of("weight", weights), true);
        return m.forward(in);
    }

    static Tensor runSilu(Tensor in) {
        return Functional.silu(in);
    }

    private static final AtomicLong BATCH_SEEDS = new AtomicLong(336);

    /** dataset: the ids (numpy's array in CS336) → (x, y), each (batch, context) int64 on {@code device}. */
    static Batch runGetBatch(int[] dataset, int batchSize, int context, String device) {
        int vocab = Arrays.stream(dataset).max().orElse(0) + 1;
        try (TokenFile data = TokenFile.ofIds(dataset, vocab)) {
            return new BatchSampler(data, batchSize, context, Device.parse(device), BATCH_SEEDS.getAndIncrement()).next();
        }
    }

    static Tensor runSoftmax(Tensor in, long dim) {
        return Functional.softmax(in, dim);
    }

    /** inputs (..., V), targets (...) int64 → () the mean. */
    static Tensor runCrossEntropy(Tensor inputs, Tensor targets) {
        return Loss.crossEntropy(inputs, targets);
    }

    /** In place on the parameters' gradients (those without one are left out). */
    static void runGradientClipping(List<Tensor> parameters, double maxL2Norm) {
        GradClip.clip(parameters, maxL2Norm);
    }

    /** get_adamw_cls(): torch.optim.AdamW's constructor arguments; the learning rate is fixed (a schedule sets it per step in jlm). */
    static final class Cs336AdamW {
        final AdamW adamw;
        final List<Tensor> params;
        double lr;

        Cs336AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
            this.params = params;
            this.lr = lr;
            adamw = new AdamW(params, AdamWConfig.builder().beta1(beta1).beta2(beta2).eps(eps).weightDecay(weightDecay).build());
        }

        void step() {
            adamw.step(lr);
        }

        void zeroGrad() {
            for (Tensor p : params) p.clearGrad();
        }
    }

    static double runGetLrCosineSchedule(long it, double maxLr, double minLr, long warmup, long cosineCycle) {
        return new CosineSchedule(maxLr, minLr, warmup, cosineCycle).lr(it);
    }

    static void runSaveCheckpoint(Module model, Cs336AdamW optimizer, long iteration, Path out) throws IOException {
        ModuleCheckpoint.save(model, optimizer.adamw, iteration, out);
    }

    static long runLoadCheckpoint(Path src, Module model, Cs336AdamW optimizer) throws IOException {
        return ModuleCheckpoint.load(src, model, optimizer.adamw);
    }

    /** vocab: id → bytes; merges: byte pairs in merge order; special tokens (or empty). */
    static Tokenizer getTokenizer(Map<Integer, byte[]> vocab, List<BpeModel.Merge> merges, List<String> specialTokens) {
        return Tokenizer.of(new LinkedHashMap<>(vocab), merges, specialTokens);
    }
}
