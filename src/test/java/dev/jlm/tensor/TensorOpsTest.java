package dev.jlm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.OpenScope;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Oracle: closed-form arithmetic on small hand-written inputs. */
@ExtendWith(OpenScope.class)
class TensorOpsTest {

    static Tensor t(float[] v, long... shape) {
        return Torch.fromArray(v, shape);
    }

    static long[] bits(Tensor bool) {
        return bool.to(DType.INT64).toLongArray();
    }

    @Test
    void creationAndMetadata() {
        Tensor z = Torch.zeros(DType.BFLOAT16, Device.CPU, 2, 3);
        assertArrayEquals(new long[] {2, 3}, z.shape());
        assertEquals(DType.BFLOAT16, z.dtype());
        assertEquals(Device.CPU, z.device());
        assertEquals(6, z.numel());
        assertArrayEquals(new float[] {1, 1, 1, 1}, Torch.ones(2, 2).toFloatArray());
        assertArrayEquals(new float[] {7, 7, 7}, Torch.full(7, DType.INT32, Device.CPU, 3).toFloatArray());
        assertArrayEquals(new long[] {0, 1, 2, 3}, Torch.arange(4).toLongArray());
        assertArrayEquals(new float[] {1f, 1.5f, 2f}, Torch.arange(1, 2.5, 0.5, DType.FLOAT32, Device.CPU).toFloatArray());
        for (DType d : DType.values()) assertEquals(d, Torch.zeros(d, Device.CPU, 1).dtype());
    }

    @Test
    void fromAndToMemorySegment() {
        try (Arena a = Arena.ofConfined()) {
            var seg = a.allocateFrom(ValueLayout.JAVA_LONG, 5, 6, 7, 8);
            Tensor x = Torch.fromSegment(seg, DType.INT64, Device.CPU, 2, 2);
            var out = a.allocate(32);
            x.add(x).copyTo(out);  // int64 + int64 stays int64 (x.mul(2.0) would promote to float)
            assertArrayEquals(new long[] {10, 12, 14, 16}, out.toArray(ValueLayout.JAVA_LONG));
        }
    }

