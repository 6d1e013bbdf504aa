package dev.jlm.optim;

import static dev.jlm.testing.Close.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.Npz;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimTest {
    /** Oracle: the official test_adamw snapshot (torch.optim.AdamW on the seed-42 Linear(3, 2) problem, 1000 steps). */
    @Test
    void adamWMatchesOfficialSnapshot() {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(42);
            double bound = 1 / Math.sqrt(3);                 // nn.Linear(3, 2, bias=False): kaiming_uniform_(a=√5)
            Tensor w = Torch.empty(DType.FLOAT32, Device.CPU, 2, 3);
            try (var g = NoGrad.enter()) {
                w.uniform_(-bound, bound);
            }
            w.requiresGrad(true);
            AdamW opt = new AdamW(Map.of("weight", w), AdamWConfig.builder().beta1(0.9).beta2(0.999).eps(1e-8).weightDecay(0.01).build());
            for (int i = 0; i < 1000; i++) {
                try (var s = TensorScope.open()) {
                    w.clearGrad();
                    Tensor x = Torch.rand(DType.FLOAT32, Device.CPU, 3);
                    float[] xv = x.toFloatArray();
                    Tensor yHat = w.matmul(x);
                    Tensor y = Torch.fromArray(new float[] {xv[0] + xv[1], -xv[2]}, 2);
                    y.sub(yHat).pow(2).sum().backward();
                    opt.step(1e-3);
                }
            }
            assertAllClose(Npz.array("/snapshots/test_adamw.npz").data(), w.detach().toFloatArray(), 1e-4, 0);
        }
    }

    /** Oracle: the official test_get_lr_cosine_schedule expected values (closed form). */
    @Test
    void cosineScheduleMatchesOfficialValues() {
        double[] expected = {0, 0.14285714285714285, 0.2857142857142857, 0.42857142857142855, 0.5714285714285714,
                0.7142857142857143, 0.8571428571428571, 1.0, 0.9887175604818206, 0.9554359905560885, 0.9018241671106134,
                0.8305704108364301, 0.7452476826029011, 0.6501344202803389, 0.55, 0.44986557971966115, 0.3547523173970989,
                0.26942958916356996, 0.19817583288938662, 0.14456400944391146, 0.11128243951817937, 0.1, 0.1, 0.1, 0.1};
        Schedule s = ScheduleConfig.builder().lrMax(1).lrMin(0.1).warmup(7L).cosineSteps(21L).build().resolved(25);
        for (int t = 0; t < expected.length; t++) assertEquals(expected[t], s.lr(t), 1e-12, "t=" + t);
    }

    /**
     * Oracle: closed form of warmup-stable-decay with lr_max 1, lr_min 0.1, 4 warm-up steps and a 5-step linear decay
     * that ends at step 20: t/4 up to step 4, 1 until step 15, then 1 − 0.9·(t − 15)/5, and 0.1 from step 20 on.
     */
    @Test
    void wsdScheduleMatchesItsClosedForm() {
        Schedule s = ScheduleConfig.builder().schedule(ScheduleConfig.Shape.WSD).lrMax(1).lrMin(0.1).warmup(4L).decaySteps(5L).cosineSteps(20L)
                .build().resolved(30);
        long[] t = {0, 2, 4, 10, 14, 15, 16, 17, 19, 20, 25};
        double[] expected = {0, 0.5, 1, 1, 1, 1, 0.82, 0.64, 0.28, 0.1, 0.1};
        for (int i = 0; i < t.length; i++) assertEquals(expected[i], s.lr(t[i]), 1e-12, "t=" + t[i]);
    }

    /** Defaults from the run's length: warm-up a twentieth, the end at the last step, WSD's decay a fifth of the rest; lr_min a tenth. */
    @Test
    void scheduleDefaultsComeFromTheRunsLength() {
        ScheduleConfig c = ScheduleConfig.builder().schedule(ScheduleConfig.Shape.WSD).lrMax(2e-3).build().resolved(100);
        assertEquals(5L, c.warmup());
        assertEquals(100L, c.cosineSteps());
        assertEquals(19L, c.decaySteps());
        assertEquals(2e-4, c.lrMin(), 1e-18);
        assertEquals(2e-3, c.lr(80), 0);                       // stable until step 81
        assertEquals(2e-3 - 1.8e-3 * 10 / 19, c.lr(91), 1e-15); // decaying
        var e = assertThrows(dev.jlm.JlmException.class, () -> ScheduleConfig.builder().schedule(ScheduleConfig.Shape.WSD).warmup(50L)
                .decaySteps(60L).build().resolved(100));
        assertEquals("need warmup (50) + decay_steps (60) <= cosine_steps (100)", e.getMessage());
    }

    /** Oracle: closed form. Grads 3·1 (4 elems) and 4·1 (9 elems) → norm sqrt(36 + 144) = sqrt(180). */
    @Test
    void gradClipScalesByGlobalNormAndSkipsParamsWithoutGrad() {
        try (var run = TensorScope.open()) {
            Tensor a = Torch.ones(4).requiresGrad(true), b = Torch.ones(9).requiresGrad(true), c = Torch.ones(2).requiresGrad(true);
            a.mul(3).mul(a).div(2).sum().add(b.mul(4).sum()).backward();   // d/da = 3a = 3, d/db = 4
            double norm = GradClip.clip(List.of(a, b, c), 1.0);
            assertEquals(Math.sqrt(180), norm, 1e-5);
            double scale = 1.0 / (Math.sqrt(180) + 1e-6);
            assertArrayEquals(new float[] {(float) (3 * scale), (float) (3 * scale), (float) (3 * scale), (float) (3 * scale)},
                    a.grad().toFloatArray(), 1e-6f);
            assertEquals(4 * scale, b.grad().toFloatArray()[0], 1e-6);
            assertEquals(1.0, GradClip.clip(List.of(a, b), 100), 1e-5); // the clipped norm is 1 (to ~1e-6)
            assertEquals(4 * scale, b.grad().toFloatArray()[0], 1e-6);   // below the max nothing changes
        }
    }
}
