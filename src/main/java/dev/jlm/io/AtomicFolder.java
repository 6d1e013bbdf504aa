package dev.jlm.io;

import dev.jlm.JlmException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a folder's files as one set: into a temp folder beside it (each file fsynced), then renamed into place. A
 * reader sees the old set or the new one, never a mix; a failure leaves the old folder as it was and no temp folder.
 */
public final class AtomicFolder {
    /** Writes the files of the new set into {@code dir} (a fresh temp folder). */
    public interface Body {
        void write(Path dir) throws IOException;
    }

    private AtomicFolder() {}

    /**
     * Writes {@code dir} with {@code body}. A folder already there must be empty, unless {@code replace}: then it is
     * moved aside to DIR.replaced-TIME (never deleted), which is returned; null otherwise.
     */
    public static Path write(Path dir, boolean replace, Body body) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new JlmException(dir + ": folder " + parent + " does not exist");
        Outputs.requireFolderSet(dir, "folder");
        String kind = Inputs.kind(dir);
        if ("a regular file".equals(kind)) throw new JlmException(dir + " is an existing file, not a folder");
        if (kind != null && !"a folder".equals(kind)) throw new JlmException(dir + " is " + kind + ", not a folder");
        boolean holds = Files.isDirectory(dir) && !isEmpty(dir);
        if (holds && !replace) throw new JlmException(dir + " already holds files");
        // the permissions a new folder gets (0777 less the umask), not a temp folder's 0700: this one is renamed into place
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        boolean done = false;
        try {
            body.write(tmp);
            Path aside = null;
            if (holds) {
                aside = sibling(dir, ".replaced-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
                move(dir, aside);
            } else if (Files.isDirectory(dir)) {
                Files.delete(dir);                                   // empty: nothing to keep
            }
            move(tmp, dir);
            done = true;
            return aside;
        } finally {
            if (!done) deleteTree(tmp);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static Path sibling(Path dir, String suffix) {
        Path p = dir.resolveSibling(dir.getFileName() + suffix);
        for (int i = 2; Files.exists(p); i++) p = dir.resolveSibling(dir.getFileName() + suffix + "-" + i);
        return p;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Deletes a folder this process made, and everything in it. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
