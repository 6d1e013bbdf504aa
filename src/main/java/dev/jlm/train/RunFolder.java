package dev.jlm.train;

import dev.jlm.JlmException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A run folder's files: checkpoints ({@code *.safetensors}) and {@code metrics.jsonl}. A folder that holds them is
 * a run, and a new run never writes over it by mistake: it must be resumed, or replaced on purpose — and then the
 * old files are moved aside into a sibling folder, never deleted.
 */
public final class RunFolder {
    private RunFolder() {}

    /** The run's files in {@code dir} (empty when it holds none, or does not exist). */
    public static List<Path> runFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) return files;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                boolean metrics = n.equals(Metrics.FILE) && Files.size(f) > 0;     // an empty log is no run yet
                if (Files.isRegularFile(f) && (n.endsWith(".safetensors") || metrics)) files.add(f);
            }
        }
        return files;
    }

    /** Refuses a folder that holds a run unless {@code resume} (continue it) or {@code overwrite} (replace it). */
    public static void check(Path dir, boolean resume, boolean overwrite) throws IOException {
        List<Path> old = runFiles(dir);
        if (!old.isEmpty() && !resume && !overwrite) {
            throw new JlmException("out " + dir + " already holds a run (" + old.size() + " files: " + names(old)
                    + "); add resume to continue it, or overwrite to start over (its files are then moved aside, not deleted)")
                    .naming("out", "resume", "overwrite");
        }
    }

    /**
     * Before a run starts in {@code dir}: {@link #check}, then, with {@code overwrite}, the old run's files are moved
     * into DIR.replaced-TIMESTAMP, which is returned. Null otherwise.
     */
    public static Path prepare(Path dir, boolean resume, boolean overwrite) throws IOException {
        check(dir, resume, overwrite);
        List<Path> old = runFiles(dir);
        if (old.isEmpty() || resume) return null;
        String base = dir.getFileName() + ".replaced-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path aside = dir.resolveSibling(base);
        for (int i = 2; Files.exists(aside); i++) aside = dir.resolveSibling(base + "-" + i);
        Files.createDirectories(aside);
        for (Path f : old) Files.move(f, aside.resolve(f.getFileName()));
        return aside;
    }

    private static String names(List<Path> files) {
        List<String> n = new ArrayList<>();
        for (Path f : files) n.add(f.getFileName().toString());
        java.util.Collections.sort(n);
        return n.size() <= 3 ? String.join(", ", n) : String.join(", ", n.subList(0, 3)) + ", …";
    }
}
