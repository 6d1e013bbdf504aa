package dev.jlm.nn;

import dev.jlm.data.Batch;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Profiler;
import dev.jlm.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Transformer LM: token embedding → blocks → final RMSNorm → lm_head (its own weight, or the embedding's when tied),
 * and its loss. Parameters carry the CS336
 * names. Construct inside the run's long-lived TensorScope: parameters, RoPE tables and the causal mask live there.
 */
public final class TransformerLm implements Module {
    /** The parameter path of the blocks: layers.0., layers.1., … */
    public static final String LAYERS = "layers";
    private final ModelConfig config;
    private final Params params;
    private final Embedding tokenEmbeddings;
    private final List<Block> layers = new ArrayList<>();
    private final Normalization lnFinal;   // null when norm = NONE
    private final Linear lmHead;
    private final CausalMask mask;   // null for a shapes-only model
    private final DType computeDType;
    private final Kernels kernels;

    /** A freshly initialized model (from the current torch seed) with the reference kernels. */
    public TransformerLm(ModelConfig c, Device device, DType computeDType) {
        this(c, device, computeDType, Kernels.REFERENCE);
    }

    /** A freshly initialized model (from the current torch seed) computing with {@code kernels}. */
    public TransformerLm(ModelConfig c, Device device, DType computeDType, Kernels kernels) {
        this(c, new Params(device), computeDType, kernels);
    }

    private TransformerLm(ModelConfig c, Params params, DType computeDType, Kernels kernels) {
        this.config = c;
        this.params = params;
        this.kernels = kernels;
        this.computeDType = computeDType;
        boolean real = params.allocates();
        // Tied, the embedding is also lm_head and starts as lm_head would (Init.tiedEmbedding); untied, CS336's embedding init.
        tokenEmbeddings = new Embedding(params.sub("token_embeddings"), c.vocabSize(), c.dModel(),
                c.tieEmbeddings() ? Init.tiedEmbedding(c.vocabSize(), c.dModel()) : Init.embedding());
        Rope rope = real && c.position() == ModelConfig.Position.ROPE ? new Rope(c.ropeTheta(), c.dHead(), c.contextLength(), params.device()) : null;
        for (int i = 0; i < c.numLayers(); i++) layers.add(new Block(params.sub(LAYERS).sub(i), c, rope, kernels));
        lnFinal = c.norm() == ModelConfig.Norm.NONE ? null : c.normalization(params.sub("ln_final"), kernels);
        lmHead = c.tieEmbeddings() ? new Linear(tokenEmbeddings.weight) : new Linear(params.sub("lm_head"), c.dModel(), c.vocabSize());
        mask = real ? new CausalMask(c.contextLength(), params.device()) : null;
    }

    /**
     * The parameters this config builds, by CS336 name with their shapes, in construction order: the modules'
     * own declarations, run without allocating (so a checkpoint's header is checked before any tensor exists).
     */
    public static Map<String, long[]> parameterShapes(ModelConfig c) {
        Params shapes = Params.shapesOnly();
        new TransformerLm(c, shapes, DType.FLOAT32, Kernels.REFERENCE);
        return new LinkedHashMap<>(shapes.shapes());
    }

    /** Every parameter by CS336 name ({@code token_embeddings.weight}, {@code layers.0.attn.q_proj.weight}, …; no {@code lm_head.weight} when tied). */
    @Override
    public Map<String, Tensor> stateDict() {
        return new LinkedHashMap<>(params.named());
    }

    public ModelConfig config() {
        return config;
    }

    public Kernels kernels() {
        return kernels;
    }

    public DType computeDType() {
        return computeDType;
    }

    public Params params() {
        return params;
    }

    /** ids: (B, T) int64 with T ≤ context length → logits (B, T, V) float32. */
    public Tensor forward(Tensor ids) {
        return forward(ids, null);
    }

    /**
     * With a KV cache holding the first {@code cache.length()} tokens, {@code ids} are the next T tokens:
     * positions continue from there, and the cache grows by T. Logits (B, T, V) for the new tokens.
     */
    public Tensor forward(Tensor ids, KvCache cache) {
        long t = ids.size(1);
        int start = cache == null ? 0 : cache.length();
        if (start + t > config.contextLength()) {
            throw new IllegalArgumentException("sequence length " + (start + t) + " exceeds the context length " + config.contextLength());
        }
        return forward(ids, mask.window(start, t, cache != null), cache);   // (T, start + T): row i sees keys ≤ start + i
    }

    /**
     * One token per row at the cache's device position ({@link KvCache#seek}): ids (B, 1) int64. Its keys and values
     * are written into {@code cache} there, and it attends to the cached positions up to its own. Logits (B, 1, V).
     * Nothing depends on the position's value on the host, so a CUDA graph of this call replays at any position
     * (GeneratorTest checks it against {@link #forward(Tensor, KvCache)}).
     */
    public Tensor forwardAt(Tensor ids, KvCache cache) {
        if (ids.size(1) != 1) throw new IllegalArgumentException("forwardAt takes one token per row, got " + ids.size(1));
        return forward(ids, mask.windowAt(cache.position()), cache);
    }

    /**
     * Continuous batching's decoding step: one token per row, each row of {@code cache} at its own position. ids (B, 1)
     * int64, the last token of each sequence; {@code rows[i]} is the cache row of ids row i, holding its positions
     * 0..positions[i]−1; the token is written at positions[i] and attends to its row's keys up to there. Logits (B, 1, V),
     * row i as {@link #forward(Tensor, KvCache)} gives for that sequence alone (to float rounding). The caller keeps the
     * positions: this call writes but counts nothing.
     */
    public Tensor forwardRows(Tensor ids, KvCache cache, int[] rows, int[] positions) {
        if (ids.size(1) != 1 || ids.size(0) != rows.length) {
            throw new IllegalArgumentException("forwardRows takes one token for each of the " + rows.length + " rows, got ids " + java.util.Arrays.toString(ids.shape()));
        }
        KvCache.Rows at = cache.at(rows, positions);
        return run(ids, (i, block, x) -> block.forward(x, at, cache.layer(i)));
    }

    private Tensor forward(Tensor ids, CausalMask.Window window, KvCache cache) {
        return run(ids, (i, block, x) -> block.forward(x, window, cache == null ? null : cache.layer(i)));
    }

    /** How a forward pass runs block i on x (B, T, D). */
    private interface BlockPass {
        Tensor apply(int i, Block block, Tensor x);
    }

    private Tensor run(Tensor ids, BlockPass pass) {
        Tensor x = Profiler.range("embedding", () -> tokenEmbeddings.forward(ids));     // (B, T, D)
        if (computeDType != DType.FLOAT32) x = x.to(computeDType);
        for (int i = 0; i < layers.size(); i++) x = pass.apply(i, layers.get(i), x);
        if (lnFinal != null) x = Block.norm(lnFinal, x);
        Tensor h = x;
        Tensor logits = Profiler.range("lm_head", () -> lmHead.forward(h));               // (B, T, V)
        return logits.dtype() == DType.FLOAT32 ? logits : logits.to(DType.FLOAT32);
    }

    /** The mean next-token cross-entropy of a batch (nanoGPT's forward(idx, targets)): () float32. */
    public Tensor loss(Batch batch) {
        Tensor logits = forward(batch.inputs());                                          // (B, T, V)
        return Profiler.range("loss", () -> kernels.crossEntropy(logits, batch.targets()));
    }
}
