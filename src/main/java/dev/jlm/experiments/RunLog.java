package dev.jlm.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.JlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A run folder's metrics.jsonl, read back: one Row per logged step. */
public record RunLog(Path dir, List<Row> rows) {
    public record Row(long step, long tokens, double wallSeconds, double trainLoss, Double valLoss, double lr) {}

    public static RunLog read(Path dir) throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        if (!Files.isRegularFile(f)) throw new JlmException(dir + ": no metrics.jsonl (not a jlm run folder)");
        ObjectMapper json = new ObjectMapper();
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
            if (line.isBlank()) continue;
            JsonNode n = json.readTree(line);
            rows.add(new Row(n.path("step").asLong(), n.path("tokens").asLong(), n.path("wall_s").asDouble(), n.path("train_loss").asDouble(),
                    n.has("val_loss") ? n.get("val_loss").asDouble() : null, n.path("lr").asDouble()));
        }
        return new RunLog(dir, rows);
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
