package dev.jlm.io;

import dev.jlm.JlmException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Input paths checked before they are opened, so that a message says what a path really is. */
public final class Inputs {
    private Inputs() {}

    /** {@code file} is a readable regular file; else a JlmException saying what it is instead ({@code what} names its role). */
    public static Path requireFile(Path file, String what) {
        String problem = problem(file, what);
        if (problem != null) throw new JlmException(file + (problem.startsWith("is ") ? " " : ": ") + problem);
        return file;
    }

    /** As {@link #requireFile(Path, String)}, the message naming the flag that gave the path. */
    public static Path requireFile(Path file, String what, String flag) {
        String problem = problem(file, what);
        if (problem != null) throw new JlmException(flag + " " + file + (problem.startsWith("is ") ? " " : ": ") + problem);
        return file;
    }

    /** Null when {@code file} is a readable regular file, else what it is instead. */
    public static String problem(Path file, String what) {
        if (Files.isRegularFile(file)) return Files.isReadable(file) ? null : what + " not readable (permission denied)";
        if (Files.isDirectory(file)) return "is a folder, not a " + what;
        if (Files.exists(file)) return "is " + kind(file) + ", not a " + what;
        return "no such " + what;
    }

    /**
     * What is at {@code p}, in words: "a named pipe (FIFO)", "a character device", "a block device", "a socket", "a
     * folder", "a regular file"; null when nothing is there (links are followed).
     */
    public static String kind(Path p) {
        if (Files.isRegularFile(p)) return "a regular file";
        if (Files.isDirectory(p)) return "a folder";
        if (!Files.exists(p)) return null;
        try {
            return switch ((Integer) Files.getAttribute(p, "unix:mode") & 0170000) {
                case 0010000 -> "a named pipe (FIFO)";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                case 0140000 -> "a socket";
                default -> "a special file";
            };
        } catch (java.io.IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file (a device, pipe or socket)";
        }
    }
}
