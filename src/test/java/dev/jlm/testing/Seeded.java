package dev.jlm.testing;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Generated test inputs from a fixed seed (what a property test needs, in plain JUnit 5): the same cases on every
 * run, each reproducible from the seed its display name shows. A case is a seed; the test draws its input from it.
 */
public final class Seeded {
    private Seeded() {}

    /** {@code n} case seeds drawn from {@code seed}. */
    public static LongStream seeds(long seed, int n) {
        return new SplittableRandom(seed).longs(n);
    }

    public static <T> T pick(SplittableRandom r, List<T> xs) {
        return xs.get(r.nextInt(xs.size()));
    }

    /** A string of 1..max characters drawn from {@code alphabet}. */
    public static String string(SplittableRandom r, String alphabet, int max) {
        StringBuilder s = new StringBuilder();
        for (int i = 1 + r.nextInt(max); i > 0; i--) s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return s.toString();
    }
}
