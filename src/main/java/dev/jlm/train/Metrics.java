package dev.jlm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import dev.jlm.io.AtomicFile;

/** JSON-lines metrics in RUN_DIR/metrics.jsonl: one object per logged step, flushed as written. */
public final class Metrics implements AutoCloseable {
    public static final String FILE = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    public Metrics(Path runDir, boolean append) throws IOException {
        out = Files.newBufferedWriter(runDir.resolve(FILE), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    /**
     * Keeps only the rows of RUN_DIR/metrics.jsonl with step ≤ {@code step} (atomically): after a crash between two
     * checkpoints the file holds steps the resumed run will train again. A torn last line is dropped too; any other row
     * not as the trainer writes it is refused (it was dropped without a word, the file rewritten without it). Returns the
     * wall_s of the row at {@code step} (the run's time when its checkpoint was written, from which a resumed run's
     * wall_s goes on), or 0 when there is none.
     */
    public static double truncateAfter(Path runDir, long step) throws IOException {
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) return 0;
        List<String> keep = new ArrayList<>();
        double wall = 0;
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new dev.jlm.JlmException(f + ": not UTF-8 text (a run's metrics.jsonl holds one JSON object per line); move it aside to go on with the run");
        }
        try {                                                 // every row as the trainer writes it; only a torn last line is dropped
            RunLog.read(runDir);
        } catch (dev.jlm.JlmException e) {
            throw new dev.jlm.JlmException(e.getMessage() + "; resuming would drop it: fix the row or move the file aside to go on with the run");
        }
        for (String line : lines) {
            try {
                JsonNode row = JSON.readTree(line);
                if (row != null && row.path("step").asLong(Long.MAX_VALUE) <= step) {
                    keep.add(line);
                    if (row.path("step").asLong() == step) wall = row.path("wall_s").asDouble(0);
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException torn) {
                // a line cut by the crash
            }
        }
        AtomicFile.write(f, out -> {
            for (String line : keep) out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        });
        return wall;
    }

    public ObjectNode row() {
        return JSON.createObjectNode();
    }

    public void write(ObjectNode row) throws IOException {
        out.write(JSON.writeValueAsString(row));
        out.newLine();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
