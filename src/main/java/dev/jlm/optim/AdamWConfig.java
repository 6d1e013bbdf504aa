package dev.jlm.optim;

import dev.jlm.config.Doc;
import dev.jlm.config.Domain;
import dev.jlm.config.Domains;

/** AdamW hyperparameters (the learning rate comes from the schedule at each step). */
public record AdamWConfig(
        @Doc("AdamW first-moment decay β1") @Domain("in [0, 1)") double beta1,
        @Doc("AdamW second-moment decay β2") @Domain("in [0, 1)") double beta2,
        @Doc("AdamW ε") @Domain("> 0") double eps,
        @Doc("AdamW decoupled weight decay λ") @Domain(">= 0") double weightDecay) {
    public static final AdamWConfig DEFAULT = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private double beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weightDecay = 0.1;

        private Builder() {}

        public Builder beta1(double b) { beta1 = b; return this; }
        public Builder beta2(double b) { beta2 = b; return this; }
        public Builder eps(double e) { eps = e; return this; }
        public Builder weightDecay(double w) { weightDecay = w; return this; }

        public AdamWConfig build() {
            return Domains.require(new AdamWConfig(beta1, beta2, eps, weightDecay));
        }
    }
}
