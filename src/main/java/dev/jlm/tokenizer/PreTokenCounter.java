package dev.jlm.tokenizer;

import dev.jlm.JlmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
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
                    inFlight.add(pool.submit(() -> countChunk(c.bytes(), c.length(), c.offset(), name)));
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

    private Map<String, int[]> countChunk(byte[] bytes, int len, long fileOffset, String file) {
        String text = decodeStrict(bytes, len, fileOffset, file);
        Map<String, int[]> counts = new HashMap<>();
        int end = text.length();
        int i = 0;
        while (i < end) {
            int segEnd = specials.nextStart(text, i, end);
            for (int p = i; p < segEnd; ) {
                int q = PreTokenizer.next(text, p, segEnd);
                String piece = text.substring(p, q);
                int[] c = counts.get(piece);
                if (c == null) counts.put(piece, new int[] {1});
                else c[0]++;
                p = q;
            }
            if (segEnd < end) i = segEnd + specials.get(specials.matchAt(text, segEnd, end)).length();
            else i = end;
        }
        counts.put(BYTES_KEY, new int[] {len});
        return counts;
    }

    static String decodeStrict(byte[] bytes, int len, long fileOffset, String file) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, len);
        try {
            CharBuffer out = dec.decode(in);
            return out.toString();
        } catch (MalformedInputException e) {
            throw new JlmException(file + ": invalid UTF-8 at byte offset " + (fileOffset + in.position())
                    + " (the corpus must be UTF-8 text)");
        } catch (CharacterCodingException e) {
            throw new JlmException(file + ": cannot decode as UTF-8 near byte offset " + (fileOffset + in.position()));
        }
    }
}
