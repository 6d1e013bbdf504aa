package dev.jlm.generate;

import dev.jlm.nn.KvCache;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Autoregressive decoding with a KV cache: the prompt is run once (prefill), then each new token costs one
 * token's forward pass. When the context fills, the cache is rebuilt from the last half of the context.
 */
public final class Generator {
    private final TransformerLm model;
    private final boolean useCache;

    public Generator(TransformerLm model, boolean useCache) {
        this.model = model;
        this.useCache = useCache;
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
        try (var gen = TensorScope.open(); var g = NoGrad.enter()) {
            KvCache cache = useCache ? new KvCache(model.config(), 1, model.params().device(), model.computeDType()) : null;
            int fed = 0;   // tokens of seq[0, len) the cache holds, counted from window start
            int windowStart = 0;
            while (made < maxTokens) {
                float[] logits;
                try (var step = TensorScope.open()) {
                    if (len - windowStart > ctx) {                      // context full: slide to the last half
                        windowStart = len - ctx / 2;
                        if (cache != null) cache.clear();
                        fed = 0;
                    }
                    int from = cache == null ? windowStart : windowStart + fed;
                    Tensor ids = Torch.fromArray(Arrays.stream(seq, from, len).asLongStream().toArray(), 1, len - from);
                    if (!model.params().device().equals(dev.jlm.tensor.Device.CPU)) ids = ids.to(model.params().device());
                    Tensor out = cache == null ? model.forward(ids) : model.forward(ids, cache);   // (1, T, V)
                    fed = len - windowStart;
                    logits = out.select(1, out.size(1) - 1).reshape(-1).toFloatArray();          // (V)
                }
                int next = sampler.next(logits, rng);
                if (len == seq.length) seq = Arrays.copyOf(seq, (int) Math.min(Integer.MAX_VALUE - 8, 2L * seq.length));
                seq[len++] = next;
                made++;
                if (!onToken.test(next)) break;
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, prompt.length + made);
    }
}
