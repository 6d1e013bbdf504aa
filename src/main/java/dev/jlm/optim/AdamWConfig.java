package dev.jlm.optim;

import dev.jlm.JlmException;

/** AdamW hyperparameters (the learning rate comes from the schedule at each step). */
public record AdamWConfig(double beta1, double beta2, double eps, double weightDecay) {
    public static final AdamWConfig DEFAULT = new AdamWConfig(0.9, 0.95, 1e-8, 0.1);

    public AdamWConfig {
        if (!(beta1 >= 0 && beta1 < 1)) throw new JlmException("--beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new JlmException("--beta2 must be in [0, 1), got " + beta2);
        if (!(eps > 0)) throw new JlmException("--eps must be positive, got " + eps);
        if (!(weightDecay >= 0)) throw new JlmException("--weight-decay must be >= 0, got " + weightDecay);
    }
}
