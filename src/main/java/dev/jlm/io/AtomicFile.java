package dev.jlm.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes a file all or nothing: a temp file beside it, fsync, then rename over the target. */
public final class AtomicFile {
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    /** A new empty temp file beside {@code target} (same file system, so a rename is atomic), mode 0644. */
    public static Path tempBeside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new dev.jlm.JlmException(target + ": folder " + dir + " does not exist");
        return Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--")));
    }

    /** Moves {@code tmp} over {@code target} atomically where the file system allows. */
    public static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Copies {@code from} to {@code to} all or nothing (temp, fsync, rename). */
    public static void copy(Path from, Path to) throws IOException {
        write(to, out -> Files.copy(from, out));
    }

    public static void write(Path target, Body body) throws IOException {
        commit(prepare(target, body), target);
    }

    /**
     * The first half of {@link #write}: {@code body} written to a temp file beside {@code target} and fsynced, not yet
     * in place; {@link #commit} moves it there. Writing several files this way and committing them together leaves
     * nothing changed if any write fails.
     */
    public static Path prepare(Path target, Body body) throws IOException {
        Path tmp = tempBeside(target);
        boolean ok = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.write(new java.io.FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        out.flush(); // the channel is closed (after fsync) below
                    }
                });
                out.flush();
                ch.force(true);
            }
            ok = true;
            return tmp;
        } finally {
            if (!ok) Files.deleteIfExists(tmp);
        }
    }
}
