package dev.jlm.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** numpy.testing.assert_allclose for float arrays. */
public final class Close {
    private Close() {}

    public static void assertAllClose(float[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) fail("length " + actual.length + " != expected " + expected.length);
        int bad = 0;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            double tol = atol + rtol * Math.abs(expected[i]);
            if (!(diff <= tol)) {
                bad++;
                if (!(diff <= worst)) {
                    worst = diff;
                    worstAt = i;
                }
            }
        }
        if (bad > 0) {
            fail(bad + " of " + expected.length + " elements differ; worst at " + worstAt + ": expected "
                    + expected[worstAt] + " got " + actual[worstAt] + " (|diff| " + worst + ")");
        }
    }

    public static void assertShape(long[] expected, long[] actual) {
        assertArrayEquals(expected, actual, "shape");
    }
}
