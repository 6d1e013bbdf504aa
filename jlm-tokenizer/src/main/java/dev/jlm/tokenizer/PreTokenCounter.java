package dev.jlm.tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.function.Consumer;
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
    private final ThreadLocal<char[]> decodeBuffer = ThreadLocal.withInitial(() -> new char[0]);   // a worker's block text

    public PreTokenCounter(List<String> specialTokens, int threads) {
        this(specialTokens, threads, BLOCK);
    }

    PreTokenCounter(List<String> specialTokens, int threads, int blockSize) {
        this.specials = new SpecialTokens(specialTokens);
        this.threads = Math.max(1, threads);
        this.blockSize = blockSize;
    }

    /** Counts of each pre-token over all files. {@code progress} receives bytes consumed. */
    public PreTokenCounts count(List<Path> files, LongConsumer progress) throws IOException {
        return count(files, progress, counts -> {});
    }

    /** As {@link #count(List, LongConsumer)}, showing {@code check} the counts so far after each block (it may throw to stop). */
    PreTokenCounts count(List<Path> files, LongConsumer progress, Consumer<PreTokenCounts> check) throws IOException {
        PreTokenCounts total = new PreTokenCounts();
        try (Futures.Pool pool = new Futures.Pool(threads, "jlm-pretokenize")) {
            ArrayDeque<Future<Part>> inFlight = new ArrayDeque<>();
            Queue<PreTokenTable> spare = new ConcurrentLinkedQueue<>();      // drained block tables, cleared for reuse
            SafeChunks chunks = new SafeChunks(specials.list(), blockSize);
            for (Path file : files) {
                String name = file.toString();
                chunks.forEach(file, c -> {
                    inFlight.add(pool.submit(() -> countChunk(c, name, spare)));
                    while (inFlight.size() > 2 * threads) drain(inFlight.poll(), total, progress, spare, check);
                });
            }
            while (!inFlight.isEmpty()) drain(inFlight.poll(), total, progress, spare, check);
        }
        return total;
    }

    /** One block's counts and its size in bytes. */
    private record Part(PreTokenTable counts, long bytes) {}

    private static void drain(Future<Part> f, PreTokenCounts total, LongConsumer progress, Queue<PreTokenTable> spare,
                              Consumer<PreTokenCounts> check) {
        Part part = Futures.join(f);
        total.addAll(part.counts());
        part.counts().clear();
        spare.add(part.counts());
        progress.accept(part.bytes());
        check.accept(total);
    }

    private Part countChunk(SafeChunks.Chunk chunk, String file, Queue<PreTokenTable> spare) {
        char[] buffer = decodeBuffer.get();
        CharArrayText text = chunk.decode(file, buffer);
        if (text.array() != buffer) decodeBuffer.set(text.array());
        PreTokenTable reused = spare.poll(), table = reused != null ? reused : new PreTokenTable(1 << 14);
        PreTokenizer.split(text, 0, text.length(), specials, new PreTokenizer.Visitor() {
            @Override
            public void preToken(int start, int end) {
                table.add(text, start, end, 1);                  // no String per occurrence
            }

            @Override
            public void special(int index) {
                // special tokens are not counted: they are never merged
            }
        });
        return new Part(table, chunk.length());
    }
}
