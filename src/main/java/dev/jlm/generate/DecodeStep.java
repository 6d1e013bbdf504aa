package dev.jlm.generate;

import dev.jlm.nn.KvCache;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;

/**
 * The cached one-token decoding step with fixed shapes: the previous token, its position and the sampler's draw are
 * written into input buffers, then {@link TransformerLm#forwardAt} and {@link Sampler#choose} run on them — eagerly, or
 * on a GPU as one replay of a CUDA graph captured after {@link #WARMUP} eager steps on the graph's side stream. Either
 * way the only host read of a token is its id. Its buffers join the scope current when it is made; close it.
 */
final class DecodeStep implements AutoCloseable {
    static final int WARMUP = 2;

    private final TransformerLm model;
    private final KvCache cache;
    private final Sampler sampler;
    private final Tensor token;           // (1, 1) int64: the last token
    private final Tensor position;        // (1) int64: its position in the window
    private final Tensor draw;            // () float64: the sampler's uniform draw
    private final TensorScope owner;
    private final CudaGraph.Mode mode;
    private CudaGraph graph;              // null: eager
    private Tensor next;                  // () int64: what every replay writes; null until captured
    private int eager;

    /** With {@code graphs}: a graph on a CUDA device (on: required; auto: where this shim can capture). */
    DecodeStep(TransformerLm model, KvCache cache, Sampler sampler, CudaGraph.Mode graphs) {
        this.model = model;
        this.cache = cache;
        this.sampler = sampler;
        Device d = model.params().device();
        owner = TensorScope.current();
        token = Torch.zeros(DType.INT64, d, 1, 1);
        position = Torch.zeros(DType.INT64, d, 1);
        draw = Torch.zeros(DType.FLOAT64, d);
        mode = graphs;
        graph = uses(graphs, d) ? CudaGraph.create(d) : null;
    }

    /** Whether decoding on {@code device} with this mode replays a graph; on where it cannot is refused. */
    static boolean uses(CudaGraph.Mode graphs, Device device) {
        return switch (graphs) {
            case OFF -> false;
            case AUTO -> device.isCuda() && CudaGraph.available();
            case ON -> {
                if (!device.isCuda()) throw new IllegalArgumentException("--cuda-graphs on needs a GPU, and this runs on " + device
                        + ": leave --cuda-graphs at auto, or choose --device cuda:N");
                yield true;
            }
        };
    }

    Sampler sampler() {
        return sampler;
    }

    boolean graphed() {
        return graph != null;
    }

    /** The next id after {@code last} at {@code pos} (cache positions 0..pos−1 filled), with the sampler's draw {@code u}. */
    int next(int last, int pos, double u) {
        try (var step = TensorScope.open()) {
            token.fill_(last);
            position.fill_(pos);
            draw.fill_(u);
            Tensor id;
            if (graph == null) {
                id = run();
            } else if (eager < WARMUP) {
                eager++;
                id = graph.onSideStream(this::run);
            } else {
                if (next == null) capture();
                if (graph != null) {
                    graph.replay();
                    id = next;
                } else {
                    id = run();
                }
            }
            cache.markFilled(pos + 1);
            return (int) id.item();
        }
    }

    /** Captures the step; under auto a failed capture falls back to eager steps, with a note on stderr. */
    private void capture() {
        try (var s = TensorScope.open()) {                   // the capture's temporaries: freed into the graph's pool
            next = graph.capture(this::run).moveTo(owner);
        } catch (RuntimeException e) {
            graph.close();
            graph = null;
            if (mode == CudaGraph.Mode.ON) throw e;
            System.err.println("jlm: the decode step could not be captured in a CUDA graph, decoding eagerly: " + e.getMessage());
        }
    }

    private Tensor run() {
        Tensor logits = model.forwardAt(token, position, cache);                  // (1, 1, V)
        return sampler.choose(logits.reshape(-1), draw);
    }

    @Override
    public void close() {
        if (graph != null) graph.close();
        graph = null;
    }
}
