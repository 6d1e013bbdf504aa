package dev.jlm.generate;

import dev.jlm.nn.KvCache;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.GraphedWork;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.List;
import java.util.function.Supplier;

/**
 * The decoding steps whose shapes never change, each reading input buffers and writing the next id (() int64):
 * <ul>
 *   <li>{@link #next(int, int, double)}: one cached token at a device position ({@link TransformerLm#forwardAt});
 *   <li>{@link #nextInWindow}: a full forward over exactly C tokens (the sliding window past the context).
 * </ul>
 * Each runs eagerly, or on a GPU as one replay of a CUDA graph captured after {@link #WARMUP} eager runs on the graph's
 * side stream; sampling ({@link Sampler#choose}) is inside it, so the only host read of a token is its id. The buffers
 * join the scope current when this is made; close it to free the graphs.
 */
final class DecodeStep implements AutoCloseable {
    static final int WARMUP = 2;

    private final TransformerLm model;
    private final KvCache cache;
    private final Sampler sampler;
    private final Tensor token;           // (1, 1) int64: the last token
    private final Tensor window;          // (1, C) int64: the last C tokens
    private final Tensor draw;            // () float64: the sampler's uniform draw
    private final Replayed cached, full;

    /** With {@code graphs}: graphs on a CUDA device (on: required; auto: where this shim can capture). */
    DecodeStep(TransformerLm model, KvCache cache, Sampler sampler, CudaGraph.Mode graphs) {
        this.model = model;
        this.cache = cache;
        this.sampler = sampler;
        Device d = model.params().device();
        token = Torch.zeros(DType.INT64, d, 1, 1);
        window = Torch.zeros(DType.INT64, d, 1, model.config().contextLength());
        draw = Torch.zeros(DType.FLOAT64, d);
        boolean graphed = uses(graphs, d);
        cached = new Replayed(() -> sampler.choose(model.forwardAt(token, cache).reshape(-1), draw), graphed, graphs, d);
        full = new Replayed(() -> {
            Tensor logits = model.forward(window);                                      // (1, C, V)
            return sampler.choose(logits.select(1, logits.size(1) - 1).reshape(-1), draw);
        }, graphed, graphs, d);
    }

    /** Whether decoding on {@code device} with this mode replays a graph; on where it cannot is refused. */
    static boolean uses(CudaGraph.Mode graphs, Device device) {
        return switch (graphs) {
            case OFF -> false;
            case AUTO -> device.isCuda() && CudaGraph.available();
            case ON -> {
                if (!device.isCuda()) throw new IllegalArgumentException("--cuda-graphs on needs a GPU, and this runs on " + device
                        + ": leave --cuda-graphs at auto, or choose --device cuda:N");
                if (!CudaGraph.available()) throw new IllegalArgumentException("--cuda-graphs on: this shim cannot capture (it needs"
                        + " libtorch 2.3+ with CUDA; it has libtorch " + Torch.version() + "); leave --cuda-graphs at auto");
                yield true;
            }
        };
    }

    Sampler sampler() {
        return sampler;
    }

    /** The next id after {@code last} at {@code pos} (cache positions 0..pos−1 filled), with the sampler's draw {@code u}. */
    int next(int last, int pos, double u) {
        try (var step = TensorScope.open()) {
            token.fill_(last);
            cache.seek(pos);
            draw.fill_(u);
            return (int) cached.run().item();
        }
    }

    /** The next id after {@code seq[from, from + C)} (no cache), with the sampler's draw {@code u}. */
    int nextInWindow(int[] seq, int from, double u) {
        try (var step = TensorScope.open()) {
            window.copy_(Generator.tokens(seq, from, from + model.config().contextLength()));
            draw.fill_(u);
            return (int) full.run().item();
        }
    }

    @Override
    public void close() {
        cached.close();
        full.close();
    }

    /** Whether every step that ran replayed its graph (each ran at least once, and none fell back to eager). */
    boolean replayed() {
        return cached.ranReplays() && (full.runs == 0 || full.ranReplays());
    }

    /** One fixed-shape computation: eager, or a {@link GraphedWork} (which falls back to eager runs itself under auto). */
    private static final class Replayed implements AutoCloseable {
        private final Supplier<Tensor> work;
        private GraphedWork<Tensor> graphed;  // null: eager

        Replayed(Supplier<Tensor> work, boolean graphed, CudaGraph.Mode mode, Device d) {
            this.work = work;
            this.graphed = graphed ? new GraphedWork<>(d, mode, "a decode step", WARMUP, work, List::of) : null;
        }

        private long runs;

        /** The output, in the caller's scope when eager, else the graph's (valid until the next run). */
        Tensor run() {
            runs++;
            return graphed == null ? work.get() : graphed.run();
        }

        /** Whether this ran and its graph was captured and replayed (not eager from the start, not fallen back). */
        boolean ranReplays() {
            return runs > WARMUP && graphed != null && !graphed.fellBack();
        }

        @Override
        public void close() {
            if (graphed != null) graphed.close();
            graphed = null;
        }
    }
}
