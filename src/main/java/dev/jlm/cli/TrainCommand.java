package dev.jlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.JlmException;
import dev.jlm.nn.ModelConfig;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.CosineSchedule;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.train.TrainConfig;
import dev.jlm.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", header = "Train a Transformer LM on uint16 token files.", showDefaultValues = true,
        description = "Every option can also come from --config run.json (keys as the flags, without dashes, - or _);"
                + " flags given on the command line win.")
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", description = "JSON file of option values") Path config;
    @Option(names = "--train", description = "training tokens (uint16 file)") Path train;
    @Option(names = "--valid", description = "validation tokens (uint16 file)") Path valid;
    @Option(names = "--out", description = "run folder: checkpoints, metrics.jsonl") Path out;
    @CommandLine.Mixin ModelOptions modelOptions;
    @Option(names = "--batch-size") int batchSize = 32;
    @Option(names = "--steps") long steps = 1000;
    @Option(names = "--lr-max") double lrMax = 1e-3;
    @Option(names = "--lr-min", description = "default lr-max / 10") Double lrMin;
    @Option(names = "--warmup", description = "default steps / 20") Long warmup;
    @Option(names = "--cosine-steps", description = "default = steps") Long cosineSteps;
    @Option(names = "--weight-decay") double weightDecay = 0.1;
    @Option(names = "--beta1") double beta1 = 0.9;
    @Option(names = "--beta2") double beta2 = 0.95;
    @Option(names = "--eps") double eps = 1e-8;
    @Option(names = "--grad-clip", description = "max global L2 norm; 0 = off") double gradClip = 1.0;
    @Option(names = "--eval-every") long evalEvery = 100;
    @Option(names = "--eval-windows") int evalWindows = 64;
    @Option(names = "--save-every") long saveEvery = 500;
    @Option(names = "--seed") long seed = 0;
    @Option(names = "--device", description = "cpu or cuda:N") String device = "cpu";
    @Option(names = "--dtype", description = "float32 or bfloat16 (compute; weights and optimizer stay float32)") String dtype = "float32";
    @Option(names = "--threads", description = "intra-op threads; 0 = libtorch's default") int threads = Runtime.getRuntime().availableProcessors();
    @Option(names = "--fused", description = "use libtorch's fused kernels (sdpa, cross-entropy, silu)") boolean fused;
    @Option(names = "--resume", description = "continue from RUN_DIR/last.safetensors if present") boolean resume;

    @Override
    public Integer call() throws Exception {
        if (config != null) applyConfig(config);
        if (train == null || out == null) throw new IllegalArgumentException("--train and --out are required (flags or --config)");
        ModelConfig model = modelOptions.config();
        long cos = cosineSteps != null ? cosineSteps : steps;
        long warm = warmup != null ? warmup : Math.min(cos, Math.max(1, steps / 20));
        TrainConfig cfg = new TrainConfig(model, train, valid, out, batchSize, steps,
                new CosineSchedule(lrMax, lrMin != null ? lrMin : lrMax / 10, warm, cos), new AdamWConfig(beta1, beta2, eps, weightDecay),
                gradClip, evalEvery, evalWindows, saveEvery, seed, Device.parse(device), DType.parse(dtype), threads, fused, resume);
        Progress bar = new Progress("", 1);
        Trainer.Summary s = new Trainer(cfg).run((step, total, loss, tps, val) ->
                bar.update("train", step, total, String.format(Locale.ROOT, "loss %.4f%s  %.0f tok/s", loss,
                        val == null ? "" : String.format(Locale.ROOT, " val %.4f", val), tps)));
        bar.finishLine();
        System.out.printf(Locale.ROOT, "trained %d steps in %.1f s (%,d tokens, %.0f tokens/s): train loss %.4f%s%n", s.steps(), s.seconds(),
                s.tokens(), s.tokens() / s.seconds(), s.finalTrainLoss(),
                s.finalValLoss() == null ? "" : String.format(Locale.ROOT, ", val loss %.4f", s.finalValLoss()));
        System.out.println("checkpoint: " + s.lastCheckpoint() + "   metrics: " + out.resolve("metrics.jsonl"));
        System.out.println("memory: " + Memory.peakRss());
        return 0;
    }

    static <E extends Enum<E>> E parse(Class<E> type, String v, String flag) {
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": unknown value '" + v + "'");
        }
    }

    /** Sets each option named in the JSON file unless it was given on the command line. */
    private void applyConfig(Path file) throws Exception {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--config " + file + ": no such file");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("--config " + file + ":" + e.getLocation().getLineNr() + ": malformed JSON");
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("--config " + file + ": expected a JSON object");
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = "--" + e.getKey().replace('_', '-');
            CommandLine.Model.OptionSpec opt = spec.findOption(name);
            if (opt == null || name.equals("--config")) throw new IllegalArgumentException("--config " + file + ": unknown option '" + e.getKey() + "'");
            if (parsed.hasMatchedOption(opt)) continue;
            String v = e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString();
            try {
                opt.setValue(convert(opt.type(), v));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("--config " + file + ": bad value for '" + e.getKey() + "': " + v);
            }
        }
    }

    private static Object convert(Class<?> type, String v) {
        if (type == int.class || type == Integer.class) return Integer.parseInt(v);
        if (type == long.class || type == Long.class) return Long.parseLong(v);
        if (type == double.class || type == Double.class) return Double.parseDouble(v);
        if (type == boolean.class || type == Boolean.class) return Boolean.parseBoolean(v);
        if (type == Path.class) return Path.of(v);
        if (type == String.class) return v;
        throw new JlmException("unsupported option type " + type);
    }
}
