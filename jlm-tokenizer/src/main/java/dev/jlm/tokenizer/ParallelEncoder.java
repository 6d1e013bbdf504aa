package dev.jlm.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Future;

/**
 * Encodes a UTF-8 file on several threads and hands the ids on in file order, so the output is identical for
 * any thread count. Blocks come from {@link SafeChunks}; each thread encodes with its own tokenizer copy (cache).
 */
public final class ParallelEncoder {
    public interface Sink {
        void accept(int[] ids, long bytesDone) throws IOException;
    }

    static final int BLOCK = 1 << 20;
    private final Tokenizer tokenizer;
    private final int threads;

    private final int blockSize;

    public ParallelEncoder(Tokenizer tokenizer, int threads) {
        this(tokenizer, threads, BLOCK);
    }

    ParallelEncoder(Tokenizer tokenizer, int threads, int blockSize) {
        this.tokenizer = tokenizer;
        this.threads = Math.max(1, threads);
        this.blockSize = blockSize;
    }

    public void encode(Path file, Sink sink) throws IOException {
        ThreadLocal<Tokenizer> local = ThreadLocal.withInitial(tokenizer::copy);
        SafeChunks chunks = new SafeChunks(tokenizer.model().specials(), blockSize);
        String name = file.toString();
        try (Futures.Pool pool = new Futures.Pool(threads, "jlm-encode")) {
            ArrayDeque<Future<int[]>> inFlight = new ArrayDeque<>();
            ArrayDeque<Long> ends = new ArrayDeque<>();
            chunks.forEach(file, c -> {
                inFlight.add(pool.submit(() -> {
                    return local.get().encode(c.text(name));
                }));
                ends.add(c.offset() + c.length());
                while (inFlight.size() > 2 * threads) sink.accept(Futures.join(inFlight.poll()), ends.poll());
            });
            while (!inFlight.isEmpty()) sink.accept(Futures.join(inFlight.poll()), ends.poll());
        }
    }
}
