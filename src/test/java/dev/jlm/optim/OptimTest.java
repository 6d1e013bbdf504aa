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

    /**
     * Oracle: torch.optim.AdamW's update written out per element in Java doubles (the textbook algorithm, no tensors):
     * the one-downcall multi-tensor step must agree with it on three parameters over 20 steps, atol 1e-6.
     */
    @Test
    void adamWMultiTensorStepEqualsTheUpdateElementByElement() {
        AdamWConfig c = AdamWConfig.builder().beta1(0.9).beta2(0.95).eps(1e-8).weightDecay(0.1).build();
        long[][] shapes = {{5, 7}, {13}, {4, 4, 3}};
        try (var run = TensorScope.open()) {
            Torch.manualSeed(3);
            Map<String, Tensor> params = new java.util.LinkedHashMap<>();
            double[][] p = new double[shapes.length][], m = new double[shapes.length][], v = new double[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                Tensor t = Torch.randn(shapes[i]).requiresGrad(true);
                params.put("p" + i, t);
                p[i] = toDoubles(t.detach().toFloatArray());
                m[i] = new double[p[i].length];
                v[i] = new double[p[i].length];
            }
            AdamW opt = new AdamW(params, c);
            for (int step = 1; step <= 20; step++) {
                double lr = 1e-2 * (1 + step % 3);
                try (var s = TensorScope.open()) {
                    int i = 0;
                    for (Tensor t : params.values()) {
                        Tensor g = Torch.randn(t.shape());
                        t.mul(g).sum().backward();                                   // grad = g
                        double[] gv = toDoubles(g.toFloatArray());
                        double bc1 = 1 - Math.pow(c.beta1(), step), bc2 = 1 - Math.pow(c.beta2(), step);
                        for (int j = 0; j < gv.length; j++) {
                            p[i][j] *= 1 - lr * c.weightDecay();
                            m[i][j] = c.beta1() * m[i][j] + (1 - c.beta1()) * gv[j];
                            v[i][j] = c.beta2() * v[i][j] + (1 - c.beta2()) * gv[j] * gv[j];
                            p[i][j] -= lr / bc1 * m[i][j] / (Math.sqrt(v[i][j]) / Math.sqrt(bc2) + c.eps());
                        }
                        i++;
                    }
                    opt.step(lr);
                    params.values().forEach(Tensor::clearGrad);
                }
            }
            int i = 0;
            for (Tensor t : params.values()) {
                assertAllClose(toFloats(p[i]), t.detach().toFloatArray(), 1e-6, 0);
                assertAllClose(toFloats(m[i]), opt.state().tensors().get("exp_avg.p" + i).toFloatArray(), 1e-6, 0);
                i++;
            }
            assertEquals(20, opt.stepCount());
        }
    }

    /** A step whose skip flag is set changes nothing, and does not count: the next step is the first update (t = 1). */
    @Test
    void aSkippedAdamWStepLeavesEverythingAsItWas() {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(5);
            Tensor a = Torch.randn(6).requiresGrad(true), b = a.detach().clone().requiresGrad(true);
            AdamW skipping = new AdamW(Map.of("w", a), AdamWConfig.DEFAULT), plain = new AdamW(Map.of("w", b), AdamWConfig.DEFAULT);
            float[] before = a.detach().toFloatArray();
            Tensor lr = Torch.full(1e-2, DType.FLOAT32, Device.CPU);
            a.mul(Torch.full(Float.NaN, DType.FLOAT32, Device.CPU, 6)).sum().backward();          // NaN gradients
            skipping.step(lr, Torch.full(1, DType.FLOAT32, Device.CPU));
            assertArrayEquals(before, a.detach().toFloatArray(), 0f);
            assertArrayEquals(new float[6], skipping.state().tensors().get("exp_avg.w").toFloatArray(), 0f);
            a.clearGrad();
            Tensor g = Torch.randn(6);
            a.mul(g).sum().backward();
            b.mul(g).sum().backward();
            skipping.step(lr, Torch.full(0, DType.FLOAT32, Device.CPU));
            plain.step(lr, null);
            assertArrayEquals(b.detach().toFloatArray(), a.detach().toFloatArray(), 0f);
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
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

    /**
     * Defaults from the run's length: warm-up a twentieth, the end at the last step (t = steps − 1 = 99), WSD's decay a fifth
     * of the steps after warm-up (floor(94 / 5) = 18, from t = 81); lr_min a tenth, reached at t = 99.
     */
    @Test
    void scheduleDefaultsComeFromTheRunsLength() {
        ScheduleConfig c = ScheduleConfig.builder().schedule(ScheduleConfig.Shape.WSD).lrMax(2e-3).build().resolved(100);
        assertEquals(5L, c.warmup());
        assertEquals(99L, c.cosineSteps());
        assertEquals(18L, c.decaySteps());
        assertEquals(2e-4, c.lrMin(), 1e-18);
        assertEquals(2e-3, c.lr(81), 0);                       // stable up to t = 81
        assertEquals(2e-3 - 1.8e-3 * 10 / 18, c.lr(91), 1e-15); // decaying
        assertEquals(2e-4, c.lr(99), 1e-18);                    // the run's last step
        var e = assertThrows(dev.jlm.JlmException.class, () -> ScheduleConfig.builder().schedule(ScheduleConfig.Shape.WSD).warmup(50L)
                .decaySteps(60L).build().resolved(100));
        assertEquals("need warmup (50) + decay_steps (60) <= cosine_steps (99, its default)", e.getMessage());
    }

    /** Oracle: closed form. Grads 3·1 (4 elems) and 4·1 (9 elems) → norm sqrt(36 + 144) = sqrt(180). */
    @Test
    void gradClipScalesByGlobalNormAndSkipsParamsWithoutGrad() {
        try (var run = TensorScope.open()) {
            Tensor a = Torch.ones(4).requiresGrad(true), b = Torch.ones(9).requiresGrad(true), c = Torch.ones(2).requiresGrad(true);
            a.mul(3).mul(a).div(2).sum().add(b.mul(4).sum()).backward();   // d/da = 3a = 3, d/db = 4
            double norm = GradClip.clip(List.of(a, b, c), 1.0).item();
            assertEquals(Math.sqrt(180), norm, 1e-5);
            double scale = 1.0 / (Math.sqrt(180) + 1e-6);
            assertArrayEquals(new float[] {(float) (3 * scale), (float) (3 * scale), (float) (3 * scale), (float) (3 * scale)},
                    a.grad().toFloatArray(), 1e-6f);
            assertEquals(4 * scale, b.grad().toFloatArray()[0], 1e-6);
            assertEquals(1.0, GradClip.clip(List.of(a, b), 100).item(), 1e-5); // the clipped norm is 1 (to ~1e-6)
            assertEquals(4 * scale, b.grad().toFloatArray()[0], 1e-6);   // below the max nothing changes
        }
    }
}
