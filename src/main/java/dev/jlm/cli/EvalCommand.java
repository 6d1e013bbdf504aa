package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.config.Settings;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.train.Evaluator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", header = "Mean cross-entropy of a checkpoint over windows of a token file (JSON).", showDefaultValues = true,
        description = "Window k holds tokens k·T .. k·T+T (T the context length). Which windows: the first N (--windows N), every one"
                + " (--windows all), or N drawn across the whole file (--windows N --sample, seeded by --seed).")
final class EvalCommand implements Callable<Integer>, SettingFlags.Host {
    @Mixin CheckpointOptions checkpoint;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "uint16 token file to evaluate on") Path data;
    @Domain("all or > 0") @Option(names = "--windows", description = "how many windows of context-length tokens (fewer if the file is"
            + " shorter), or all") String windows = "64";
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--sample", description = "draw the windows at random across the file instead of taking the first ones") boolean sample;
    @Option(names = "--seed", description = "seed of --sample") long seed = 0;
    @Domain("> 0") @Option(names = "--batch-size", description = "windows per forward pass") int batchSize = 16;
    @Option(names = "--unigram-from", description = "also report the unigram baseline estimated from this token file") Path unigramFrom;

    /** --device, --dtype, --threads, --kernels: train's settings, as train declares them. */
    final ComputeOptions compute = new ComputeOptions(Set.of("device", "dtype", "threads", "kernels"),
            Map.of("dtype", "compute dtype; the weights stay float32"));

    @Override
    public java.util.List<SettingFlags> settingFlags() {
        return java.util.List.of(checkpoint.model, compute.flags);
    }

    @Override
    public Integer call() throws Exception {
        if (!sample && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {   // a flag that would do nothing
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--seed seeds --sample's draw; without --sample eval takes the"
                    + " first windows and --seed would do nothing");
        }
        Device device = compute.use();
        ModelFiles.Resolved ckpt = checkpoint.resolve();
        ModelConfig c = ckpt.config();
        dev.jlm.nn.MemoryBudget.require(c, batchSize, false, device);
        try (TokenFile tokens = TokenFile.open(data, c.vocabSize(), "the checkpoint's vocab size"); var run = TensorScope.open()) {
            long available = Evaluator.available(tokens, c.contextLength());
            long n = windows.equals("all") ? available : Long.parseLong(windows);
            long[] which = sample ? Evaluator.sample(n, available, seed) : Evaluator.first(n, available);
            Double unigram = null;
            if (unigramFrom != null) {                            // every input read before the model: a bad one costs no evaluation
                try (TokenFile train = TokenFile.open(unigramFrom, c.vocabSize(), "the checkpoint's vocab size")) {
                    unigram = Evaluator.unigramLoss(train, tokens, which, c.contextLength(), c.vocabSize());
                }
            }
            Kernels.Choice choice = compute.kernels();
            TransformerLm model = Checkpoint.load(ckpt, device, compute.dtype(), choice.kernels());
            Progress bar = new Progress("windows", 1);
            Evaluator.Result r = Evaluator.evaluate(model, tokens, which, batchSize, done -> bar.update("eval", done, which.length, null));
            bar.finishLine();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("loss", r.loss());
            out.put("perplexity", r.perplexity());
            out.put("tokens", r.tokens());
            out.put("windows", r.windows());
            out.put("device", model.params().device().toString());
            out.put("dtype", Settings.spell(compute.dtype()));
            out.put("kernels", choice.kernels() == Kernels.REFERENCE ? "reference" : "fused");
            if (unigram != null) out.put("unigram_loss", unigram);
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
        return 0;
    }
}
