package dev.jlm.optim;

/** The handout's schedule: linear warm-up to lrMax, cosine annealing to lrMin at cosineSteps, then lrMin. */
public record CosineSchedule(double lrMax, double lrMin, long warmup, long cosineSteps) implements Schedule {
    @Override
    public double lr(long t) {
        if (t < warmup) return t * lrMax / warmup;                              // 1) linear warm-up
        if (t <= cosineSteps) {                                                 // 2) cosine annealing
            if (cosineSteps == warmup) return lrMax;
            double progress = (double) (t - warmup) / (cosineSteps - warmup);
            return lrMin + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lrMax - lrMin);
        }
        return lrMin;                                                           // 3) post-annealing floor
    }
}
