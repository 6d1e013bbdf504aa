package dev.jlm.data;

import dev.jlm.JlmException;
import dev.jlm.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a token file: raw little-endian uint16 ids (what {@code numpy.memmap(path, dtype=np.uint16)} reads).
 * Ids go to a temp file beside the target; {@link #commit()} fsyncs and renames it into place, {@link #close()}
 * without commit deletes it, so a failed run never leaves a partial token file.
 */
public final class TokenFileWriter implements AutoCloseable {
    private final Path target;
    private final Path tmp;
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final int vocabSize;
    private long count;
    private boolean committed;

    public TokenFileWriter(Path target, int vocabSize) throws IOException {
        if (vocabSize > 65_536) {
            throw new JlmException("vocab size " + vocabSize + " does not fit uint16 token files (at most 65,536 ids)");
        }
        this.target = target;
        this.vocabSize = vocabSize;
        this.tmp = AtomicFile.tempBeside(target);
        this.ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    public void write(int[] ids) throws IOException {
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) throw new JlmException("token id " + id + " outside the vocab [0, " + vocabSize + ")");
            if (!buf.hasRemaining()) flush();
            buf.putShort((short) id);
        }
        count += ids.length;
    }

    public long count() {
        return count;
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }

    /** Makes the file visible under its name, complete. */
    public void commit() throws IOException {
        flush();
        ch.force(true);
        ch.close();
        AtomicFile.commit(tmp, target);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            ch.close();
            Files.deleteIfExists(tmp);
        }
    }
}
