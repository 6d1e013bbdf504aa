package dev.jlm.io;

import dev.jlm.JlmException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a file all or nothing: a temp file beside it, fsync, then rename over the target. */
public final class AtomicFile {
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    /**
     * A new empty temp file beside {@code target} (same file system, so a rename is atomic), with the permissions a new
     * file gets (0666 less the umask). A target that is there but is not a regular file (a pipe, a device) is refused:
     * the rename would replace it.
     */
    public static Path tempBeside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new JlmException(target + ": folder " + dir + " does not exist");
        requireReplaceable(target);
        return Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
    }

    /** Moves {@code tmp} over {@code target} atomically where the file system allows; never over a pipe, device or folder. */
    public static void commit(Path tmp, Path target) throws IOException {
        requireReplaceable(target);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void requireReplaceable(Path target) {
        String kind = Inputs.kind(target);
        if (kind != null && !kind.equals("a regular file")) {
            throw new JlmException(target + " is " + kind + ", not a regular file: jlm replaces the files it writes, and will not replace this");
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
