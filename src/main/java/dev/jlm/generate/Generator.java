package dev.jlm.generate;

import dev.jlm.nn.KvCache;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Autoregressive decoding with a KV cache: the prompt is run once (prefill), then each new token costs one token's
 * forward pass, while the tokens fit the context length T. Past it, the {@link Window} decides what a token sees.
 */
public final class Generator implements AutoCloseable {
    /** What the model conditions on once the sequence is longer than its context length T. */
    public enum Window {
        /**
         * The reference decoder's: every token from the last T tokens. Their positions move with each token, so the
         * cache cannot be kept (RoPE rotates keys by position): each token is one batched forward over T tokens.
         */
        SLIDING,
        /**
         * Amortised: keep the last T/2 tokens, re-prefill them once, and grow one token at a time again; T/2 tokens
         * a step cheaper on average, but a token may see as few as T/2 tokens — not the reference's output.
         */
        HALVE
    }

    private final TransformerLm model;
    private final boolean useCache;
    private final Window window;
    private final CudaGraph.Mode graphs;
    private final KvCache cache;            // null without the cache; reused by every call
    private final boolean graphed;          // decode steps replay CUDA graphs
    private final boolean fixedShape;       // decode steps through DecodeStep: where graphed, or for tests
    private DecodeStep decode;              // made by the first call (again for another sampler); null unless fixedShape

    public Generator(TransformerLm model, boolean useCache) {
        this(model, useCache, Window.SLIDING, CudaGraph.Mode.AUTO);
    }

    public Generator(TransformerLm model, boolean useCache, Window window) {
        this(model, useCache, window, CudaGraph.Mode.AUTO);
    }

    /**
     * With {@code graphs} (auto, on or off), each cached one-token step on a GPU, and each step of the sliding window
     * past the context (a forward over exactly C tokens), is one replay of a CUDA graph ({@link DecodeStep}), captured by
     * the first call and replayed by every later one; prefills run eagerly. Its KV cache and graph buffers join the
     * current scope; close it to free the graphs.
     */
    public Generator(TransformerLm model, boolean useCache, Window window, CudaGraph.Mode graphs) {
        this(model, useCache, window, graphs, false);
    }

    /** {@code eagerFixedShape}: decode steps through {@link DecodeStep} even where no graph is used (tests). */
    Generator(TransformerLm model, boolean useCache, Window window, CudaGraph.Mode graphs, boolean eagerFixedShape) {
        this.model = model;
        this.useCache = useCache;
        this.window = window;
        this.graphs = graphs;
        checkGraphs(graphs, useCache, model.params().device());
        checkWindow(window, model.config().contextLength());
        cache = useCache ? new KvCache(model.config(), 1, model.params().device(), model.computeDType()) : null;
        graphed = useCache && DecodeStep.uses(graphs, model.params().device());
        fixedShape = graphed || useCache && eagerFixedShape;
    }

    /** Refuses graphs on (required) where none would be used: on the CPU, or without the KV cache. */
    public static void checkGraphs(CudaGraph.Mode graphs, boolean useCache, Device device) {
        if (graphs == CudaGraph.Mode.ON && !useCache) {
            throw new IllegalArgumentException("--cuda-graphs on replays the decode steps of the KV cache, and --no-cache has none: drop one of them");
        }
        DecodeStep.uses(graphs, device);
    }

    /** Refuses the halving window where half the context is no token (context length 1): nothing would condition the next one. */
    public static void checkWindow(Window window, int contextLength) {
        if (window == Window.HALVE && contextLength < 2) {
            throw new IllegalArgumentException("--window halve keeps the last context_length / 2 tokens past the context, and this model's context"
                    + " length is " + contextLength + ": that is none; use --window sliding");
        }
    }

    /** Whether decode steps are meant to replay CUDA graphs (a CUDA device, the cache, graphs auto or on): the intent. */
    public boolean graphed() {
        return graphed;
    }

    /**
     * Whether the decode steps so far did replay CUDA graphs: false before the first token, where no graph is meant, and
     * after a capture failed under auto and the steps ran eagerly. What a benchmark reports.
     */
    public boolean replayedGraphs() {
        return graphed && decode != null && decode.replayed();
    }

    /**
     * Generates up to {@code maxTokens} after {@code prompt} (at most the context length; keep the last T tokens
     * of a longer prompt before calling). {@code onToken} sees each new id and returns false to stop (e.g. at
     * end of text). Returns the new ids.
     */
    public int[] generate(int[] prompt, int maxTokens, Sampler sampler, long seed, IntPredicate onToken) {
        int ctx = model.config().contextLength();
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (prompt.length > ctx) throw new IllegalArgumentException("prompt of " + prompt.length + " tokens exceeds the context length " + ctx);
        SplittableRandom rng = new SplittableRandom(seed);
        if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        int[] seq = Arrays.copyOf(prompt, prompt.length + Math.min(maxTokens, 4096));    // grows as tokens come
        Device device = model.params().device();
        int len = prompt.length, made = 0;
        if (cache != null) cache.clear();
        if (fixedShape && (decode == null || !decode.sampler().equals(sampler))) {
            if (decode != null) decode.close();
            decode = new DecodeStep(model, cache, sampler, graphs);       // in the scope current now: a caller's, not a call's
        }
        try (var gen = TensorScope.open(); var g = NoGrad.enter()) {
            int windowStart = 0;    // the first token the model sees
            int fed = 0;            // tokens of seq[windowStart, len) the cache holds
            while (made < maxTokens) {
                int next;
                if (len - windowStart > ctx) {                          // past the context: what the window policy keeps
                    windowStart = window == Window.SLIDING ? len - ctx : len - ctx / 2;
                    fed = 0;
                    if (cache != null) cache.clear();
                }
                boolean cached = cache != null && (window == Window.HALVE || len <= ctx);
                int from = cached ? windowStart + fed : windowStart;
                if (decode != null && cached && len - from == 1) {      // one token at position fed: a fixed-shape step
                    next = decode.next(seq[len - 1], fed, sampler.draw(rng));
                    fed++;
                } else if (decode != null && !cached && len - from == ctx) {   // the sliding window: C tokens, a fixed shape
                    next = decode.nextInWindow(seq, from, sampler.draw(rng));
                } else {
                    try (var step = TensorScope.open()) {
                        Tensor ids = tokens(seq, from, len);
                        if (!device.equals(Device.CPU)) ids = ids.to(device);
                        Tensor out = cached ? model.forward(ids, cache) : model.forward(ids);             // (1, T, V)
                        fed = cached ? len - windowStart : 0;
                        next = sampler.next(out.select(1, out.size(1) - 1).reshape(-1), rng);          // logits (V)
                    }
                }
                if (len == seq.length) seq = Arrays.copyOf(seq, (int) Math.min(Integer.MAX_VALUE - 8, 2L * seq.length));
                seq[len++] = next;
                made++;
                if (!onToken.test(next)) break;
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, prompt.length + made);
    }

    /** seq[from, to) as a (1, to − from) int64 tensor on the CPU. */
    static Tensor tokens(int[] seq, int from, int to) {
        return Torch.fromArray(Arrays.stream(seq, from, to).asLongStream().toArray(), 1, to - from);
    }

    @Override
    public void close() {
        if (decode != null) decode.close();
        decode = null;
    }
}
