package dev.jlm.optim;

/** The learning rate of each step t = 0, 1, … (the step being taken, 0-based). Which one a run uses: {@link ScheduleConfig}. */
public interface Schedule {
    double lr(long t);
}
