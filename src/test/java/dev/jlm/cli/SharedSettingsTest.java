package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.nn.Kernels;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.TokenFiles;
import dev.jlm.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The settings train, eval and generate share (--device, --dtype, --threads, --kernels, --cuda-graphs) are one
 * declaration: the same bad value gets the same refusal, word for word (written here by hand), from each verb; the same
 * good value the same meaning; and eval's --dtype bfloat16 computes in bfloat16, within a bound bfloat16's precision
 * sets of float32's loss.
 */
class SharedSettingsTest {
    static final List<String> VERBS = List.of("train", "eval", "generate");

    /** The verb with its required options (missing paths under {@code dir}: nothing can be read), then {@code extra}. */
    static String[] command(Path dir, String verb, String... extra) {
        String p = dir.resolve("missing").toString();
        List<String> args = new ArrayList<>(List.of(verb));
        switch (verb) {
            case "train" -> args.addAll(List.of("--train", p, "--out", dir.resolve("run").toString()));
            case "eval" -> args.addAll(List.of("--checkpoint", p, "--data", p));
            default -> args.addAll(List.of("--checkpoint", p, "--tokenizer", p));
        }
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** One line, exactly {@code expected} with VERB the verb, the exit code, and nothing on stdout nor in the folder. */
    static void assertRefused(Path dir, String verb, int code, String expected, String... flags) throws Exception {
        var r = CliTrainTest.run(command(dir, verb, flags));
        String what = "jlm " + verb + " " + String.join(" ", flags);
        assertEquals(expected.replace("VERB", verb), r.err(), what);
        assertEquals(code, r.code(), what + ": " + r.err());
        assertEquals("", r.out(), what + " printed (a banner before the check?)");
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), what + " made a file");
        }
    }

    @Test
    void theSameBadValueIsRefusedAlikeByEveryVerb(@TempDir Path dir) throws Exception {
        String[][] rows = {                                      // flags, the refusal (VERB: the verb's name)
                {"--device gpu", "jlm: --device must be auto, cpu or cuda:N, got 'gpu' (see: jlm VERB --help)"},
                {"--device cuda:-1", "jlm: --device must be auto, cpu or cuda:N, got 'cuda:-1' (see: jlm VERB --help)"},
                {"--threads -1", "jlm: --threads must be in [0, 4096], got -1 (see: jlm VERB --help)"},
                {"--threads 4097", "jlm: --threads must be in [0, 4096], got 4097 (see: jlm VERB --help)"},
                {"--threads two", "jlm: Invalid value for option '--threads': 'two' is not an int (see: jlm VERB --help)"},
                {"--kernels cuda", "jlm: --kernels must be one of auto, fused, reference, got 'cuda' (see: jlm VERB --help)"},
                {"--dtype float16", "jlm: --dtype must be one of float32, bfloat16, got 'float16' (see: jlm VERB --help)"},
                {"--threads 1 --threads 2", "jlm: option '--threads' (N) should be specified only once (see: jlm VERB --help)"},
                {"--dtype bfloat16 --dtype float32", "jlm: option '--dtype' (NAME) should be specified only once (see: jlm VERB --help)"},
        };
        for (String[] row : rows) for (String verb : VERBS) assertRefused(dir, verb, 2, row[1], row[0].split(" "));
        for (String verb : VERBS) {                                // a misspelt flag: the nearest one, whatever else the verb has
            assertRefused(dir, verb, 2, "jlm: Unknown options: '--devcie', 'cpu'; did you mean --device? (see: jlm VERB --help)", "--devcie", "cpu");
            assertRefused(dir, verb, 2, "jlm: Unknown option: '--dtpye=bfloat16'; did you mean --dtype? (see: jlm VERB --help)", "--dtpye=bfloat16");
        }
        for (String verb : List.of("train", "generate")) {
            assertRefused(dir, verb, 2, "jlm: --cuda-graphs must be one of auto, on, off, got 'yes' (see: jlm VERB --help)", "--cuda-graphs", "yes");
        }
    }

    /**
     * A key that names no setting, or one given twice, is not a value out of its domain (exit 2) but a file that says
     * something jlm does not read: exit 1, one line naming the file, in --config, a sweep's grid and the config.json that
     * eval and generate read beside a model alike.
     */
    @Test
    void unknownAndDuplicateKeysExitOne(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 500, 64, 1);
        String base = "\"train\": \"" + data + "\", \"out\": \"" + dir.resolve("run") + "\", \"vocab_size\": 64, \"steps\": 1";
        for (String extra : List.of("\"devcie\": \"cpu\"", "\"dtype\": \"float32\", \"dtype\": \"bfloat16\"", "\"threads\": 1, \"threads\": 1")) {
            Path cfg = Files.writeString(dir.resolve("c.json"), "{" + base + ", " + extra + "}");
            var r = CliTrainTest.run("train", "--config", cfg.toString());
            assertEquals(1, r.code(), extra + ": " + r.err());
            assertTrue(r.err().startsWith("jlm: ") && r.err().contains(cfg + ": ") && !r.err().contains("\n"), r.err());
        }
        String sweepBase = base.replace(", \"out\": \"" + dir.resolve("run") + "\"", "");
        for (String extra : List.of("\"devcie\": \"cpu\"", "\"steps\": 2")) {
            Path grid = Files.writeString(dir.resolve("g.json"), "{\"base\": {" + sweepBase + ", " + extra + "}, \"grid\": {\"lr_max\": [0.001]}}");
            var s = CliTrainTest.run("sweep", "--grid", grid.toString(), "--out", dir.resolve("sweep").toString());
            assertEquals(1, s.code(), extra + ": " + s.err());
            assertTrue(s.err().startsWith("jlm: " + grid) && !s.err().contains("\n"), s.err());
        }
        assertFalse(Files.exists(dir.resolve("run")) || Files.exists(dir.resolve("sweep")), "a refused file made a run");
        Path model = Files.createDirectories(dir.resolve("model"));          // the config.json eval and generate read beside a model
        dev.jlm.testing.SavedModels.save(model.resolve("model.safetensors"),
                dev.jlm.nn.ModelConfig.builder().vocabSize(64).contextLength(8).dModel(16).numLayers(1).numHeads(2).build(), 1);
        String cfg = "\"vocab_size\": 64, \"context_length\": 8, \"d_model\": 16, \"num_layers\": 1, \"num_heads\": 2";
        for (String extra : List.of("\"nrom\": \"pre\"", "\"num_heads\": 2")) {
            Files.writeString(model.resolve("config.json"), "{" + cfg + ", " + extra + "}");
            for (String verb : List.of("eval", "generate")) {
                var r = CliTrainTest.run(verb.equals("eval") ? new String[] {"eval", "--checkpoint", model.toString(), "--data", data.toString()}
                        : new String[] {"generate", "--checkpoint", model.toString(), "--tokenizer", dir.resolve("missing").toString()});
                assertEquals(1, r.code(), verb + " " + extra + ": " + r.err());
                assertTrue(r.err().startsWith("jlm: " + model.resolve("config.json")) && !r.err().contains("\n"), r.err());
            }
        }
    }

    /** A device this machine lacks is said before anything is read or printed (no "train on cuda:N" banner first). */
    @Test
    void aMissingDeviceIsSaidFirstAndAlike(@TempDir Path dir) throws Exception {
        int n = Torch.cudaAvailable() ? Torch.cudaDeviceCount() : 0;
        String reason = n == 0 ? "cuda:0 requested but CUDA is not available (this libtorch has no CUDA, or no GPU is visible)"
                : "cuda:" + n + " is not a valid device: " + n + " CUDA device(s) available";
        for (String verb : VERBS) assertRefused(dir, verb, 1, "jlm: --device cuda:" + n + ": " + reason, "--device", "cuda:" + n);
        var demo = CliTrainTest.run("tensor-demo", "--device", "cuda:" + n);
        assertEquals(1, demo.code(), demo.err());
        assertEquals("jlm: --device cuda:" + n + ": " + reason, demo.err());
        assertEquals("", demo.out());
    }

    /** The same text means the same value in every verb: parsed by the one parser into the same typed values. */
    @Test
    void theSameValueMeansTheSameInEveryVerb(@TempDir Path dir) throws Exception {
        String[] flags = {"--device", "cpu", "--dtype", "bfloat16", "--threads", "3", "--kernels", "reference"};
        String[] train = command(dir, "train", flags);
        TrainConfig t = TrainCommand.parse(java.util.Arrays.copyOfRange(train, 1, train.length));
        for (String verb : List.of("eval", "generate")) {
            CommandLine root = Jlm.commandLine();
            root.parseArgs(command(dir, verb, flags));
            ComputeOptions c = verb.equals("eval") ? ((EvalCommand) root.getSubcommands().get(verb).getCommand()).compute
                    : ((GenerateCommand) root.getSubcommands().get(verb).getCommand()).compute;
            assertEquals(Device.CPU, c.device(), verb);
            assertEquals(DType.BFLOAT16, c.dtype(), verb);
            assertEquals(3, c.threads(), verb);
            assertEquals(Kernels.Choice.REFERENCE, c.kernels(), verb);
            assertEquals(List.of(t.device(), t.dtype(), t.threads(), t.kernels()), List.of(c.device(), c.dtype(), c.threads(), c.kernels()), verb);
        }
        CommandLine root = Jlm.commandLine();
        root.parseArgs(command(dir, "generate", "--cuda-graphs", "off"));
        assertEquals(CudaGraph.Mode.OFF, ((GenerateCommand) root.getSubcommands().get("generate").getCommand()).compute.cudaGraphs());
        root = Jlm.commandLine();
        root.parseArgs(command(dir, "eval"));                         // train's defaults
        ComputeOptions d = ((EvalCommand) root.getSubcommands().get("eval").getCommand()).compute;
        assertEquals(List.of(DType.FLOAT32, Runtime.getRuntime().availableProcessors(), Kernels.Choice.AUTO), List.of(d.dtype(), d.threads(), d.kernels()));
    }

    /**
     * Oracle: the float32 loss of the same checkpoint on the same windows, and bfloat16's precision: 8 significant bits,
     * a relative step of 2^-8 ≈ 0.4%; the mean loss may move by a few of those steps (1% of the loss), and must move (a
     * --dtype that was ignored gives float32's loss to the last bit).
     */
    @Test
    void evalInBfloat16IsCloseToFloat32(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 4000, 64, 7), run = dir.resolve("run");
        var trained = CliTrainTest.run("train", "--train", data.toString(), "--out", run.toString(), "--vocab-size", "64", "--context-length", "16",
                "--d-model", "32", "--num-layers", "2", "--num-heads", "2", "--batch-size", "8", "--steps", "40", "--lr-max", "0.01", "--threads", "1");
        assertEquals(0, trained.code(), trained.err());
        Map<String, Double> loss = new java.util.HashMap<>();
        for (String dtype : List.of("float32", "bfloat16")) {
            var r = CliTrainTest.run("eval", "--checkpoint", run.resolve("last.safetensors").toString(), "--data", data.toString(), "--windows", "all",
                    "--dtype", dtype, "--threads", "1", "--device", "cpu");
            assertEquals(0, r.code(), r.err());
            var json = new ObjectMapper().readTree(r.out());
            assertEquals(dtype, json.get("dtype").asText());
            loss.put(dtype, json.get("loss").asDouble());
        }
        double f32 = loss.get("float32"), bf16 = loss.get("bfloat16");
        assertTrue(Math.abs(bf16 - f32) <= 0.01 * f32, "bfloat16 loss " + bf16 + " vs float32 " + f32);
        assertNotEquals(f32, bf16, "--dtype bfloat16 gave float32's loss to the last bit: was it used?");
        assertFalse(Double.isNaN(bf16));
    }
}
