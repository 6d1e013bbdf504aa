package dev.jlm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.JlmException;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ConfigJson;
import dev.jlm.checkpoint.Safetensors;
import dev.jlm.config.Settings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
        if (Files.isDirectory(dir)) {                                // a name the run writes, taken by a pipe or a device: refused, not waited on
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path f : ds) {
                    String n = f.getFileName().toString(), kind = dev.jlm.io.Inputs.kind(f);
                    if ((n.equals(Metrics.FILE) || n.endsWith(".safetensors")) && kind != null && !kind.equals("a regular file")) {
                        throw new JlmException("out " + dir + " holds " + n + ", which is " + kind + ": a run writes a regular file by that name;"
                                + " move it away").naming("out");
                    }
                }
            }
        }
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

    /** The lock file of a run folder, held by the one jlm train that writes the folder, for its whole run. */
    public static final String LOCK = ".lock";

    /** The run folders this JVM holds, by real path: a second lock here is refused without opening the file (closing any
     * descriptor of a file drops this process's POSIX locks on it). */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A run folder this process writes: no other process, or other run in this one, can lock it until this is closed. */
    public static final class Lock implements AutoCloseable {
        private final Path folder;
        private final FileChannel channel;

        private Lock(Path folder, FileChannel channel) {
            this.folder = folder;
            this.channel = channel;
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close();                                     // releases the lock
            } finally {
                HELD.remove(folder);
            }
        }
    }

    /**
     * Locks {@code dir} for this run or sweep (making the folder when it is not there), so that no other jlm train or sweep writes into it
     * meanwhile: refused, naming the folder (and the holder's pid, when another process holds it), when it is taken.
     */
    public static Lock lock(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(LOCK), real = dir.toRealPath();
        if (!HELD.add(real)) throw inUse(dir, f, "");
        boolean done = false;
        try {
            FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock held;
            try {
                held = ch.tryLock();
            } catch (IOException | OverlappingFileLockException e) {
                ch.close();
                throw new JlmException(f + ": cannot lock the run folder (" + e.getMessage() + ")");
            }
            if (held == null) {
                String pid = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).strip();
                ch.close();
                throw inUse(dir, f, pid.matches("\\d+") ? " (pid " + pid + ")" : "");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            done = true;
            return new Lock(real, ch);
        } finally {
            if (!done) HELD.remove(real);
        }
    }

    /** After a refusal: releases {@code lock}, and removes the folder (and its lock file) when this invocation made it. */
    static void unlock(Lock lock, Path dir, boolean made) throws IOException {
        try {
            if (made) {
                Files.deleteIfExists(dir.resolve(LOCK));             // still held: nobody else can have taken it
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    if (!ds.iterator().hasNext()) Files.delete(dir);
                }
            }
        } finally {
            lock.close();
        }
    }

    private static JlmException inUse(Path dir, Path lock, String who) {
        return new JlmException("out " + dir + " is in use by another jlm train or sweep" + who + ", which holds " + lock
                + ": wait for it to finish, or train into another folder").naming("out");
    }

    /** The checkpoint metadata key of the run's settings (TrainConfig.runSettings, as JSON). */
    public static final String SETTINGS = "train_config";
    private static final ObjectMapper JSON = new ObjectMapper();

    static String settingsJson(TrainConfig cfg) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        cfg.runSettings().forEach((k, v) -> m.put(k, Settings.json(v)));
        return JSON.writeValueAsString(m);
    }

    /**
     * Before resuming from {@code last}: its model must be the one these settings describe (a run resumes with its own
     * model). Returns what to tell the user: that there is nothing to resume (a new run starts: the idiom of a restarted
     * job that always passes resume), or which other settings differ from the run's (resumed, but said).
     */
    static List<String> checkResume(Path last, TrainConfig cfg) throws IOException {
        Path dir = last.getParent();
        if (!Files.isRegularFile(last)) {
            List<String> steps = new ArrayList<>();
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "step-*.safetensors")) {
                    for (Path f : ds) if (f.getFileName().toString().matches("step-\\d+\\.safetensors")) steps.add(f.getFileName().toString());
                }
            }
            if (!steps.isEmpty()) {                                  // a new run would write over them: the user decides
                java.util.Collections.sort(steps);
                String newest = steps.getLast(), optim = Checkpoint.optimFile(dir.resolve(newest)).getFileName().toString();
                throw new JlmException("out " + dir + " holds checkpoints (" + String.join(", ", steps.size() <= 3 ? steps : steps.subList(steps.size() - 3, steps.size()))
                        + ") but no " + last.getFileName() + " to continue from: to go on from the newest, copy " + newest + " to " + last.getFileName()
                        + " and " + optim + " to " + Checkpoint.optimFile(last).getFileName() + "; to start over, use overwrite (the old files are moved aside)")
                        .naming("out", "overwrite");
            }
            return List.of("out " + dir + " holds no checkpoint to continue from (no " + last.getFileName() + "): starting a new run");
        }
        Map<String, String> meta = Safetensors.readHeader(last).metadata();
        List<String> changed = new ArrayList<>();
        if (meta.containsKey("config")) {
            Map<String, Object> was = Settings.values(ConfigJson.toConfig(ConfigJson.parse(meta.get("config"), last + " (its metadata)"), last.toString()));
            Map<String, Object> now = Settings.values(cfg.model());
            List<String> keys = new ArrayList<>();
            for (var e : now.entrySet()) {
                if (!Objects.equals(e.getValue(), was.get(e.getKey()))) {
                    changed.add(e.getKey() + " " + Settings.spell(was.get(e.getKey())) + " in the run, " + Settings.spell(e.getValue()) + " here");
                    keys.add(e.getKey());
                }
            }
            if (!changed.isEmpty()) {
                throw new JlmException(last + " is a run of another model (" + String.join(", ", changed) + "): a run resumes with its own"
                        + " model; to start a new run from its weights, use init_from").naming(java.util.stream.Stream.concat(keys.stream(),
                        java.util.stream.Stream.of("init_from")).toArray(String[]::new));
            }
        }
        List<String> notes = new ArrayList<>();
        if (meta.containsKey(SETTINGS)) {
            JsonNode was = JSON.readTree(meta.get(SETTINGS));
            cfg.runSettings().forEach((k, v) -> {
                JsonNode w = was.get(k);
                String now = Settings.spell(v), before = w == null || w.isNull() ? "null" : w.asText();
                if (w != null && !same(w, v)) notes.add(k + " " + before + " → " + now);
            });
        }
        return notes.isEmpty() ? notes : List.of("resuming " + dir + " with settings other than the run's: " + String.join(", ", notes));
    }

    /** A recorded JSON value and a setting's value are the same setting. */
    private static boolean same(JsonNode recorded, Object v) {
        if (v instanceof Number n) return recorded.isNumber() && recorded.asDouble() == n.doubleValue();
        if (v instanceof Boolean b) return recorded.isBoolean() && recorded.asBoolean() == b;
        return v == null ? recorded.isNull() : recorded.asText().equals(Settings.spell(v));
    }

    /**
     * After a run failed before writing a checkpoint (bad data, no space …): removes the metrics.jsonl it began, and the
     * folder when this invocation made it and it is empty again. A folder with a checkpoint is kept as it is.
     */
    static void undoEarlyFailure(Path dir, boolean made) {
        try {
            if (!Files.isDirectory(dir)) return;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.safetensors")) {
                if (ds.iterator().hasNext()) return;
            }
            Files.deleteIfExists(dir.resolve(Metrics.FILE));
            if (made) {
                Files.deleteIfExists(dir.resolve(LOCK));             // still held: nobody else can have taken it
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    if (!ds.iterator().hasNext()) Files.delete(dir);
                }
            }
        } catch (IOException e) {
            // leave it: the run's own error is what the user needs to see
        }
    }

    private static String names(List<Path> files) {
        List<String> n = new ArrayList<>();
        for (Path f : files) n.add(f.getFileName().toString());
        java.util.Collections.sort(n);
        return n.size() <= 3 ? String.join(", ", n) : String.join(", ", n.subList(0, 3)) + ", …";
    }
}
