package dev.jlm.optim;

import dev.jlm.config.ConfigException;
import dev.jlm.config.Doc;
import dev.jlm.config.Domain;
import dev.jlm.config.Domains;

/**
 * Which learning-rate schedule a run follows, and its settings (each a flag and a config key). The optional ones
 * (null) take defaults from the run's length: {@link #resolved}. Add a schedule: a {@link Schedule} and a constant of
 * {@link Shape} that makes it.
 */
public record ScheduleConfig(
        @Doc("learning-rate schedule: cosine (warm-up, cosine down to lr_min) or wsd (warm-up, stable at lr_max, linear decay"
                + " to lr_min over the last decay_steps)") Shape schedule,
        @Doc("peak learning rate, reached after warm-up") @Domain("> 0") double lrMax,
        @Doc("final learning rate (default: a tenth of the peak)") @Domain(">= 0") Double lrMin,
        @Doc("linear warm-up steps (default: a twentieth of the run)") @Domain(">= 0") Long warmup,
        @Doc("the step where the schedule reaches lr_min (default: the run's last step)") @Domain("> 0") Long cosineSteps,
        @Doc("wsd: steps of the final decay (default: a fifth of the schedule)") @Domain(">= 0") Long decaySteps) implements Schedule {

    public enum Shape {
        COSINE, WSD;

        Schedule of(ScheduleConfig c) {
            return switch (this) {
                case COSINE -> new CosineSchedule(c.lrMax, c.lrMin, c.warmup, c.cosineSteps);
                case WSD -> new WsdSchedule(c.lrMax, c.lrMin, c.warmup, c.decaySteps, c.cosineSteps);
            };
        }
    }

    /** This schedule for a run of {@code steps} steps: every default filled in, the phases checked to fit. */
    public ScheduleConfig resolved(long steps) {
        long end = cosineSteps != null ? cosineSteps : steps;
        long warm = warmup != null ? warmup : Math.min(end, Math.max(1, steps / 20));
        long decay = decaySteps != null ? decaySteps : (end - warm) / 5;
        if (warm > end) throw new ConfigException("need warmup (" + warm + ") <= cosine_steps (" + end + ")").naming("warmup", "cosine_steps");
        if (schedule == Shape.WSD && warm + decay > end) {
            throw new ConfigException("need warmup (" + warm + ") + decay_steps (" + decay + ") <= cosine_steps (" + end + ")")
                    .naming("warmup", "decay_steps", "cosine_steps");
        }
        return new ScheduleConfig(schedule, lrMax, lrMin != null ? lrMin : lrMax / 10, warm, end, decay);
    }

    /** The learning rate at step t; only on a {@link #resolved} schedule. */
    @Override
    public double lr(long t) {
        if (lrMin == null || warmup == null || cosineSteps == null || decaySteps == null) throw new IllegalStateException("unresolved schedule " + this);
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
