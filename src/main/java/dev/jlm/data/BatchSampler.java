package dev.jlm.data;

import dev.jlm.JlmException;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Torch;

/**
 * CS336's get_batch: B windows with start offsets uniform over all valid starts 0..n−T−1; inputs are tokens
 * [s, s+T), targets [s+1, s+T+1). The sampler's RNG (SplitMix64) is a single long, saved in checkpoints, so a
 * resumed run draws the same batches as an uninterrupted one.
 */
public final class BatchSampler {
    private final TokenFile data;
    private final int batchSize, context;
    private final Device device;
    private long state;

    public BatchSampler(TokenFile data, int batchSize, int context, Device device, long seed) {
        if (data.length() < context + 1L) {
            throw new JlmException(data.source() + ": " + data.length() + " tokens is shorter than context_length + 1 = " + (context + 1)).naming("context_length");
        }
        Torch.requireDevice(device);
        this.data = data;
        this.batchSize = batchSize;
        this.context = context;
        this.device = device;
        this.state = seed;
    }

    public long rngState() {
        return state;
    }

    public void setRngState(long s) {
        state = s;
    }

    private long nextLong() { // SplitMix64
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound) without modulo bias. */
    long nextBelow(long bound) {
        long r, m = bound - 1;
        do {
            r = nextLong() >>> 1;
        } while (r - (r % bound) + m < 0);
        return r % bound;
    }

    /** The next batch, in the current TensorScope. */
    public Batch next() {
        return at(nextStarts());
    }

    /**
     * The start offsets of the next batch (B of them). A data-parallel job draws the whole global batch on every rank
     * from the same stream and each rank takes its slice, so any world size sees the same windows.
     */
    public long[] nextStarts() {
        long starts = data.length() - context;          // valid starts 0..n-T-1
        long[] s = new long[batchSize];
        for (int b = 0; b < batchSize; b++) s[b] = nextBelow(starts);
        return s;
    }

    /** The batch whose windows start at these offsets. */
    public Batch at(long... starts) {
        return Batch.windows(data, context, device, starts);
    }

    /** The batch of {@code count} windows starting at {@code starts[from..from+count)}: a rank's or micro-batch's share. */
    public Batch at(long[] starts, int from, int count) {
        return at(java.util.Arrays.copyOfRange(starts, from, from + count));
    }
}
