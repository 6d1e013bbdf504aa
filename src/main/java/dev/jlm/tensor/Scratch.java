package dev.jlm.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Per-thread native scratch for the arguments of one downcall (shape arrays, out-slots, handle lists),
 * so the hot path allocates nothing. Valid only until the next call on the same thread.
 */
final class Scratch {
    private static final long DIMS = 0, OUT = 1024, HANDLES = 2048, SIZE = 16384;
    private static final ThreadLocal<MemorySegment> SEGMENT =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SIZE, 16));

    private Scratch() {}

    /** int64_t[] with these values (at most 128). */
    static MemorySegment longs(long... values) {
        if (values.length > 128) return Arena.ofAuto().allocateFrom(ValueLayout.JAVA_LONG, values);
        MemorySegment s = SEGMENT.get().asSlice(DIMS, 8L * Math.max(values.length, 1));
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_LONG, 0, values.length);
        return s;
    }

    /** An 8-byte out-slot (double, int64 or pointer), zeroed. */
    static MemorySegment out() {
        MemorySegment s = SEGMENT.get().asSlice(OUT, 64);
        s.set(ValueLayout.JAVA_LONG, 0, 0L);
        return s;
    }

    /** jlm_tensor[] of these raw handles. */
    static MemorySegment handles(MemorySegment[] hs, int n) {
        MemorySegment s = n <= (SIZE - HANDLES) / 8
                ? SEGMENT.get().asSlice(HANDLES, 8L * Math.max(n, 1))
                : Arena.ofAuto().allocate(ValueLayout.ADDRESS, n);
        for (int i = 0; i < n; i++) s.setAtIndex(ValueLayout.ADDRESS, i, hs[i]);
        return s;
    }
}
