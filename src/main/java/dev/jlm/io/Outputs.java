package dev.jlm.io;

import dev.jlm.JlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Output paths checked before any work. jlm writes a file by renaming a new one over its path ({@link AtomicFile}) and a
 * folder by renaming a new one into place ({@link AtomicFolder}): whatever is at the path is replaced. So a path that is
 * a pipe, a device or a socket is refused (as root, a rename over {@code /dev/null} replaces the device node), and so is
 * an output that is one of the command's inputs, compared by real path (a relative path, or a link, names it too).
 */
public final class Outputs {
    private Outputs() {}

    /**
     * A file to write at {@code file}, which {@code name} names in messages (a flag: "--out"): nothing there or a
     * regular file, in a folder that exists, and none of {@code inputs} (what each input is called → its path; null
     * paths are skipped).
     */
    public static Path requireFile(Path file, String name, Map<String, Path> inputs) {
        String kind = Inputs.kind(file);
        if ("a folder".equals(kind)) throw new JlmException(name + " " + file + " is a folder; it names the file to write");
        if (kind != null && !"a regular file".equals(kind)) {
            throw new JlmException(name + " " + file + " is " + kind + ", not a regular file: jlm writes its output to a regular file or a new"
                    + " path only (it would replace this, or wait on it)");
        }
        requireParent(file, name);
        requireNotInput(file, name, inputs);
        return file;
    }

    /** A folder to write at {@code dir}: nothing there or a folder, in a folder that exists (what may be in it is the caller's rule). */
    public static Path requireFolder(Path dir, String name) {
        requireParent(dir, name);
        String kind = Inputs.kind(dir);
        if ("a regular file".equals(kind)) throw new JlmException(name + " " + dir + " is an existing file, not a folder");
        if (kind != null && !"a folder".equals(kind)) throw new JlmException(name + " " + dir + " is " + kind + ", not a folder");
        return dir;
    }

    /**
     * A folder written as one set ({@link AtomicFolder}: made beside its path, then renamed onto it): as
     * {@link #requireFolder}, and named by its own last name, not "." or ".." — a folder cannot be renamed onto "."
     * (the kernel refuses it, after the work), so such a path is refused before any.
     */
    public static Path requireFolderSet(Path dir, String name) {
        Path last = dir.getFileName();
        if (last != null && (last.toString().equals(".") || last.toString().equals(".."))) {
            Path named = dir.toAbsolutePath().normalize();
            throw new JlmException(name + " " + dir + " ends in \"" + last + "\": the folder is written beside its path and renamed onto it,"
                    + " so give it by its name" + (named.getParent() == null ? "" : " (" + named + ")"));
        }
        return requireFolder(dir, name);
    }

    /** Refuses {@code out} when it is, by its real path, one of {@code inputs} (what each is called → its path). */
    public static void requireNotInput(Path out, String name, Map<String, Path> inputs) {
        Path real = real(out);
        if (real == null) return;                                    // nothing there: no input can be it
        for (var e : inputs.entrySet()) {
            if (e.getValue() == null || !real.equals(real(e.getValue()))) continue;
            boolean sameName = out.toAbsolutePath().normalize().equals(e.getValue().toAbsolutePath().normalize());
            throw new JlmException(name + " " + out + " is the " + e.getKey() + " file" + (sameName ? "" : " " + e.getValue() + " (both are " + real + ")")
                    + ": writing it would replace what this command reads; choose another path");
        }
    }

    private static void requireParent(Path p, String name) {
        Path parent = p.toAbsolutePath().getParent();
        if (parent == null) throw new JlmException(name + " " + p + " is the root folder; give a path inside it");
        if (!Files.isDirectory(parent)) {
            String kind = Inputs.kind(parent);                       // there, but not a folder: "does not exist" would mislead
            throw new JlmException(name + " " + p + ": " + (kind == null ? "folder " + parent + " does not exist" : parent + " is " + kind + ", not a folder"));
        }
    }

    /** The real path of what is at {@code p} (links followed), or null when nothing is there. */
    private static Path real(Path p) {
        try {
            return Files.exists(p) ? p.toRealPath() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
