package dev.jlm.generate;

import dev.jlm.nn.KvCache;
import dev.jlm.nn.TransformerLm;
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
public final class Generator {
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

    public Generator(TransformerLm model, boolean useCache) {
        this(model, useCache, Window.SLIDING);
    }

    public Generator(TransformerLm model, boolean useCache, Window window) {
        this.model = model;
        this.useCache = useCache;
        this.window = window;
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
        int len = prompt.length, made = 0;
        Device device = model.params().device();
        try (var gen = TensorScope.open(); var g = NoGrad.enter()) {
            KvCache cache = useCache ? new KvCache(model.config(), 1, device, model.computeDType()) : null;
            int windowStart = 0;    // the first token the model sees
            int fed = 0;            // tokens of seq[windowStart, len) the cache holds
            while (made < maxTokens) {
                int next;
                try (var step = TensorScope.open()) {
                    if (len - windowStart > ctx) {                      // past the context: what the window policy keeps
                        windowStart = window == Window.SLIDING ? len - ctx : len - ctx / 2;
                        fed = 0;
                        if (cache != null) cache.clear();
                    }
                    boolean cached = cache != null && (window == Window.HALVE || len <= ctx);
                    int from = cached ? windowStart + fed : windowStart;
                    Tensor ids = Torch.fromArray(Arrays.stream(seq, from, len).asLongStream().toArray(), 1, len - from);
                    if (!device.equals(Device.CPU)) ids = ids.to(device);
                    Tensor out = cached ? model.forward(ids, cache) : model.forward(ids);             // (1, T, V)
                    fed = cached ? len - windowStart : 0;
                    next = sampler.next(out.select(1, out.size(1) - 1).reshape(-1), rng);          // logits (V)
                }
                if (len == seq.length) seq = Arrays.copyOf(seq, (int) Math.min(Integer.MAX_VALUE - 8, 2L * seq.length));
                seq[len++] = next;
                made++;
                if (!onToken.test(next)) break;
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, prompt.length + made);
    }
}
