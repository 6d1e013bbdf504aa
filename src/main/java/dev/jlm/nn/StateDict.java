package dev.jlm.nn;

import dev.jlm.JlmException;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/** Copying a state dict into live tensors by name: the one rule {@link Module#loadStateDict} and module checkpoints share. */
public final class StateDict {
    private StateDict() {}

    /**
     * Copies {@code from} into {@code into} by name, under no-grad. Every check runs before any copy, so a refused load
     * changes nothing; messages start with {@code source} (a file, or "state dict"). Shapes must match; {@code strict}:
     * the two maps' names must be the same set.
     */
    public static void load(Map<String, Tensor> into, Map<String, Tensor> from, boolean strict, String source) {
        for (var e : into.entrySet()) {
            Tensor src = from.get(e.getKey());
            if (src == null) {
                if (strict) throw new JlmException(source + ": tensor " + e.getKey() + " is missing");
                continue;
            }
            if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                throw new JlmException(source + ": tensor " + e.getKey() + " has shape " + Arrays.toString(src.shape())
                        + " but the module expects " + Arrays.toString(e.getValue().shape()));
            }
        }
        if (strict) {
            for (String name : from.keySet()) {
                if (!into.containsKey(name)) throw new JlmException(source + ": unexpected tensor " + name + " (the module has no such parameter)");
            }
        }
        try (var g = NoGrad.enter()) {
            for (var e : into.entrySet()) {
                Tensor src = from.get(e.getKey());
                if (src != null) e.getValue().copy_(src);
            }
        }
    }
}
