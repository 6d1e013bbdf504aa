package dev.jlm.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resource accounting of the CS336 handout for a model and a batch: parameter count, memory of parameters,
 * gradients, AdamW state and activations, and forward FLOPs by component (matrix multiplies, 2·m·n·k each).
 * A training step costs about 3× the forward FLOPs (backward ≈ 2× forward).
 */
public record Accounting(ModelConfig c, long batch) {
    /**
     * Parameters of the model this config builds, from its modules' own declarations (TransformerLm.parameterShapes):
     * those of one and two layers give the per-layer count, so any depth costs the same to count.
     */
    public long params() {
        try {
            long one = count(c.toBuilder().numLayers(1).build()), two = count(c.toBuilder().numLayers(2).build());
            return Math.addExact(one, Math.multiplyExact(c.numLayers() - 1L, two - one));
        } catch (ArithmeticException overflow) {
            throw new dev.jlm.JlmException("the model of vocab_size " + c.vocabSize() + ", d_model " + c.dModel() + ", d_ff " + c.dFf() + " and num_layers "
                    + c.numLayers() + " has more than 2^63 parameters").naming("vocab_size", "d_model", "d_ff", "num_layers");
        }
    }

    private static long count(ModelConfig c) {
        long n = 0;
        for (long[] shape : TransformerLm.parameterShapes(c).values()) {
            long e = 1;
            for (long d : shape) e = Math.multiplyExact(e, d);
            n = Math.addExact(n, e);
        }
        return n;
    }

    /** Forward FLOPs by component, summed over layers. */
    public Map<String, Double> forwardFlops() {
        double b = batch, t = c.contextLength(), d = c.dModel(), f = c.dFf(), v = c.vocabSize(), l = c.numLayers();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("attention q,k,v projections", l * 3 * 2 * b * t * d * d);
        m.put("attention scores Q·Kᵀ", l * 2 * b * t * t * d);
        m.put("attention weighted sum A·V", l * 2 * b * t * t * d);
        m.put("attention output projection", l * 2 * b * t * d * d);
        m.put("feed-forward (" + c.ffn().name().toLowerCase() + ")", l * (c.ffn() == ModelConfig.Ffn.SWIGLU ? 3 : 2) * 2 * b * t * d * f);
        m.put("lm_head", 2 * b * t * d * v);
        return m;
    }

    public double totalForwardFlops() {
        return forwardFlops().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Activations kept for backward, in float32 elements (the handout's accounting). */
    public double activationElements() {
        double b = batch, t = c.contextLength(), d = c.dModel(), f = c.dFf(), v = c.vocabSize(), h = c.numHeads();
        double perLayer = 2 * b * t * d            // two RMSNorms
                + 3 * b * t * d                     // q, k, v
                + 2 * b * h * t * t                 // scores and softmax
                + 2 * b * t * d                     // weighted sum, output projection
                + (c.ffn() == ModelConfig.Ffn.SWIGLU ? 3 : 2) * b * t * f + b * t * d;  // w1 (w3), silu, w2
        return c.numLayers() * perLayer + b * t * d + 2 * b * t * v;   // final norm, logits, cross-entropy
    }

    /** Memory in bytes, float32: parameters, gradients, AdamW moments (2×), activations. */
    public Map<String, Double> memoryBytes() {
        Map<String, Double> m = new LinkedHashMap<>();
        double p = params() * 4.0;
        m.put("parameters", p);
        m.put("gradients", p);
        m.put("AdamW state (m, v)", 2 * p);
        m.put("activations (batch " + batch + ")", activationElements() * 4);
        return m;
    }
}
