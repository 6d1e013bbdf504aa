package dev.jlm.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlm.JlmException;
import dev.jlm.io.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A grid of training runs from one JSON description:
 * <pre>{"base": {train options}, "grid": {"lr_max": [1e-4, 1e-3]}, "runs": {"baseline": {}, "post-norm": {"norm": "post"}}}</pre>
 * Every named run (or one unnamed run) is combined with every point of the grid; each gets its own folder under
 * the sweep folder with its config.json. A finished (or diverged) run is not run again; an unfinished one resumes. The summary
 * (final/best validation loss, tokens, wall time, diverged: a NaN stop or a final loss above the first) is written
 * as summary.md and summary.csv.
 */
public final class Sweep {
    /** Runs one training from a config file (the caller calls the trainer; the sweep only plans and records). */
    public interface Runner {
        Result train(Path config) throws Exception;
    }

    /** How one training ended: ok, diverged at a step (a non-finite loss), or failed with a message. */
    public record Result(String error, Long divergedAtStep) {
        public static final Result OK = new Result(null, null);

        public static Result diverged(long step, String message) {
            return new Result(message, step);
        }

        public static Result failed(String message) {
            return new Result(message, null);
        }
    }

    public record Outcome(String name, Path dir, Result result, boolean skipped) {}

    static final String ERROR = "error.txt", DIVERGED = "diverged-at-step";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path spec, out;

    public Sweep(Path spec, Path out) {
        this.spec = spec;
        this.out = out;
    }

    /** The runs of the sweep: name → merged options. */
    public Map<String, ObjectNode> expand() throws IOException {
        if (!Files.isRegularFile(spec)) throw new JlmException("--grid " + spec + ": no such file");
        JsonNode root;
        try {
            root = JSON.readTree(spec.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new JlmException("--grid " + spec + ":" + e.getLocation().getLineNr() + ": malformed JSON");
        }
        ObjectNode base = root.has("base") ? (ObjectNode) root.get("base") : JSON.createObjectNode();
        Map<String, ObjectNode> variants = new LinkedHashMap<>();
        if (root.has("runs")) root.get("runs").fields().forEachRemaining(e -> variants.put(e.getKey(), (ObjectNode) e.getValue()));
        else variants.put("", JSON.createObjectNode());
        List<Map<String, JsonNode>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        if (root.has("grid")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("grid").fields(); it.hasNext(); ) {
                var axis = it.next();
                if (!axis.getValue().isArray()) throw new JlmException("--grid " + spec + ": grid." + axis.getKey() + " must be a list");
                List<Map<String, JsonNode>> next = new ArrayList<>();
                for (var p : points) {
                    for (JsonNode v : axis.getValue()) {
                        var q = new LinkedHashMap<>(p);
                        q.put(axis.getKey(), v);
                        next.add(q);
                    }
                }
                points = next;
            }
        }
        Map<String, ObjectNode> runs = new LinkedHashMap<>();
        for (var v : variants.entrySet()) {
            for (var p : points) {
                ObjectNode cfg = base.deepCopy();
                cfg.setAll(v.getValue());
                StringBuilder name = new StringBuilder(v.getKey());
                for (var e : p.entrySet()) {
                    cfg.set(e.getKey(), e.getValue());
                    name.append(name.isEmpty() ? "" : "_").append(e.getKey()).append('=').append(e.getValue().asText());
                }
                runs.put(name.isEmpty() ? "run" : name.toString(), cfg);
            }
        }
        return runs;
    }

    public List<Outcome> run(Runner runner) throws Exception {
        Files.createDirectories(out);
        List<Outcome> outcomes = new ArrayList<>();
        for (var e : expand().entrySet()) {
            Path dir = out.resolve(e.getKey());
            ObjectNode cfg = e.getValue();
            long steps = cfg.path("steps").asLong(1000);
            cfg.put("out", dir.toString());
            if (Files.isRegularFile(dir.resolve("metrics.jsonl"))) {
                Result previous = readResult(dir);
                if (RunLog.read(dir).lastStep() >= steps || previous.divergedAtStep() != null) {      // finished or diverged
                    outcomes.add(new Outcome(e.getKey(), dir, previous, true));
                    continue;
                }
                cfg.put("resume", true);
            }
            Files.createDirectories(dir);
            Path cfgFile = dir.resolve("config.json");
            AtomicFile.write(cfgFile, o -> o.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(cfg)));
            Result r = runner.train(cfgFile);
            writeResult(dir, r);
            outcomes.add(new Outcome(e.getKey(), dir, r, false));
        }
        writeSummary(outcomes);
        return outcomes;
    }

    /** error.txt holds a failure's message; diverged-at-step the step of a non-finite loss. */
    private static void writeResult(Path dir, Result r) throws IOException {
        Files.deleteIfExists(dir.resolve(ERROR));
        Files.deleteIfExists(dir.resolve(DIVERGED));
        if (r.error() != null) Files.writeString(dir.resolve(ERROR), r.error() + "\n");
        if (r.divergedAtStep() != null) Files.writeString(dir.resolve(DIVERGED), r.divergedAtStep() + "\n");
    }

    private static Result readResult(Path dir) throws IOException {
        Path e = dir.resolve(ERROR), d = dir.resolve(DIVERGED);
        String error = Files.isRegularFile(e) ? Files.readString(e).strip() : null;
        Long step = null;
        if (Files.isRegularFile(d)) {
            try {
                step = Long.parseLong(Files.readString(d).strip());
            } catch (NumberFormatException bad) {
                throw new JlmException(d + ": not a step number");
            }
        }
        return new Result(error, step);
    }

    void writeSummary(List<Outcome> outcomes) throws IOException {
        StringBuilder md = new StringBuilder("| run | final val loss | best val loss | final train loss | tokens | wall time | diverged |\n"
                + "|---|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("run,final_val_loss,best_val_loss,final_train_loss,tokens,wall_s,diverged\n");
        for (Outcome o : outcomes) {
            RunLog log = Files.isRegularFile(o.dir().resolve("metrics.jsonl")) ? RunLog.read(o.dir()) : new RunLog(o.dir(), List.of());
            var last = log.rows().isEmpty() ? null : log.rows().getLast();
            boolean nan = o.result().divergedAtStep() != null;
            boolean blewUp = last != null && last.trainLoss() > log.rows().getFirst().trainLoss();   // ended above where it began
            boolean diverged = nan || blewUp;
            String fv = fmt(log.finalVal()), bv = fmt(log.bestVal()), ft = last == null ? "" : fmt(last.trainLoss());
            String tokens = last == null ? "" : Long.toString(last.tokens()), wall = last == null ? "" : String.format(Locale.ROOT, "%.1f", last.wallSeconds());
            boolean failed = !nan && o.result().error() != null;
            String div = nan ? "yes (NaN at step " + o.result().divergedAtStep() + ")" : blewUp ? "yes (loss rose)" : failed ? "failed" : "no";
            md.append(String.format("| %s | %s | %s | %s | %s | %s s | %s |%n", o.name(), fv, bv, ft, tokens, wall, div));
            csv.append(String.join(",", o.name(), fv, bv, ft, tokens, wall, diverged ? "yes" : failed ? "failed" : "no")).append('\n');
        }
        AtomicFile.write(out.resolve("summary.md"), o -> o.write(md.toString().getBytes(StandardCharsets.UTF_8)));
        AtomicFile.write(out.resolve("summary.csv"), o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static String fmt(Double d) {
        return d == null ? "" : Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : d.toString();
    }
}
