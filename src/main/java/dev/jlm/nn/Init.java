package dev.jlm.nn;

import dev.jlm.tensor.Tensor;
import java.util.function.Consumer;

/** Parameter initializations of the CS336 handout. */
public final class Init {
    private Init() {}

    /** Linear weights (d_out, d_in): N(0, 2/(d_in + d_out)) truncated at ±3σ. */
    public static Consumer<Tensor> linear(long dIn, long dOut) {
        double std = Math.sqrt(2.0 / (dIn + dOut));
        return t -> t.truncNormal_(0, std, -3 * std, 3 * std);
    }

    /** Embeddings: N(0, 1) truncated at ±3. */
    public static Consumer<Tensor> embedding() {
        return t -> t.truncNormal_(0, 1, -3, 3);
    }

    public static Consumer<Tensor> ones() {
        return t -> t.fill_(1);
    }
}
