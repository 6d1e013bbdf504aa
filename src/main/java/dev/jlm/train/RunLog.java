package dev.jlm.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jlm.JlmException;
import dev.jlm.io.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A run folder's metrics.jsonl, read back: one Row per logged step. */
public record RunLog(Path dir, List<Row> rows) {
    public record Row(long step, long tokens, double wallSeconds, double trainLoss, Double valLoss, double lr) {}

    public static RunLog read(Path dir) throws IOException {
        return read(dir, note -> { });
    }

    /**
     * The rows of DIR/metrics.jsonl. A line that is not a metrics row is an error naming the file, its line and the run;
     * a torn last line (a run still writing, or killed mid-line) is skipped and {@code note} told so.
     */
    public static RunLog read(Path dir, Consumer<String> note) throws IOException {
        if (!Files.isDirectory(dir)) throw new JlmException(dir + (Files.exists(dir) ? " is a file, not a run folder" : ": no such run folder"));
        Path f = dir.resolve("metrics.jsonl");
        if (!Files.isRegularFile(f)) throw new JlmException(dir + ": no metrics.jsonl (not a jlm run folder)");
        List<String> lines;
        try {
            lines = Files.readAllLines(f, java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new JlmException(f + ": not UTF-8 text (metrics.jsonl holds one JSON object per line)");
        }
        boolean complete = Files.size(f) == 0 || endsWithNewline(f);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = JsonFiles.parse(line, f + ":" + (i + 1));
                if (!n.isObject() || !n.path("step").canConvertToLong()) throw new JlmException(f + ":" + (i + 1) + ": not a metrics row");
                checkRow(n, f + ":" + (i + 1), rows.isEmpty() ? 0 : rows.getLast().step());
            } catch (JlmException e) {
                if (i == lines.size() - 1 && !complete) {
                    note.accept(f + ":" + (i + 1) + ": a torn last line (the run still writing?), skipped");
                    continue;
                }
                throw new JlmException(e.getMessage() + " (run " + dir.getFileName() + ")");
            }
            rows.add(new Row(n.path("step").asLong(), n.path("tokens").asLong(), n.path("wall_s").asDouble(), n.path("train_loss").asDouble(Double.NaN),
                    n.has("val_loss") ? n.get("val_loss").asDouble() : null, n.path("lr").asDouble()));
        }
        return new RunLog(dir, rows);
    }

    /** The keys a row may hold (as {@code Trainer} writes them), and those of them that are whole numbers. */
    private static final List<String> KEYS = List.of("step", "tokens", "wall_s", "train_loss", "lr", "grad_norm", "tokens_per_s", "val_loss",
            "world_size", "allreduce_s");
    private static final java.util.Set<String> WHOLE = java.util.Set.of("step", "tokens", "world_size");

    /**
     * A row is read as written or refused: every key one the trainer writes (a misspelt "val_los" is not passed over), each
     * value a number (a string, null or a fraction where a count belongs is not read as 0), and the steps growing (a
     * row out of order is not plotted as a line that turns back, nor taken by a sweep as the run's last step).
     */
    private static void checkRow(JsonNode n, String where, long previousStep) {
        for (var e : n.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (!KEYS.contains(k)) {
                String near = dev.jlm.config.Settings.nearest(k, KEYS);
                throw new JlmException(where + ": unknown key \"" + k + "\"" + (near != null ? " (did you mean " + near + "?)" : "")
                        + "; a metrics row holds " + String.join(", ", KEYS));
            }
            if (!v.isNumber()) throw new JlmException(where + ": " + k + " is " + (v.isNull() ? "null" : v.getNodeType().name().toLowerCase(java.util.Locale.ROOT)) + ", not a number");
            if (WHOLE.contains(k) && !(v.isIntegralNumber() || v.isNumber() && v.asDouble() == Math.rint(v.asDouble()) && v.canConvertToLong())) {
                throw new JlmException(where + ": " + k + " " + v + " is not a whole number");
            }
        }
        long step = n.get("step").asLong();
        if (step <= previousStep) {
            throw new JlmException(where + ": step " + step + (previousStep == 0 ? " (steps start at 1)" : " after step " + previousStep + " (a run's steps only grow)"));
        }
    }

    private static boolean endsWithNewline(Path f) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(f)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, ch.size() - 1);
            return b.get(0) == '\n';
        }
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public long lastStep() {
        return rows.isEmpty() ? 0 : rows.getLast().step();
    }

    public Double finalVal() {
        for (int i = rows.size() - 1; i >= 0; i--) if (rows.get(i).valLoss() != null) return rows.get(i).valLoss();
        return null;
    }

    public Double bestVal() {
        Double best = null;
        for (Row r : rows) if (r.valLoss() != null && (best == null || r.valLoss() < best)) best = r.valLoss();
        return best;
    }
}
