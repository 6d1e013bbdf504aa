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
 * closing it unmaps the file. Or the same over ids a program holds ({@link #ofIds}: CS336's {@code get_batch} on an array). Opened with a vocab size, every id read is checked against it where it is read (a
 * batch, a window): no scan of the whole file at start, and the same error naming the file, the offset and the id.
 */
public final class TokenFile implements AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private final Path path;          // null for ids held in memory
    private final String source;      // what errors name: the file, or the array
    private final Arena arena = Arena.ofShared();
    private final MemorySegment data;
    private final long length;
    private final int vocabSize;      // ids must be below it (65536: any uint16)
    private final String limit;       // what the vocab size is called in errors

    private TokenFile(Path path, int vocabSize, String limit) throws IOException {
        this.path = path;
        this.source = path.toString();
        this.vocabSize = vocabSize;
        this.limit = limit;
        dev.jlm.io.Inputs.requireFile(path, "token file");
        long bytes = Files.size(path);
        if (bytes % 2 != 0) throw new JlmException(path + ": " + bytes + " bytes is not a whole number of uint16 ids");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            data = bytes == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
        }
        length = bytes / 2;
    }

    private TokenFile(int[] ids, int vocabSize) {
        this.path = null;
        this.source = "an array of " + ids.length + " ids";
        this.vocabSize = vocabSize;
        this.limit = "vocab size";
        this.length = ids.length;
        this.data = ids.length == 0 ? MemorySegment.NULL : arena.allocate(2L * ids.length, 2);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                arena.close();
                throw new JlmException(String.format(java.util.Locale.ROOT, "%s: token id %d at offset %,d is outside [0, %d)", source, ids[i], i, vocabSize));
            }
            data.setAtIndex(U16, i, (short) ids[i]);
        }
    }

    /**
     * Ids a program holds (CS336 passes {@code get_batch} a numpy array), copied off-heap as uint16: each must be in
     * [0, vocabSize), vocabSize at most 65,536, checked here; then read as a token file is.
     */
    public static TokenFile ofIds(int[] ids, int vocabSize) {
        if (vocabSize < 1 || vocabSize > 1 << 16) throw new IllegalArgumentException("vocabSize must be in [1, 65536], got " + vocabSize);
        return new TokenFile(ids, vocabSize);
    }

    public static TokenFile open(Path path) throws IOException {
        return new TokenFile(path, 1 << 16, "uint16");
    }

    /** Opens a file whose ids must all be below {@code vocabSize}, checked as they are read; {@code limit} names it (a setting's key, or words). */
    public static TokenFile open(Path path, int vocabSize, String limit) throws IOException {
        return new TokenFile(path, vocabSize, limit);
    }

    /** The file; null for {@link #ofIds ids held in memory}. */
    public Path path() {
        return path;
    }

    /** What messages call these tokens: the file's path, or "an array of N ids". */
    public String source() {
        return source;
    }

    /** Number of tokens. */
    public long length() {
        return length;
    }

    /** The id at offset i, checked against the vocab size. */
    public int get(long i) {
        try {
            int id = data.getAtIndex(U16, i) & 0xFFFF;
            if (id >= vocabSize) throw tooLarge(id, i);
            return id;
        } catch (InternalError e) {
            throw changed(e);
        }
    }

    /** Copies ids [start, start + n) as int64 into {@code dst} at element offset {@code at}, checking each. */
    public void copyAsLongs(long start, int n, MemorySegment dst, long at) {
        try {
            for (int k = 0; k < n; k++) {
                int id = data.getAtIndex(U16, start + k) & 0xFFFF;
                if (id >= vocabSize) throw tooLarge(id, start + k);
                dst.setAtIndex(ValueLayout.JAVA_LONG, at + k, id);
            }
        } catch (InternalError e) {
            throw changed(e);
        }
    }

    /** Reads the whole file (`jlm check-tokens`): the first id at or above the vocab size is an error. */
    public void checkAll() {
        try {
            for (long i = 0; i < length; i++) {
                int id = data.getAtIndex(U16, i) & 0xFFFF;
                if (id >= vocabSize) throw tooLarge(id, i);
            }
        } catch (InternalError e) {
            throw changed(e);
        }
    }

    /**
     * A read of the mapped file faulted (the JVM's InternalError for a page no longer in the file): another program cut
     * the file short while it was mapped.
     */
    private JlmException changed(InternalError e) {
        String now;
        try {
            now = String.format(java.util.Locale.ROOT, "%,d", Files.size(path));
        } catch (IOException gone) {
            now = "gone";
        }
        return new JlmException(String.format(java.util.Locale.ROOT, "%s: the token file changed while it was read (%,d bytes when opened, now %s):"
                + " a token file must stay as it is while jlm reads it", path, 2 * length, now), e);
    }

    private JlmException tooLarge(int id, long offset) {
        var e = new JlmException(String.format(java.util.Locale.ROOT, "%s: token id %d at offset %,d exceeds %s %d", source, id, offset, limit, vocabSize));
        return limit.matches("[a-z][a-z0-9_]*") ? e.naming(limit) : e;      // a setting's key: the CLI says its flag
    }

    @Override
    public void close() {
        arena.close();
    }
}
