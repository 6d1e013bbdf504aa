package dev.jlm.nn;

import dev.jlm.tensor.Tensor;

/** Token id → vector lookup; weight: (V, D). */
public final class Embedding {
    final Tensor weight;

    public Embedding(Params p, long vocab, long dModel) {
        weight = p.param("weight", Init.embedding(), vocab, dModel);
    }

    /** ids: (B, T) int64 → (B, T, D) */
    public Tensor forward(Tensor ids) {
        long[] s = ids.shape();
        return weight.indexSelect(0, ids.reshape(-1)).reshape(s[0], s[1], weight.size(1));
    }
}
