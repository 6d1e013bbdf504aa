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
        if (Files.exists(file)) return "is not a regular file (a device, pipe or socket), not a " + what;
        return "no such " + what;
    }

    /** A file about to be written is not a folder: a JlmException naming {@code flag} otherwise. */
    public static void requireWritableFile(Path file, String flag) {
        if (Files.isDirectory(file)) throw new JlmException(flag + " " + file + " is a folder; it names the file to write");
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new JlmException(flag + " " + file + ": folder " + parent + " does not exist");
    }
}
