package dev.jlm.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlm.JlmException;
import dev.jlm.config.Settings;
import dev.jlm.io.AtomicFile;
import dev.jlm.io.JsonFiles;
import dev.jlm.train.DivergedException;
import dev.jlm.train.TrainConfig;
import dev.jlm.train.TrainSettings;
import dev.jlm.train.Trainer;
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
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A grid of training runs from one JSON description:
 * <pre>{"base": {settings}, "grid": {"lr_max": [1e-4, 1e-3]}, "runs": {"baseline": {}, "post-norm": {"norm": "post"}}}</pre>
 * The settings are `jlm train`'s (keys as its flags without the dashes, - or _). Every named run (or one unnamed run)
 * is combined with every point of the grid; each gets its own folder under the sweep folder, named after the run and
 * the point, with its config.json. The whole description is checked before the first run: its keys, every setting's
 * name, type and domain, and every run's name (a plain, unique folder name: nothing a run writes lies outside the
 * sweep folder). A finished (or diverged) run is not run again; an unfinished one resumes. The summary (final/best
 * validation loss, tokens, wall time, diverged: a NaN stop) is written as summary.md and summary.csv.
 */
public final class Sweep {
    /** How one training ended: ok, diverged at a step (a non-finite loss), or failed with a message. */
    public record Result(String error, Long divergedAtStep) {
        public static final Result OK = new Result(null, null);

        public boolean failed() {
            return error != null && divergedAtStep == null;
        }
    }

    public record Outcome(String name, Path dir, Result result, boolean skipped) {}

    /** A run of the sweep: its name, its settings as written to its config.json, and the config they make. */
    public record Run(String name, ObjectNode settings, TrainConfig config) {}

    static final String ERROR = "error.txt", DIVERGED = "diverged-at-step";
    private static final Set<String> TOP = Set.of("base", "grid", "runs");
    private static final Set<String> SET_BY_SWEEP = Set.of("out", "resume", "overwrite");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path spec, out;

    public Sweep(Path spec, Path out) {
        this.spec = spec;
        this.out = out;
    }

