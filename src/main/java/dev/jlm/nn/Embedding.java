package dev.jlm.nn;

import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Token id → vector lookup; weight: (V, D). */
public final class Embedding implements Module {
    final Tensor weight;

    /** A new embedding of {@code vocab} ids on the CPU, CS336's init; its state dict: {@code weight} (vocab, dModel). */
    public Embedding(long vocab, long dModel) {
        this(new Params(Device.CPU), vocab, dModel);
    }

    /** With CS336's embedding init, N(0, 1) truncated at ±3. */
    public Embedding(Params p, long vocab, long dModel) {
        this(p, vocab, dModel, Init.embedding());
    }

    /** Filled by {@code init}: {@link Init#tiedEmbedding} when this weight is also the output head. */
    public Embedding(Params p, long vocab, long dModel, Consumer<Tensor> init) {
        weight = p.param("weight", init, vocab, dModel);
    }

    /** ids: (...) int64 of any rank → (..., D) */
    public Tensor forward(Tensor ids) {
        long[] s = ids.shape();
        long[] out = Arrays.copyOf(s, s.length + 1);
        out[s.length] = weight.size(1);
        return weight.indexSelect(0, ids.reshape(-1)).reshape(out);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("weight", weight);
        return s;
    }
}