    @Test
    void arithmeticAndMath() {
        Tensor a = t(new float[] {1, 4, 9, 16}, 4);
        Tensor b = t(new float[] {2, 2, 3, 4}, 4);
        assertArrayEquals(new float[] {3, 6, 12, 20}, a.add(b).toFloatArray());
        assertArrayEquals(new float[] {-1, 2, 6, 12}, a.sub(b).toFloatArray());
        assertArrayEquals(new float[] {2, 8, 27, 64}, a.mul(b).toFloatArray());
        assertArrayEquals(new float[] {0.5f, 2, 3, 4}, a.div(b).toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4}, a.sqrt().toFloatArray());
        assertArrayEquals(new float[] {1, 0.5f, 1f / 3, 0.25f}, a.rsqrt().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {1, 16, 81, 256}, a.pow(2).toFloatArray());
        assertArrayEquals(new float[] {1, 4, 9, 16}, a.mul(-1).abs().toFloatArray());
        Tensor z = t(new float[] {0, 1}, 2);
        assertArrayEquals(new float[] {1, (float) Math.E}, z.exp().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0, 1}, z.exp().log().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.5f, (float) (1 / (1 + Math.exp(-1)))}, z.sigmoid().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0, (float) Math.sin(1)}, z.sin().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {1, (float) Math.cos(1)}, z.cos().toFloatArray(), 1e-6f);
    }

    @Test
    void comparisonsWhereMasking() {
        Tensor a = t(new float[] {1, 5, 3}, 3);
        Tensor b = t(new float[] {2, 5, 1}, 3);
        Tensor above = a.gt(2.0);
        assertEquals(DType.BOOL, above.dtype());
        assertArrayEquals(new long[] {0, 1, 1}, above.to(DType.INT64).toLongArray());
        assertArrayEquals(new float[] {2, 5, 3}, Torch.where(above, a, b).toFloatArray());
        Tensor ones = Torch.ones(3, 3);
        assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 1, 1, 1}, ones.tril(0).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1, 1, 1, 1}, ones.tril(1).toFloatArray());
    }

    @Test
    void shapesAndViews() {
        Tensor x = Torch.arange(0, 24, 1, DType.FLOAT32, Device.CPU).view(2, 3, 4);
        assertArrayEquals(new long[] {2, 4, 3}, x.transpose(1, 2).shape());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9}, x.select(0, 0).transpose(0, 1).reshape(-1).narrow(0, 0, 6).toFloatArray());
        assertArrayEquals(new float[] {4, 5, 6, 7}, x.select(0, 0).narrow(0, 1, 1).reshape(-1).toFloatArray());
        assertArrayEquals(new float[] {1, 3, 5, 7}, x.reshape(-1).slice(0, 1, 8, 2).toFloatArray());
        assertArrayEquals(new long[] {1, 2, 3, 4}, x.unsqueeze(0).shape());
        assertArrayEquals(new long[] {2, 3, 4}, x.unsqueeze(0).squeeze(0).shape());
        Tensor idx = Torch.fromArray(new long[] {2, 0}, 2);
        assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3}, x.select(0, 0).indexSelect(0, idx).toFloatArray());
        Tensor g = Torch.fromArray(new long[] {3, 0}, 2, 1);
        assertArrayEquals(new float[] {3, 4}, x.select(0, 0).narrow(0, 0, 2).gather(1, g).toFloatArray());
        Tensor a = t(new float[] {1, 2}, 2), b = t(new float[] {3, 4}, 2);
        assertArrayEquals(new long[] {2, 2}, Torch.stack(0, a, b).shape());
        assertArrayEquals(new float[] {1, 3, 2, 4}, Torch.stack(1, a, b).reshape(-1).toFloatArray());
    }

    @Test
    void reductionsAndMatmul() {
        Tensor x = t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertEquals(21, x.sum().item());
        assertArrayEquals(new float[] {6, 15}, x.sum(1).toFloatArray());
        assertArrayEquals(new long[] {2, 1}, x.sum(true, 1).shape());
        assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f}, x.mean(0).toFloatArray());
        assertArrayEquals(new float[] {3, 6}, x.amax(false, 1).toFloatArray());
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertEquals(lse, x.logsumexp(false, 1).toFloatArray()[0], 1e-5);
        assertEquals(Math.sqrt(91), x.norm(2, false).item(), 1e-5);
        // (2,3) @ (3,2): closed form
        Tensor w = t(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertArrayEquals(new float[] {4, 5, 10, 11}, x.matmul(w).toFloatArray());
        // batched (2, 2, 3) @ (3, 2) broadcasts
        assertArrayEquals(new long[] {2, 2, 2}, Torch.stack(0, x, x).matmul(w).shape());
    }

    @Test
    void inPlaceOptimizerUpdates() {
        try (var g = NoGrad.enter()) {
            Tensor p = t(new float[] {1, 2}, 2);
            Tensor a = t(new float[] {2, 4}, 2);
            Tensor b = t(new float[] {1, 2}, 2);
            p.mul_(2);                        // 2, 4
            p.add_(a, 0.5);                   // 3, 6
            p.addcmul_(a, b, 1);              // 5, 14
            p.addcdiv_(a, b, -1);             // 3, 12
            p.lerp_(Torch.zeros(2), 0.5);     // 1.5, 6
            p.add_(1);                        // 2.5, 7
            p.mul_(b);                        // 2.5, 14
            assertArrayEquals(new float[] {2.5f, 14}, p.toFloatArray());
            p.copy_(a);
            assertArrayEquals(new float[] {2, 4}, p.toFloatArray());
            assertArrayEquals(new float[] {0, 0}, p.zero_().toFloatArray());
            assertArrayEquals(new float[] {3, 3}, p.fill_(3).toFloatArray());
        }
    }

    @Test
    void castsAndAutograd() {
        Tensor x = t(new float[] {1.7f, -2.2f}, 2);
        assertArrayEquals(new long[] {1, -2}, x.to(DType.INT64).toLongArray());
        assertEquals(DType.FLOAT16, x.to(DType.FLOAT16).dtype());
        Tensor w = t(new float[] {3, 4}, 2).requiresGrad(true);
        assertTrue(w.requiresGrad());
        assertNull(w.grad());
        Tensor loss = w.mul(w).sum();            // d/dw Σ w² = 2w
        loss.backward();
        assertArrayEquals(new float[] {6, 8}, w.grad().toFloatArray());
        assertFalse(w.detach().requiresGrad());
        w.clearGrad();
        assertNull(w.grad());
        try (var g = NoGrad.enter()) {
            assertFalse(w.mul(2).requiresGrad());
        }
        assertTrue(w.mul(2).requiresGrad());
    }

    @Test
    void threadsControl() {
        int before = Torch.numThreads();
        Torch.setNumThreads(1);
        assertEquals(1, Torch.numThreads());
        Torch.setNumThreads(before);
        assertEquals(before, Torch.numThreads());
    }

    /** Oracle: hand-computed results (what torch.cumsum, torch.sort(stable=True), index_copy_ and torch.lt give). */
    @Test
    void runningSumsSortingAndIndexedCopies() {
        Tensor x = t(new float[] {1, 3, 2, 3, 0}, 5);
        assertArrayEquals(new float[] {1, 4, 6, 9, 9}, x.cumsum(0).toFloatArray());
        assertArrayEquals(new long[] {1, 3, 2, 0, 4}, x.argsort(0, true).toLongArray());    // tie 3, 3: lower index first
        assertArrayEquals(new long[] {4, 0, 2, 1, 3}, x.argsort(0, false).toLongArray());
        Tensor y = t(new float[] {2, 3, 1, 4, 0}, 5);
        assertArrayEquals(new long[] {1, 0, 0, 1, 0}, bits(x.lt(y)));
        assertArrayEquals(new long[] {1, 1, 0, 1, 1}, bits(x.le(y)));
        assertArrayEquals(new long[] {0, 1, 0, 0, 1}, bits(x.eq(y)));
        assertArrayEquals(new long[] {0, 0, 1, 0, 0}, bits(x.gt(y)));
        assertArrayEquals(new long[] {1, 0, 1, 0, 1}, bits(x.le(2)));
        Tensor cache = Torch.zeros(DType.FLOAT32, Device.CPU, 2, 4);
        cache.indexCopy_(1, Torch.fromArray(new long[] {2}, 1), t(new float[] {7, 8}, 2, 1));   // column 2 ← (7, 8)
        assertArrayEquals(new float[] {0, 0, 7, 0, 0, 0, 8, 0}, cache.toFloatArray());
    }
}
