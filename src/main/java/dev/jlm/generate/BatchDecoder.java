package dev.jlm.generate;

import dev.jlm.nn.KvCache;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Continuous batching over one KV cache of R rows: sequences join at any step ({@link #admit}: their prompt is prefilled
 * into a free row, and their first token chosen), then every {@link #step} decodes one token for each active sequence in
 * ONE batched forward ({@link TransformerLm#forwardRows}), each row at its own position (a step of one sequence takes the
 * causal fast path, {@link TransformerLm#forward(Tensor, KvCache)} on its row). A sequence that ends (its max
 * tokens, its {@code onToken} says stop, or throws) leaves at once and frees its row for the next one.
 *
 * <p>Each sequence decodes as {@link Generator#generate} decodes it alone: the same prefill, the same sampler fed from its
 * own {@code SplittableRandom(seed)}, the same draws in the same order; its logits differ from a solo run's only by float
 * rounding (BatchDecoderTest). Sequences must fit the context (prompt + max tokens ≤ C): there is no window here. Not
 * thread-safe: one thread (the model's) drives it. The cache joins the scope current when this is made.
 */
public final class BatchDecoder {
    private final TransformerLm model;
    private final KvCache cache;                  // (R, H, C, Dh) per layer
    private final Sequence[] byRow;               // null: a free row
    private final KvCache[] alone;                // each row as a cache of its own (views): prefill, and a step of one sequence
    private final Device device;

    /** A decoder of up to {@code rows} concurrent sequences. */
    public BatchDecoder(TransformerLm model, int rows) {
        if (rows < 1) throw new IllegalArgumentException("a batch needs at least one row, got " + rows);
        this.model = model;
        this.device = model.params().device();
        this.cache = new KvCache(model.config(), rows, device, model.computeDType());
        this.byRow = new Sequence[rows];
        this.alone = new KvCache[rows];
        for (int r = 0; r < rows; r++) alone[r] = cache.row(r);
    }

    /** One sequence being decoded; what it made so far, and why it ended. */
    public static final class Sequence {
        private final int maxTokens;
        private final Sampler sampler;
        private final SplittableRandom rng;
        private final IntPredicate onToken;
        private int[] made;
        private int count;
        private int row = -1;                     // its cache row while active
        private int position;                     // tokens its row holds: where its last token goes
        private boolean ended;
        private Throwable failure;

        private Sequence(int[] prompt, int maxTokens, Sampler sampler, long seed, IntPredicate onToken) {
            this.maxTokens = maxTokens;
            this.sampler = sampler;
            this.rng = new SplittableRandom(seed);
            this.onToken = onToken;
            this.made = new int[Math.min(maxTokens, 64)];
            this.position = prompt.length;
        }

        /** The ids made so far (all of them once ended), the one {@code onToken} stopped at included. */
        public int[] tokens() {
            return Arrays.copyOf(made, count);
        }

        public boolean ended() {
            return ended;
        }

        /** What its {@code onToken} (or the model) threw, ending it; null when it ended normally or has not. */
        public Throwable failure() {
            return failure;
        }

        private int last() {
            return made[count - 1];
        }

        /** Takes the next id from logits (V); false once the sequence is done. A throwing onToken ends it, failed. */
        private boolean take(Tensor logits) {
            int next = sampler.next(logits, rng);
            if (count == made.length) made = Arrays.copyOf(made, Math.min(maxTokens, 2 * made.length));
            made[count++] = next;
            try {
                return onToken.test(next) && count < maxTokens;
            } catch (Throwable t) {
                failure = t;
                return false;
            }
        }
    }

    /** Whether a row is free for {@link #admit}. */
    public boolean hasFreeRow() {
        for (Sequence s : byRow) if (s == null) return true;
        return false;
    }

    /** Sequences being decoded now. */
    public int active() {
        int n = 0;
        for (Sequence s : byRow) if (s != null) n++;
        return n;
    }

    /**
     * Starts a sequence: prefills {@code prompt} into a free row (one forward of the prompt alone) and takes its first
     * token, as {@link Generator#generate} with the same arguments would. It may end at once (max tokens 0 or 1, or
     * {@code onToken} stops); otherwise it is active until a {@link #step} ends it. Needs a free row.
     */
    public Sequence admit(int[] prompt, int maxTokens, Sampler sampler, long seed, IntPredicate onToken) {
        int ctx = model.config().contextLength();
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        if (prompt.length + maxTokens > ctx) {
            throw new IllegalArgumentException(prompt.length + " tokens of prompt + " + maxTokens + " to make exceed the context length " + ctx);
        }
        Sequence s = new Sequence(prompt, maxTokens, sampler, seed, onToken);
        if (maxTokens == 0) {
            s.ended = true;
            return s;
        }
        int row = 0;
        while (row < byRow.length && byRow[row] != null) row++;
        if (row == byRow.length) throw new IllegalStateException("no free row: all " + byRow.length + " are decoding");
        try (var scope = TensorScope.open(); var g = NoGrad.enter()) {
            Tensor ids = Generator.tokens(prompt, 0, prompt.length);
            if (!device.equals(Device.CPU)) ids = ids.to(device);
            alone[row].clear();
            Tensor out = model.forward(ids, alone[row]);                                  // (1, T, V)
            if (s.take(out.select(1, out.size(1) - 1).reshape(-1))) {
                s.row = row;
                byRow[row] = s;
            } else s.ended = true;
        }
        return s;
    }

    /**
     * One token for every active sequence, in one batched forward; returns the sequences that ended in it (their rows are
     * free again). A failure of the forward itself ends every active sequence with it.
     */
    public List<Sequence> step() {
        List<Sequence> live = new ArrayList<>();
        for (Sequence s : byRow) if (s != null) live.add(s);
        live.sort(Comparator.comparingInt(s -> s.row));
        List<Sequence> ended = new ArrayList<>();
        if (live.isEmpty()) return ended;
        int b = live.size();
        int[] rows = new int[b], positions = new int[b];
        long[] last = new long[b];
        for (int i = 0; i < b; i++) {
            Sequence s = live.get(i);
            rows[i] = s.row;
            positions[i] = s.position;
            last[i] = s.last();
        }
        try (var scope = TensorScope.open(); var g = NoGrad.enter()) {
            Tensor ids = Torch.fromArray(last, b, 1);
            if (!device.equals(Device.CPU)) ids = ids.to(device);
            Tensor logits;                                                                // (B, 1, V)
            if (b == 1) {                                                                 // alone: the causal fast path
                alone[rows[0]].truncate(positions[0]);
                logits = model.forward(ids, alone[rows[0]]);
            } else logits = model.forwardRows(ids, cache, rows, positions);
            for (int i = 0; i < b; i++) {
                Sequence s = live.get(i);
                s.position++;
                if (!s.take(logits.select(0, i).reshape(-1))) end(s, ended);
            }
        } catch (RuntimeException e) {
            for (Sequence s : live) {
                if (s.ended) continue;
                s.failure = e;
                end(s, ended);
            }
        }
        return ended;
    }

    private void end(Sequence s, List<Sequence> ended) {
        byRow[s.row] = null;
        s.row = -1;
        s.ended = true;
        ended.add(s);
    }
}
