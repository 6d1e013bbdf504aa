package dev.jlm.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.config.ConfigException;
import dev.jlm.JlmException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A run's schedule ends where it says, and no schedule setting is accepted that would do nothing. Oracles: the closed
 * forms of WSD (Hägele et al. 2024, eq. 1: lr_max until N − D, then a linear decay that is lr_min at the last step) and of
 * the handout's cosine (lr_min at t = T_c), written out here, and the refusals' texts.
 */
class ScheduleTest {
    /** WSD over N steps (t = 0 … N − 1) with warm-up W and decay D, in closed form. */
    static double wsd(long t, long n, long w, long d, double max, double min) {
        long last = n - 1, start = last - d;
        if (t < w) return max * t / w;
        if (t <= start) return max;
        return max + (min - max) * (t - start) / d;
    }

    @ParameterizedTest(name = "steps {0}, warmup {1}, decay_steps {2}")
    @CsvSource({"10, 1, 3", "10, 0, 9", "7, 2, 1", "100, 5, 20", "1001, 50, 200", "30, 29, 0"})
    void aWsdRunEndsAtLrMinAtItsLastStep(long steps, long warmup, long decay) {
        var b = ScheduleConfig.builder().schedule(ScheduleConfig.Shape.WSD).lrMax(3e-3).lrMin(3e-5).warmup(warmup);
        if (decay == 0) {                                         // 0: the default decay; here warmup + decay cannot fit
            var e = assertThrows(ConfigException.class, () -> b.build().resolved(steps));
            assertEquals("need warmup (29) + decay_steps (1, its default) <= cosine_steps (29, its default)", e.getMessage());
            return;
        }
        ScheduleConfig c = b.decaySteps(decay).build().resolved(steps);
        for (long t = 0; t < steps; t++) assertEquals(wsd(t, steps, warmup, decay, 3e-3, 3e-5), c.lr(t), 1e-15, "t=" + t);
        assertEquals(3e-5, c.lr(steps - 1), 0, "the last step runs at lr_min");
        assertTrue(c.lr(steps - 2) > 3e-5, "lr_min first at the last step");
    }

    /** The handout's cosine: lr_min + ½(1 + cos(π (t − T_w)/(T_c − T_w)))(lr_max − lr_min); T_c defaults to the last step. */
    @ParameterizedTest(name = "steps {0}")
    @CsvSource({"10", "101", "5000"})
    void aCosineRunEndsAtLrMinAtItsLastStep(long steps) {
        ScheduleConfig c = ScheduleConfig.builder().lrMax(1e-3).lrMin(1e-4).build().resolved(steps);
        long w = Math.max(1, steps / 20), tc = steps - 1;
        for (long t = w; t < steps; t++) {
            double expected = 1e-4 + 0.5 * (1 + Math.cos(Math.PI * (t - w) / (tc - w))) * (1e-3 - 1e-4);
            assertEquals(expected, c.lr(t), 1e-15, "t=" + t);
        }
        assertEquals(1e-4, c.lr(steps - 1), 1e-18);
    }

    /** Each setting that would do nothing, or contradict another, is refused by name before the run (the CLI shows them as flags). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "lr_min above lr_max   | cosine | 1e-3 | 2e-3 |     |      |     | lr_min 0.002 is above lr_max 0.001",
            "decay_steps, cosine   | cosine | 1e-3 |      |     |      | 10  | decay_steps is a setting of schedule wsd; with schedule cosine it would do nothing",
            "warm-up past the run  | cosine | 1e-3 |      | 100 | 1000 |     | warmup 100 does not end inside the run: steps 100 end at t = 99",
            "warm-up past, wsd     | wsd    | 1e-3 |      | 150 |      | 10  | warmup 150 does not end inside the run: steps 100 end at t = 99",
            "decay past the end    | wsd    | 1e-3 |      | 10  |      | 90  | need warmup (10) + decay_steps (90) <= cosine_steps (99, its default)",
            "warm-up past the end  | cosine | 1e-3 |      | 60  | 50   |     | need warmup (60) <= cosine_steps (50)"})
    void settingsThatWouldDoNothingAreRefused(String what, String shape, double lrMax, Double lrMin, Long warmup, Long cosineSteps,
                                              Long decaySteps, String expected) {
        JlmException e = assertThrows(JlmException.class, () -> ScheduleConfig.builder().schedule(ScheduleConfig.Shape.valueOf(shape.toUpperCase()))
                .lrMax(lrMax).lrMin(lrMin).warmup(warmup).cosineSteps(cosineSteps).decaySteps(decaySteps).build().resolved(100));
        assertTrue(e.getMessage().startsWith(expected), what + ": " + e.getMessage());
        assertTrue(!e.settings().isEmpty(), "the settings are named, for the CLI to say them as flags");
    }

    /** decay_steps 0 is outside its domain: a wsd without decay would never reach lr_min. */
    @ParameterizedTest(name = "decay_steps {0}")
    @CsvSource({"0", "-1"})
    void aDecayOfZeroStepsIsOutsideTheDomain(long d) {
        var e = assertThrows(ConfigException.class, () -> ScheduleConfig.builder().schedule(ScheduleConfig.Shape.WSD).decaySteps(d).build());
        assertEquals("decay_steps must be > 0, got " + d, e.getMessage());
    }

    /** A schedule reaching beyond the run is allowed (a run to be continued): it stops before lr_min, at the closed form's value. */
    @ParameterizedTest(name = "cosine_steps {0}")
    @CsvSource({"200", "1000"})
    void aScheduleLongerThanTheRunIsTruncated(long end) {
        ScheduleConfig c = ScheduleConfig.builder().schedule(ScheduleConfig.Shape.WSD).lrMax(1).lrMin(0.1).warmup(10L).decaySteps(50L)
                .cosineSteps(end).build().resolved(100);
        assertEquals(1, c.lr(99), 0, "the run ends in the stable phase");
        assertEquals(1 - 0.9 * 49 / 50, c.resolved(end + 1).lr(end - 1), 1e-12);
    }
}
