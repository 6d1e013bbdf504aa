package dev.jlm.data;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** inputs and next-token targets, both (B, T) int64 on the training device. */
public record Batch(Tensor inputs, Tensor targets) {
    /** The windows of {@code data} starting at these offsets: tokens s..s+T−1 and, as targets, s+1..s+T; in the current scope. */
    public static Batch windows(TokenFile data, int context, Device device, long... starts) {
        int w = context + 1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8L * starts.length * w, 8);
            for (int b = 0; b < starts.length; b++) data.copyAsLongs(starts[b], w, buf, (long) b * w);
            Tensor all = Torch.fromSegment(buf, DType.INT64, device, starts.length, w);   // (B, T+1)
            return new Batch(all.narrow(1, 0, context), all.narrow(1, 1, context));
        }
    }
}
