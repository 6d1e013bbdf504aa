package dev.jlm.data;

import dev.jlm.JlmException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A uint16 token file mapped read-only, off-heap (any size, including over 2 GiB), in this object's own arena:
 * closing it unmaps the file.
 */
public final class TokenFile implements AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private final Path path;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment data;
    private final long length;

    private TokenFile(Path path) throws IOException {
        this.path = path;
        if (!Files.isRegularFile(path)) throw new JlmException(path + ": token file not found");
        long bytes = Files.size(path);
        if (bytes % 2 != 0) throw new JlmException(path + ": " + bytes + " bytes is not a whole number of uint16 ids");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            data = bytes == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
        }
        length = bytes / 2;
    }

    public static TokenFile open(Path path) throws IOException {
        return new TokenFile(path);
    }

    public Path path() {
        return path;
    }

    /** Number of tokens. */
    public long length() {
        return length;
    }

    public int get(long i) {
        return data.getAtIndex(U16, i) & 0xFFFF;
    }

    /** Copies ids [start, start + n) as int64 into {@code dst} at element offset {@code at}. */
    public void copyAsLongs(long start, int n, MemorySegment dst, long at) {
        for (int k = 0; k < n; k++) dst.setAtIndex(ValueLayout.JAVA_LONG, at + k, data.getAtIndex(U16, start + k) & 0xFFFF);
    }

    /** Throws, naming the file, the id and its offset, unless every id is below {@code vocabSize} ({@code limit} names it). */
    public void requireIdsBelow(int vocabSize, String limit) {
        for (long i = 0; i < length; i++) {
            int id = data.getAtIndex(U16, i) & 0xFFFF;
            if (id >= vocabSize) {
                throw new JlmException(String.format(java.util.Locale.ROOT, "%s: token id %d at offset %,d exceeds %s %d", path, id, i, limit, vocabSize));
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
