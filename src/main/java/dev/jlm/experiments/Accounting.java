package dev.jlm.experiments;

import dev.jlm.nn.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resource accounting of the CS336 handout for a model and a batch: parameter count, memory of parameters,
 * gradients, AdamW state and activations, and forward FLOPs by component (matrix multiplies, 2·m·n·k each).
 * A training step costs about 3× the forward FLOPs (backward ≈ 2× forward).
 */
public record Accounting(ModelConfig c, long batch) {
    public long params() {
        long d = c.dModel(), f = c.dFf(), v = c.vocabSize();
        long norms = c.norm() == ModelConfig.Norm.NONE ? 0 : 2 * d;
        long ffn = (c.ffn() == ModelConfig.Ffn.SWIGLU ? 3 : 2) * d * f;
        long perLayer = 4 * d * d + ffn + norms;
        return v * d + c.numLayers() * perLayer + (c.norm() == ModelConfig.Norm.NONE ? 0 : d) + v * d;
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
