package dev.jlm.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;

/**
 * Streams corpus files and counts distinct pre-tokens in parallel, block by block ({@link SafeChunks}), so
 * counts do not depend on the block size or thread count. Memory is bounded by the
 * number of distinct pre-tokens plus a few blocks in flight. Invalid UTF-8 is an error naming the byte offset.
 */
public final class PreTokenCounter {
    static final int BLOCK = 4 << 20;

    private final SpecialTokens specials;
    private final int threads;

    private final int blockSize;

    public PreTokenCounter(List<String> specialTokens, int threads) {
        this(specialTokens, threads, BLOCK);
    }

    PreTokenCounter(List<String> specialTokens, int threads, int blockSize) {
        this.specials = new SpecialTokens(specialTokens);
        this.threads = Math.max(1, threads);
        this.blockSize = blockSize;
    }

    /** Counts of each pre-token (as a String) over all files. {@code progress} receives bytes consumed. */
    public Map<String, int[]> count(List<Path> files, LongConsumer progress) throws IOException {
        Map<String, int[]> total = new HashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "jlm-pretokenize");
            t.setDaemon(true);
            return t;
        })) {
            ArrayDeque<Future<Map<String, int[]>>> inFlight = new ArrayDeque<>();
            SafeChunks chunks = new SafeChunks(specials.list(), blockSize);
            for (Path file : files) {
                String name = file.toString();
                chunks.forEach(file, c -> {
                    inFlight.add(pool.submit(() -> countChunk(c, name)));
                    while (inFlight.size() > 2 * threads) drain(inFlight.poll(), total, progress);
                });
            }
            while (!inFlight.isEmpty()) drain(inFlight.poll(), total, progress);
        }
        return total;
    }

    private static void drain(Future<Map<String, int[]>> f, Map<String, int[]> total, LongConsumer progress) {
        Map<String, int[]> part = Futures.join(f);
        long bytes = part.remove(BYTES_KEY)[0];
        for (var e : part.entrySet()) {
            int[] c = total.get(e.getKey());
            if (c == null) total.put(e.getKey(), e.getValue());
            else c[0] += e.getValue()[0];
        }
        progress.accept(bytes);
    }

    private static final String BYTES_KEY = "\u0000jlm:bytes"; // never a pre-token (it would split at the NUL)

    private Map<String, int[]> countChunk(SafeChunks.Chunk chunk, String file) {
        String text = chunk.text(file);
        Map<String, int[]> counts = new HashMap<>();
        PreTokenizer.split(text, 0, text.length(), specials, new PreTokenizer.Visitor() {
            @Override
            public void preToken(int start, int end) {
                String piece = text.substring(start, end);
                int[] c = counts.get(piece);
                if (c == null) counts.put(piece, new int[] {1});
                else c[0]++;
            }

            @Override
            public void special(int index) {
                // special tokens are not counted: they are never merged
            }
        });
        counts.put(BYTES_KEY, new int[] {chunk.length()});
        return counts;
    }
}
