package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.checkpoint.ConfigJson;
import dev.jlm.checkpoint.Safetensors;
import dev.jlm.nn.ModelConfig;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.testing.TokenFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The careless-user table of issue #12, row by row: each input gets its clean behaviour. */
class CliRobustnessTest {
    static final String[] SMALL = {"--vocab-size", "64", "--context-length", "16", "--d-model", "32", "--num-layers", "1", "--num-heads", "2",
            "--batch-size", "4", "--threads", "1"};

    static String[] train(Path data, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--train", data.toString(), "--out", out.toString()));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aRunIsNeverClobbered(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(train(data, run, "--steps", "20", "--save-every", "10")).code());
        byte[] last = Files.readAllBytes(run.resolve("last.safetensors"));
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));

        var again = CliTrainTest.run(train(data, run, "--steps", "10"));              // the typo: no --resume
        assertEquals(1, again.code());
        assertTrue(again.err().startsWith("jlm: --out " + run + " already holds a run (7 files: last.optim.safetensors, last.safetensors,"
                + " metrics.jsonl, …); add --resume to continue it, or --overwrite to start over"), again.err());
        assertArrayEquals(last, Files.readAllBytes(run.resolve("last.safetensors")));
        assertEquals(metrics, Files.readAllLines(run.resolve("metrics.jsonl")));
        assertFalse(Files.exists(run.resolve("step-000010.optim.safetensors.tmp")));

        var over = CliTrainTest.run(train(data, run, "--steps", "10", "--overwrite"));   // on purpose: the old run is moved aside
        assertEquals(0, over.code(), over.err());
        String moved = over.out().lines().filter(l -> l.startsWith("the previous run")).findFirst().orElseThrow();
        Path aside = Path.of(moved.substring(moved.lastIndexOf(' ') + 1));
        assertEquals(metrics, Files.readAllLines(aside.resolve("metrics.jsonl")));
        assertArrayEquals(last, Files.readAllBytes(aside.resolve("last.safetensors")));
        assertTrue(Files.isRegularFile(aside.resolve("step-000020.safetensors")));
        assertEquals(10, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        assertFalse(Files.exists(run.resolve("step-000020.safetensors")), "no mix of the old run and the new");
    }

    /** A checkpoint whose metadata describes a huge model but holds a small one. */
    static Path lying(Path dir, String key, int value) throws Exception {
        Path f = dir.resolve(key + ".safetensors");
        ModelConfig small = ModelConfig.builder().vocabSize(64).contextLength(16).dModel(32).numLayers(2).numHeads(2).build();
        Map<String, Object> cfg = new java.util.LinkedHashMap<>();
        dev.jlm.config.Settings.values(small).forEach((k, v) -> cfg.put(k, dev.jlm.config.Settings.json(v)));
        cfg.put(key, value);
        try (var s = TensorScope.open()) {
            var model = new dev.jlm.nn.TransformerLm(small, Device.CPU, dev.jlm.tensor.DType.FLOAT32);
            Safetensors.write(f, model.params().named(), Map.of("config", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(cfg)));
        }
        return f;
    }

    @Test
    void checkpointsAreCheckedAgainstTheirHeaderBeforeAllocation(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("v.bin"), 500, 64, 2);
        long t0 = System.nanoTime();
        var layers = CliTrainTest.run("eval", "--checkpoint", lying(dir, "num_layers", 1_000_000).toString(), "--data", data.toString());
        assertEquals(1, layers.code());
        assertTrue(layers.err().contains("says num_layers 1000000 but the tensors of"), layers.err());
        var wide = CliTrainTest.run("eval", "--checkpoint", lying(dir, "d_model", 1_048_576).toString(), "--data", data.toString());
        assertEquals(1, wide.code());
        assertTrue(wide.err().contains("says d_model 1048576 but the tensors of"), wide.err());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "refused without building the model");
    }

    @Test
    void aModelThatCannotFitIsRefusedWithTheEstimate(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        var r = CliTrainTest.run("train", "--train", data.toString(), "--out", run.toString(), "--vocab-size", "64", "--d-model", "65536",
                "--num-layers", "64", "--num-heads", "64");
        assertEquals(1, r.code());
        assertTrue(r.err().matches("jlm: the model needs about [0-9.]+ TB \\([0-9.]+e\\+[0-9]+ parameters × 16 bytes for weights, gradients and"
                + " AdamW moments, plus .* of activations and backward's peak at batch 32\\) but this machine has [0-9.]+ [GT]B available: choose a smaller model or"
                + " --batch-size"), r.err());
        assertFalse(Files.exists(run));
    }

    @Test
    void flagsOutsideTheirDomainAreUsageErrors(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("missing");
        Object[][] rows = {
                {new String[] {"generate", "--checkpoint", p.toString(), "--tokenizer", p.toString(), "--max-tokens", "-1"}, "--max-tokens must be > 0, got -1"},
                {new String[] {"train", "--train", p.toString(), "--out", p.toString(), "--save-every", "0"}, "--save-every must be > 0, got 0"},
                {new String[] {"train", "--train", p.toString(), "--out", p.toString(), "--lr-max", "-1"}, "--lr-max must be > 0, got -1"},
                {new String[] {"eval", "--checkpoint", p.toString(), "--data", p.toString(), "--windows", "-3"}, "--windows must be all or > 0, got '-3'"},
                {new String[] {"tokenize", "--tokenizer", p.toString(), "--text", "a", "--threads", "-1"}, "--threads must be in [1, 4096], got -1"},
        };
        for (Object[] row : rows) {
            var r = CliTrainTest.run((String[]) row[0]);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith("jlm: " + row[1] + " (see: jlm "), r.err());
        }
        Path cfg = Files.writeString(dir.resolve("c.json"), "{\"train\": \"x\", \"out\": \"y\", \"beta2\": 1.5}");
        var fromFile = CliTrainTest.run("train", "--config", cfg.toString());
        assertEquals(2, fromFile.code());
        assertTrue(fromFile.err().startsWith("jlm: --beta2 must be in [0, 1), got 1.5"), fromFile.err());
        assertTrue(CliTrainTest.run("train", "--help").out().contains("peak learning rate, reached after warm-up (> 0)"));
    }

    @Test
    void anInternalErrorIsOneLineAndAStackTraceFile() throws Exception {
        CommandLine cl = Jlm.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = Errors.handle(new IllegalStateException("tensor used after its scope closed"), cl, cl.parseArgs("info"));
        assertEquals(70, code);
        String line = err.toString().strip();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("jlm: internal error: tensor used after its scope closed — this is a bug; stack trace in "), line);
        Path trace = Path.of(line.replaceAll(".*stack trace in (\\S+) .*", "$1"));
        assertTrue(Files.readString(trace).contains("IllegalStateException"));
        Files.delete(trace);
    }
}
