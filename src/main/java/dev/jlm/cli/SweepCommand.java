package dev.jlm.cli;

import dev.jlm.experiments.Plot;
import dev.jlm.experiments.RunLog;
import dev.jlm.experiments.Sweep;
import dev.jlm.JlmException;
import dev.jlm.train.DivergedException;
import dev.jlm.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sweep", header = "Run a grid of trainings from one JSON description; resumable; writes summary.md/.csv and curves.png.",
        showDefaultValues = true)
final class SweepCommand implements Callable<Integer> {
    @Option(names = "--grid", required = true, description = "sweep description (JSON: base, grid, runs)") Path grid;
    @Option(names = "--out", required = true, description = "sweep folder: one run folder per point") Path out;
    @Domain("> 0") @Option(names = "--y-max", description = "clip the plot's loss axis") Double yMax;

    @Override
    public Integer call() throws Exception {
        Sweep sweep = new Sweep(grid, out);
        var outcomes = sweep.run(config -> {                       // the trainer in this process, its errors typed
            System.out.println("== " + config.getParent().getFileName());
            try {
                Trainer.Summary s = new Trainer(TrainCommand.parse("--config", config.toString())).run((step, total, loss, lr, tps, val) -> { });
                System.out.printf(Locale.ROOT, "   steps %d-%d, train loss %.4f%s%n", s.firstStep(), s.lastStep(), s.finalTrainLoss(),
                        s.finalValLoss() == null ? "" : String.format(Locale.ROOT, ", val loss %.4f", s.finalValLoss()));
                return Sweep.Result.OK;
            } catch (DivergedException d) {
                System.out.println("   diverged: " + d.getMessage());
                return Sweep.Result.diverged(d.step(), d.getMessage());
            } catch (JlmException | IllegalArgumentException | CommandLine.ParameterException | java.io.IOException e) {
                System.out.println("   failed: " + Errors.oneLine(e));
                return Sweep.Result.failed(Errors.oneLine(e));
            }
        });
        List<RunLog> logs = new ArrayList<>();
        for (var o : outcomes) if (Files.isRegularFile(o.dir().resolve("metrics.jsonl"))) logs.add(RunLog.read(o.dir()));
        if (!logs.isEmpty()) Plot.write(logs, out.resolve("curves.png"), grid.getFileName().toString().replace(".json", ""), yMax);
        System.out.println(Files.readString(out.resolve("summary.md")));
        System.out.println("wrote " + out.resolve("summary.md") + ", summary.csv, curves.png");
        return 0;
    }
}
