package dev.jlm.cli;

import dev.jlm.JlmException;
import dev.jlm.config.Domain;
import dev.jlm.experiments.Plot;
import dev.jlm.train.RunLog;
import dev.jlm.io.Outputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plot", header = "Plot train and validation loss of runs against steps and wall time (PNG).", showDefaultValues = true)
final class PlotCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run folders (with metrics.jsonl)") List<Path> runs;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "PNG file to write (an existing PNG is replaced; any other file is refused)") Path out;
    @Option(names = "--title", defaultValue = "loss", description = "chart title (at most " + Plot.MAX_TITLE + " characters)") String title;
    @Domain("> 0") @Option(names = "--y-max", description = "clip the loss axis (diverged runs)") Double yMax;

    @Override
    public Integer call() throws Exception {
        Plot.requireTitle(title, "--title");
        Map<String, Path> inputs = new LinkedHashMap<>();
        for (Path r : runs) inputs.put(r + "'s metrics", r.resolve("metrics.jsonl"));
        Outputs.requireFile(out, "--out", inputs);                  // before any run is read
        requireReplaceable(out);
        Map<Path, Path> seen = new LinkedHashMap<>();
        for (Path r : runs) {                                          // one folder twice: one run drawn over itself
            Path real = Files.isDirectory(r) ? r.toRealPath() : r.toAbsolutePath().normalize();
            Path first = seen.putIfAbsent(real, r);
            if (first != null) {
                throw new JlmException("RUN_DIR " + r + " is given twice" + (first.toString().equals(r.toString()) ? "" : " (" + first + " is the same folder)"));
            }
        }
        List<RunLog> logs = new ArrayList<>();
        List<String> notes = new ArrayList<>();                        // said once the plot is sure to be drawn (a refusal is one line)
        for (Path r : runs) logs.add(RunLog.read(r, notes::add));
        List<String> empty = logs.stream().filter(l -> l.rows().isEmpty()).map(l -> l.dir().resolve("metrics.jsonl").toString()).toList();
        if (empty.size() == logs.size()) throw new JlmException("nothing to plot: no metrics rows in " + String.join(", ", empty));
        for (String f : empty) notes.add(f + " has no rows yet: that run is not drawn");
        for (String n : notes) spec.commandLine().getErr().println("jlm: note: " + n);
        Plot.write(logs, out, title, yMax);
        System.out.println("wrote " + out);
        return 0;
    }

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** A file already at {@code out} is replaced only when it is a PNG (or empty): a mistyped --out never costs a checkpoint. */
    private static void requireReplaceable(Path out) throws IOException {
        if (!Files.isRegularFile(out) || Files.size(out) == 0) return;
        byte[] head;
        try (var in = Files.newInputStream(out)) {
            head = in.readNBytes(PNG.length);
        }
        if (!Arrays.equals(head, PNG)) {
            throw new JlmException("--out " + out + " exists and is not a PNG image: plot replaces only a PNG; give a new path, or move that file away");
        }
    }
}