    /** Every run of the sweep, checked as a whole; a JlmException naming the grid file, the run and the key otherwise. */
    public List<Run> plan() throws IOException {
        JsonNode root = JsonFiles.read(spec, "grid");
        if (!root.isObject()) throw bad("expected a JSON object with base, grid and/or runs");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP.contains(k)) throw bad("unknown key '" + k + "' (a grid has base, grid and runs)");
        }
        ObjectNode base = object(root, "base");
        Map<String, ObjectNode> variants = new LinkedHashMap<>();
        if (root.has("runs")) {
            ObjectNode runs = object(root, "runs");
            if (runs.isEmpty()) throw bad("runs is empty");
            for (var it = runs.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isObject()) throw bad("runs." + e.getKey() + " must be an object of settings");
                variants.put(requireName(e.getKey()), (ObjectNode) e.getValue());
            }
        } else {
            variants.put("", JSON.createObjectNode());
        }
        List<Map<String, JsonNode>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        if (root.has("grid")) {
            for (var it = object(root, "grid").fields(); it.hasNext(); ) {
                var axis = it.next();
                if (!axis.getValue().isArray() || axis.getValue().isEmpty()) throw bad("grid." + axis.getKey() + " must be a non-empty list of values");
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
        List<Run> runs = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (var v : variants.entrySet()) {
            for (var p : points) {
                ObjectNode cfg = base.deepCopy();
                cfg.setAll(v.getValue());
                StringBuilder name = new StringBuilder(v.getKey());
                for (var e : p.entrySet()) {
                    cfg.set(e.getKey(), e.getValue());
                    name.append(name.isEmpty() ? "" : "_").append(e.getKey()).append('=').append(e.getValue().asText().replaceAll("[/\\\\]", "_"));
                }
                String n = name.isEmpty() ? "run" : name.toString();
                if (!names.add(n)) throw bad("two runs are named " + n);
                runs.add(new Run(n, cfg, config(n, cfg)));
            }
        }
        return runs;
    }

    /** The run's TrainConfig, its out folder under the sweep's: every key a setting, every value of its type and domain. */
    private TrainConfig config(String run, ObjectNode settings) throws IOException {
        Map<String, Object> given = new LinkedHashMap<>();
        for (var it = settings.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey().replace('-', '_');
            Settings.Setting s = Settings.find(TrainConfig.class, key);
            if (s == null) throw bad("run " + run + ": unknown setting '" + e.getKey() + "' (the settings are jlm train's flags, without the dashes)");
            if (SET_BY_SWEEP.contains(key)) throw bad("run " + run + ": '" + e.getKey() + "' is set by the sweep itself");
            given.put(key, Settings.fromJson(s, e.getValue(), spec + ": run " + run));
        }
        given.put("out", out.resolve(run));
        try {
            return TrainSettings.build(given, UnaryOperator.identity());
        } catch (JlmException e) {
            throw bad("run " + run + ": " + e.getMessage());
        }
    }

    /** Runs every planned run that is not finished, in order; {@code log} is told what happens. */
    public List<Outcome> run(Consumer<String> log) throws IOException {
        List<Run> plan = plan();                                      // all checked before anything is written
        Files.createDirectories(out);
        List<Outcome> outcomes = new ArrayList<>();
        for (Run r : plan) {
            Path dir = out.resolve(r.name());
            TrainConfig cfg = r.config();
            ObjectNode written = r.settings().deepCopy();
            written.put("out", dir.toString());
            if (Files.isRegularFile(dir.resolve("metrics.jsonl"))) {
                Result previous = readResult(dir);
                if (RunLog.read(dir).lastStep() >= cfg.steps() || previous.divergedAtStep() != null) {      // finished or diverged
                    outcomes.add(new Outcome(r.name(), dir, previous, true));
                    continue;
                }
                boolean checkpointed = Files.isRegularFile(dir.resolve(Trainer.LAST));   // else it stopped before its first checkpoint
                cfg = cfg.toBuilder().resume(checkpointed).overwrite(!checkpointed).build();
                written.put(checkpointed ? "resume" : "overwrite", true);
            }
            Files.createDirectories(dir);
            AtomicFile.write(dir.resolve("config.json"), o -> o.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(written)));
            log.accept("== " + r.name());
            Result result = train(cfg, log);
            writeResult(dir, result);
            outcomes.add(new Outcome(r.name(), dir, result, false));
        }
        writeSummary(outcomes);
        return outcomes;
    }

    private static Result train(TrainConfig cfg, Consumer<String> log) {
        try {
            Trainer.Summary s = new Trainer(cfg).run((step, total, loss, lr, tps, val) -> { });
            log.accept(String.format(Locale.ROOT, "   steps %d-%d, train loss %.4f%s", s.firstStep(), s.lastStep(), s.finalTrainLoss(),
                    s.finalValLoss() == null ? "" : String.format(Locale.ROOT, ", val loss %.4f", s.finalValLoss())));
            return Result.OK;
        } catch (DivergedException d) {
            log.accept("   diverged: " + d.getMessage());
            return new Result(d.getMessage(), d.step());
        } catch (JlmException | IllegalArgumentException | IOException e) {
            String m = String.valueOf(e.getMessage()).replace('\n', ' ');
            log.accept("   failed: " + m);
            return new Result(m, null);
        }
    }

    /** A run's name is a plain folder name under the sweep folder. */
    private String requireName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\") || name.startsWith("-")
                || name.chars().anyMatch(ch -> ch < 0x20)) {
            throw bad("run name '" + name + "' is not a plain folder name (no /, \\, leading -, . or ..)");
        }
        return name;
    }

    private ObjectNode object(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null) return JSON.createObjectNode();
        if (!n.isObject()) throw bad(key + " must be a JSON object");
        return (ObjectNode) n;
    }

    private JlmException bad(String what) {
        return new JlmException(spec + ": " + what);
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
            boolean nan = o.result().divergedAtStep() != null, failed = o.result().failed();
            boolean rose = last != null && last.trainLoss() > log.rows().getFirst().trainLoss();   // ended above where it began
            String fv = fmt(log.finalVal()), bv = fmt(log.bestVal()), ft = last == null ? "" : fmt(last.trainLoss());
            String tokens = last == null ? "" : Long.toString(last.tokens()), wall = last == null ? "" : String.format(Locale.ROOT, "%.1f", last.wallSeconds());
            String div = nan ? "yes (NaN at step " + o.result().divergedAtStep() + ")" : failed ? "failed" : rose ? "no (final loss above the first)" : "no";
            md.append(String.format("| %s | %s | %s | %s | %s | %s s | %s |%n", o.name(), fv, bv, ft, tokens, wall, div));
            csv.append(String.join(",", o.name(), fv, bv, ft, tokens, wall, nan ? "yes" : failed ? "failed" : "no")).append('\n');
        }
        AtomicFile.write(out.resolve("summary.md"), o -> o.write(md.toString().getBytes(StandardCharsets.UTF_8)));
        AtomicFile.write(out.resolve("summary.csv"), o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static String fmt(Double d) {
        return d == null ? "" : Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : d.toString();
    }
}
