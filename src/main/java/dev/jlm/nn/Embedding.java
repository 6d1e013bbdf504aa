package dev.jlm.nn;

import dev.jlm.tensor.Tensor;
import java.util.function.Consumer;

/** Token id → vector lookup; weight: (V, D). */
public final class Embedding {
    final Tensor weight;

    /** With CS336's embedding init, N(0, 1) truncated at ±3. */
    public Embedding(Params p, long vocab, long dModel) {
        this(p, vocab, dModel, Init.embedding());
    }

    /** Filled by {@code init}: {@link Init#tiedEmbedding} when this weight is also the output head. */
    public Embedding(Params p, long vocab, long dModel, Consumer<Tensor> init) {
        weight = p.param("weight", init, vocab, dModel);
    }

    /** ids: (B, T) int64 → (B, T, D) */
    public Tensor forward(Tensor ids) {
        long[] s = ids.shape();
        return weight.indexSelect(0, ids.reshape(-1)).reshape(s[0], s[1], weight.size(1));
    }
}
