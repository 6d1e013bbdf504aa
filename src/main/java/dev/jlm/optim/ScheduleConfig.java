package dev.jlm.optim;

import dev.jlm.config.ConfigException;
import dev.jlm.config.Doc;
import dev.jlm.config.Domain;
import dev.jlm.config.Domains;

/**
 * Which learning-rate schedule a run follows, and its settings (each a flag and a config key). Steps are the handout's
 * t, counted from 0: metrics.jsonl's step s runs at t = s − 1, so a run of N steps ends at t = N − 1, where by default
 * both schedules reach lr_min. The optional settings (null) take defaults from the run's length: {@link #resolved}.
 * Add a schedule: a {@link Schedule} and a constant of {@link Shape} that makes it.
 */
public record ScheduleConfig(
        @Doc("learning-rate schedule: cosine (warm-up, cosine down to lr_min) or wsd (warm-up, stable at lr_max, linear decay"
                + " to lr_min over the last decay_steps)") Shape schedule,
        @Doc("peak learning rate, reached after warm-up") @Domain("> 0") double lrMax,
        @Doc("final learning rate, at most lr_max (default: a tenth of the peak)") @Domain(">= 0") Double lrMin,
        @Doc("linear warm-up steps: lr_max at step t = warmup, which must lie in the run (default: a twentieth of the run)")
        @Domain(">= 0") Long warmup,
        @Doc("the step t (from 0) where the schedule reaches lr_min; beyond the run's last, the run stops before it (default:"
                + " the run's last step, steps - 1)") @Domain("> 0") Long cosineSteps,
        @Doc("wsd only: steps of the final linear decay, which ends at lr_min at cosine_steps (default: a fifth of the steps"
                + " after warm-up, at least 1)") @Domain("> 0") Long decaySteps) implements Schedule {

    public enum Shape {
        COSINE, WSD;

        Schedule of(ScheduleConfig c) {
            return switch (this) {
                case COSINE -> new CosineSchedule(c.lrMax, c.lrMin, c.warmup, c.cosineSteps);
                case WSD -> new WsdSchedule(c.lrMax, c.lrMin, c.warmup, c.decaySteps, c.cosineSteps);
            };
        }
    }

    /**
     * Relations between the settings given (each one's own range is its @Domain, checked by the builder: a value outside it
     * is reported as that, not as a relation): none of them may do nothing.
     */
    public ScheduleConfig {
        if (lrMin != null && lrMax > 0 && lrMin > lrMax) {
            throw new ConfigException("lr_min " + Domains.shown(lrMin) + " is above lr_max " + Domains.shown(lrMax) + ": the schedule falls from"
                    + " lr_max to lr_min").naming("lr_min", "lr_max");
        }
        if (schedule == Shape.COSINE && decaySteps != null && decaySteps > 0) {
            throw new ConfigException("decay_steps is a setting of schedule wsd; with schedule cosine it would do nothing")
                    .naming("decay_steps", "schedule");
        }
    }

    /**
     * This schedule for a run of {@code steps} steps (t = 0 … steps − 1): every default filled in, the phases checked to
     * fit. The warm-up must end inside the run (else lr_max is never reached); cosine_steps may lie beyond it (a run to be
     * continued later stops before lr_min).
     */
    public ScheduleConfig resolved(long steps) {
        long last = steps - 1;
        long end = cosineSteps != null ? cosineSteps : last;
        long warm = warmup != null ? warmup : Math.min(end, Math.max(1, steps / 20));
        if (warm > last) {
            throw new ConfigException("warmup " + warm + " does not end inside the run: steps " + steps + " end at t = " + last
                    + ", before the warm-up reaches the peak learning rate (at t = warmup)").naming("warmup", "steps");
        }
        if (warm > end) {
            throw new ConfigException("need warmup (" + warm + given(warmup) + ") <= cosine_steps (" + end + given(cosineSteps) + ")")
                    .naming("warmup", "cosine_steps");
        }
        Long decay = null;
        if (schedule == Shape.WSD) {
            decay = decaySteps != null ? decaySteps : Math.max(1, (end - warm) / 5);
            if (warm + decay > end) {
                throw new ConfigException("need warmup (" + warm + given(warmup) + ") + decay_steps (" + decay + given(decaySteps)
                        + ") <= cosine_steps (" + end + given(cosineSteps) + ")")
                        .naming("warmup", "decay_steps", "cosine_steps");
            }
        }
        return new ScheduleConfig(schedule, lrMax, lrMin != null ? lrMin : lrMax / 10, warm, end, decay);
    }

    /** Marks a value in a message as a default (derived from the run's length) when the setting was not given. */
    private static String given(Long setting) {
        return setting == null ? ", its default" : "";
    }

    /** The learning rate at step t; only on a {@link #resolved} schedule. */
    @Override
    public double lr(long t) {
        if (lrMin == null || warmup == null || cosineSteps == null || (schedule == Shape.WSD && decaySteps == null)) throw new IllegalStateException("unresolved schedule " + this);
        return schedule.of(this).lr(t);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Shape schedule = Shape.COSINE;
        private double lrMax = 1e-3;
        private Double lrMin;
        private Long warmup, cosineSteps, decaySteps;

        private Builder() {}

        public Builder schedule(Shape s) { schedule = s; return this; }
        public Builder lrMax(double lr) { lrMax = lr; return this; }
        public Builder lrMin(Double lr) { lrMin = lr; return this; }
        public Builder warmup(Long steps) { warmup = steps; return this; }
        public Builder cosineSteps(Long steps) { cosineSteps = steps; return this; }
        public Builder decaySteps(Long steps) { decaySteps = steps; return this; }

        public ScheduleConfig build() {
            return Domains.require(new ScheduleConfig(schedule, lrMax, lrMin, warmup, cosineSteps, decaySteps));
        }
    }
}
