package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.experiments.Plot;
import dev.jlm.train.RunLog;
import dev.jlm.experiments.Sweep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sweep", header = "Run a grid of trainings from one JSON description; resumable; writes summary.md/.csv and curves.png.",
        showDefaultValues = true,
        description = {"The grid file is a JSON object with up to three keys, each optional:",
                "  base: settings every run shares; grid: a list of values per setting, every combination is a run;",
                "  runs: named variants, each combined with every grid point. Settings are `jlm train`'s flags without the",
                "  dashes (lr_max or lr-max). Example:",
                "  {\"base\": {\"train\": \"train.bin\", \"valid\": \"valid.bin\", \"steps\": 300},",
                "   \"grid\": {\"lr_max\": [1e-4, 1e-3, 1e-2]},",
                "   \"runs\": {\"baseline\": {}, \"post-norm\": {\"norm\": \"post\"}}}",
                "The whole file is checked before the first run (a key given twice, in either spelling, is refused). Each run"
                        + " trains in OUT/NAME (NAME_key=value for grid points): letters, digits and . _ = + - (a grid value's other"
                        + " characters become _), unique ignoring case. A finished or diverged run is skipped, an unfinished one resumes."
                        + " summary.csv is RFC 4180 (numbers with a decimal point, whatever the locale). Exit 1 when a run failed."})
final class SweepCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--grid", required = true, paramLabel = "FILE", description = "sweep description (JSON: base, grid, runs)") Path grid;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "sweep folder: one run folder per point") Path out;
    @Domain("> 0") @Option(names = "--y-max", description = "clip the plot's loss axis") Double yMax;

    @Override
    public Integer call() throws Exception {
        var outcomes = new Sweep(grid, out).run(System.out::println);
        List<RunLog> logs = new ArrayList<>();
        for (var o : outcomes) if (Files.isRegularFile(o.dir().resolve("metrics.jsonl"))) logs.add(RunLog.read(o.dir()));
        List<String> wrote = new ArrayList<>(List.of(out.resolve("summary.md").toString(), "summary.csv"));
        if (!logs.isEmpty()) {
            Plot.write(logs, out.resolve("curves.png"), grid.getFileName().toString().replace(".json", ""), yMax);
            wrote.add("curves.png");
        }
        System.out.println(Files.readString(out.resolve("summary.md")));
        System.out.println("wrote " + String.join(", ", wrote));
        long failed = outcomes.stream().filter(o -> o.result().failed()).count();
        if (failed > 0) {
            spec.commandLine().getErr().println("jlm: " + failed + " of " + outcomes.size() + " runs failed (see their error.txt)");
            return Errors.FAILED;
        }
        return 0;
    }
}
