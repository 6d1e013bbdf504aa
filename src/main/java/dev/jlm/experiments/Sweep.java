package dev.jlm.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlm.JlmException;
import dev.jlm.config.Settings;
import dev.jlm.io.AtomicFile;
import dev.jlm.io.JsonFiles;
import dev.jlm.train.DivergedException;
import dev.jlm.train.RunFolder;
import dev.jlm.train.RunLog;
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
 * the point, with its config.json. The whole description is checked before the first run: its keys (none twice, in
 * either spelling; a run may not set what the grid varies), every setting's name, type and domain, and every run's
 * name ({@link #NAME}: nothing a run writes lies outside the sweep folder, and no two runs share a folder). A finished
 * (or diverged) run is not run again; an unfinished one resumes. The summary (final/best validation loss, tokens, wall
 * time, diverged: a NaN stop, and the failure's message) is written as summary.md and summary.csv (RFC 4180, numbers
 * in Locale.ROOT).
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
    /**
     * A run's folder name: letters, digits and {@code . _ = + -}, not starting with . or -, at most 255 characters (a file
     * name's limit); unique ignoring case (as a case-insensitive file system sees it) and none of the sweep's own files. A
     * grid value's other characters become _ in the names it makes.
     */
    static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_=+][A-Za-z0-9._=+-]{0,254}");
    private static final Set<String> SWEEP_FILES = Set.of("summary.md", "summary.csv", "curves.png");
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
        ObjectNode base = settings(object(root, "base"), "base");
        Map<String, ObjectNode> variants = new LinkedHashMap<>();
        if (root.has("runs")) {
            ObjectNode runs = object(root, "runs");
            if (runs.isEmpty()) throw bad("runs is empty");
            for (var e : runs.properties()) {
                if (!e.getValue().isObject()) throw bad("runs." + e.getKey() + " must be an object of settings");
                variants.put(requireName(e.getKey()), settings((ObjectNode) e.getValue(), "runs." + e.getKey()));
            }
        } else {
            variants.put("", JSON.createObjectNode());
        }
        List<Map<String, JsonNode>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        Map<String, String> axes = new LinkedHashMap<>();                  // setting key → the grid's spelling of it
        if (root.has("grid")) {
            ObjectNode grid = settings(object(root, "grid"), "grid");
            double count = variants.size();                          // a grid too large to run is refused before it is built
            for (var axis : grid.properties()) count *= Math.max(1, axis.getValue().size());
            if (count > 10_000) throw bad(String.format(java.util.Locale.ROOT, "%,.0f runs; a sweep runs at most 10,000: split the grid", count));
            for (var axis : grid.properties()) {
                if (!axis.getValue().isArray() || axis.getValue().isEmpty()) throw bad("grid." + axis.getKey() + " must be a non-empty list of values");
                axes.put(axis.getKey(), spelling(object(root, "grid"), axis.getKey()));
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
        for (var v : variants.entrySet()) {
            for (String k : axes.keySet()) {
                if (v.getValue().has(k)) throw bad("runs." + v.getKey() + " sets " + k + ", which the grid varies: the grid's values would win");
            }
        }
        List<Run> runs = new ArrayList<>();
        Map<String, String> names = new java.util.HashMap<>();             // lower case → as named
        for (var v : variants.entrySet()) {
            for (var p : points) {
                ObjectNode cfg = base.deepCopy();
                cfg.setAll(v.getValue());
                StringBuilder name = new StringBuilder(v.getKey());
                for (var e : p.entrySet()) {
                    cfg.set(e.getKey(), e.getValue());
                    String value = e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString();
                    name.append(name.isEmpty() ? "" : "_").append(axes.get(e.getKey())).append('=').append(value.replaceAll("[^A-Za-z0-9._=+-]", "_"));
                }
                String n = name.isEmpty() ? "run" : name.toString();
                if (!NAME.matcher(n).matches()) throw bad("run name " + n + " is longer than a folder name may be (255 characters)");
                if (SWEEP_FILES.contains(n.toLowerCase(Locale.ROOT))) throw bad("a run named " + n + " would be the sweep's own " + n);
                String before = names.put(n.toLowerCase(Locale.ROOT), n);
                if (before != null) throw bad(before.equals(n) ? "two runs are named " + n : "runs " + before + " and " + n + " differ only in case");
                runs.add(new Run(n, cfg, config(n, cfg)));
            }
        }
        return runs;
    }

    /**
     * The settings of one object of the description ({@code where}: base, grid, runs.NAME) under their keys (lr-max →
     * lr_max), as written otherwise; a setting given twice in two spellings is refused.
     */
    private ObjectNode settings(ObjectNode o, String where) {
        ObjectNode out = JSON.createObjectNode();
        Map<String, String> spelt = new LinkedHashMap<>();
        for (var e : o.properties()) {
            String key = e.getKey().replace('-', '_'), before = spelt.put(key, e.getKey());
            if (before != null) throw bad(where + ": " + key + " is given twice ('" + before + "' and '" + e.getKey() + "')");
            out.set(key, e.getValue());
        }
        return out;
    }

    /** How {@code o} spells the setting {@code key} (lr-max or lr_max): run names keep the description's words. */
    private static String spelling(ObjectNode o, String key) {
        for (var e : o.properties()) if (e.getKey().replace('-', '_').equals(key)) return e.getKey();
        return key;
    }

    /** The run's TrainConfig, its out folder under the sweep's: every key a setting, every value of its type and domain. */
    private TrainConfig config(String run, ObjectNode settings) throws IOException {
        Map<String, Object> given = new LinkedHashMap<>();
        for (var it = settings.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
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
        for (Run r : plan) {                                          // each run's inputs there, not found one run at a time
            for (var in : new Object[][] {{"train", r.config().train()}, {"valid", r.config().valid()}, {"init_from", r.config().initFrom()}}) {
                Path p = (Path) in[1];
                if (p == null || (in[0].equals("init_from") ? Files.exists(p) : Files.isRegularFile(p) && Files.isReadable(p))) continue;
                String problem = dev.jlm.io.Inputs.problem(p, in[0].equals("init_from") ? "checkpoint" : "token file");
                throw bad("run " + r.name() + ": " + in[0] + " " + p + (problem.startsWith("is ") ? " " : ": ") + problem
                        + (p.isAbsolute() ? "" : " (a relative path is read from the current folder, " + Path.of("").toAbsolutePath() + ")"));
            }
        }
        if (Files.isDirectory(out)) {                                 // the sweep's own files replace what is at their paths
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("--grid", spec);
            for (Run r : plan) {
                inputs.put("run " + r.name() + "'s train", r.config().train());
                inputs.put("run " + r.name() + "'s valid", r.config().valid());
                inputs.put("run " + r.name() + "'s init_from", r.config().initFrom());
            }
            for (String f : List.of("summary.md", "summary.csv", "curves.png")) dev.jlm.io.Outputs.requireFile(out.resolve(f), "the sweep's " + f, inputs);
        }
        try (RunFolder.Lock held = RunFolder.lock(out)) {              // one sweep (or train) writes a folder at a time
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
        } catch (JlmException | dev.jlm.tokenizer.TokenizerException | IllegalArgumentException | IOException e) {
            String m = String.valueOf(e.getMessage()).replace('\n', ' ');
            log.accept("   failed: " + m);
            return new Result(m, null);
        }
    }

    /** A run's name, as the description gives it, is a plain folder name ({@link #NAME}). */
    private String requireName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw bad("run name '" + name + "' is not a plain folder name: letters, digits and . _ = + - (not first: . or -), at most 255");
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
        StringBuilder csv = new StringBuilder(csvRow(List.of("run", "final_val_loss", "best_val_loss", "final_train_loss", "tokens", "wall_s",
                "diverged", "error")));
        for (Outcome o : outcomes) {
            RunLog log = Files.isRegularFile(o.dir().resolve("metrics.jsonl")) ? RunLog.read(o.dir()) : new RunLog(o.dir(), List.of());
            var last = log.rows().isEmpty() ? null : log.rows().getLast();
            boolean nan = o.result().divergedAtStep() != null, failed = o.result().failed();
            boolean rose = last != null && last.trainLoss() > log.rows().getFirst().trainLoss();   // ended above where it began
            String fv = fmt(log.finalVal()), bv = fmt(log.bestVal()), ft = last == null ? "" : fmt(last.trainLoss());
            String tokens = last == null ? "" : Long.toString(last.tokens()), wall = last == null ? "" : String.format(Locale.ROOT, "%.1f", last.wallSeconds());
            String div = nan ? "yes (NaN at step " + o.result().divergedAtStep() + ")" : failed ? "failed" : rose ? "no (final loss above the first)" : "no";
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s s | %s |%n", o.name(), fv, bv, ft, tokens, wall, div));
            csv.append(csvRow(List.of(o.name(), fv, bv, ft, tokens, wall, nan ? "yes" : failed ? "failed" : "no",
                    o.result().error() == null ? "" : o.result().error())));
        }
        AtomicFile.write(out.resolve("summary.md"), o -> o.write(md.toString().getBytes(StandardCharsets.UTF_8)));
        AtomicFile.write(out.resolve("summary.csv"), o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * One CSV record as RFC 4180 writes it: fields joined by commas, a field holding a comma, a double quote, CR or LF
     * enclosed in double quotes with each quote doubled, and the record ended by CRLF.
     */
    static String csvRow(List<String> fields) {
        StringBuilder row = new StringBuilder();
        for (String f : fields) {
            if (!row.isEmpty()) row.append(',');
            boolean quote = f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\r') >= 0 || f.indexOf('\n') >= 0;
            row.append(quote ? '"' + f.replace("\"", "\"\"") + '"' : f);
        }
        return row.append("\r\n").toString();
    }

    private static String fmt(Double d) {
        return d == null ? "" : Double.isFinite(d) ? String.format(Locale.ROOT, "%.4f", d) : d.toString();
    }
}
