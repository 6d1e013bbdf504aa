package dev.jlm.optim;

/**
 * Warmup-stable-decay (MiniCPM, Hu et al. 2024; Hägele et al. 2024): linear warm-up to lrMax at t = warmup, lrMax
 * until t = end − decaySteps, a linear decay over decaySteps steps that reaches lrMin at t = end (a run's last step by
 * default), then lrMin. A run can be extended from any step of its stable phase, which a cosine's length forbids.
 */
public record WsdSchedule(double lrMax, double lrMin, long warmup, long decaySteps, long end) implements Schedule {
    @Override
    public double lr(long t) {
        long decayStart = end - decaySteps;
        if (t < warmup) return t * lrMax / warmup;                              // 1) linear warm-up
        if (t < decayStart) return lrMax;                                       // 2) stable
        if (t < end) return lrMax - (lrMax - lrMin) * (t - decayStart) / decaySteps;  // 3) linear decay
        return lrMin;                                                           // 4) floor
    }
}
