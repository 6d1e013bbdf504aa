package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.checkpoint.Safetensors;
import dev.jlm.nn.ModelConfig;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.SavedModels;
import dev.jlm.testing.Seeded;
import dev.jlm.testing.Seeds;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Generated inputs for the surfaces the byte-level damage of {@link FileMutationPropertyTest} does not reach: model files
 * changed in meaning (names, shapes, dtypes, configs), tokenizer output folders in every state, sweep grids, metrics
 * files for plots, and launch flags. Each case is read or refused in one "jlm:" line, never an internal error; and a
 * refusal changes no file. Cases are seeds from fixed seeds; a failure's name is its seed.
 */
class SurfacePropertyTest {
    static Path dir, sd, tokens, train, tok;
    /** eval's loss on the state dict as saved, with its true config. */
    static double originalLoss;
    /** Changed model files: expected class and outcome → count. */
    static final Map<String, Integer> MODEL_OUTCOMES = new java.util.concurrent.ConcurrentHashMap<>();
    static final ModelConfig C = ModelConfig.builder().vocabSize(300).contextLength(8).dModel(16).numLayers(2).numHeads(2).build();
    static final List<String> NAMES = List.of("token_embeddings.weight", "layers.0.ln1.weight", "layers.0.attn.q_proj.weight",
            "layers.0.ffn.w1.weight", "layers.0.ffn.w3.weight", "layers.1.ffn.w2.weight", "ln_final.weight", "lm_head.weight");

    @BeforeAll
    static void files() throws Exception {
        dir = Files.createTempDirectory("jlm-surfaces");
        sd = SavedModels.save(dir.resolve("model.safetensors"), C, 2);
        tokens = TokenFiles.random(dir.resolve("valid.bin"), 200, 300, 5);
        train = TokenFiles.random(dir.resolve("train.bin"), 2000, 64, 6);
        tok = dir.resolve("tok");
        assertEquals(0, CliTrainTest.run("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300",
                "--out", tok.toString()).code());
        Path original = Files.createDirectories(dir.resolve("original"));             // the state dict as it was, with its true config
        try (var s = TensorScope.open()) {
            Safetensors.write(original.resolve("model.safetensors"), Safetensors.read(sd, Device.CPU).tensors(), Map.of());
        }
        Files.writeString(original.resolve("config.json"), "{\"vocab_size\": 300, \"context_length\": 8, \"d_model\": 16, \"num_layers\": 2,"
                + " \"num_heads\": 2, \"rope_theta\": 10000.0}");
        var e = evalModel(original.resolve("model.safetensors"));
        assertEquals(0, e.code(), e.err());
        originalLoss = FileMutationPropertyTest.loss(e);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        dev.jlm.io.AtomicFolder.deleteTree(dir);
        System.out.println("changed model files, expected and outcome: " + new java.util.TreeMap<>(MODEL_OUTCOMES));
        if (MODEL_OUTCOMES.isEmpty()) return;                     // the model cases did not run (-Dtest=…#another)
        for (Expect e : Expect.values()) {                        // every kind of case was reached, each as it must end
            assertTrue(MODEL_OUTCOMES.containsKey(e + (e == Expect.REFUSED ? " refused" : " read")), e + " never reached: " + MODEL_OUTCOMES);
        }
        assertEquals(java.util.Set.of(), java.util.Set.copyOf(MODEL_OUTCOMES.keySet().stream().filter(k -> k.equals("REFUSED read")
                || !k.startsWith("REFUSED") && k.endsWith("refused")).toList()), "cases that ended otherwise than required");
    }

    /** What a changed model file must give: refused; read exactly (the original's loss); read within bfloat16's rounding of it; read as another model. */
    enum Expect { REFUSED, SAME, ROUNDED, ANOTHER_MODEL }

    /**
     * What the README promises for a config.json value beside the state dict (written here by hand): what the tensors
     * tell (vocab_size 300, d_model 16, num_layers 2, d_ff 64, whose 0 means that default) must agree with them; norm, ffn
     * and tie_embeddings decide which tensors the model has, and this file holds pre-norm SwiGLU's with its own head; the
     * heads must divide d_model; a value of the wrong JSON type or outside its domain is refused. What the tensors cannot
     * tell — context length, θ, RoPE or none — makes another valid model, read as such (a context longer than the 200-token
     * data file is refused by the data, not the model).
     */
    static Expect expectConfig(String key, Object v) {
        boolean number = v instanceof Integer || v instanceof Double, whole = v instanceof Integer;
        double x = number ? ((Number) v).doubleValue() : Double.NaN;
        return switch (key) {
            case "vocab_size", "d_model", "num_layers" -> Expect.REFUSED;                // no drawn value is 300, 16 or 2
            case "num_heads" -> whole && x > 0 && 16 % x == 0 ? Expect.ANOTHER_MODEL : Expect.REFUSED;
            case "d_ff" -> whole && x == 0 ? Expect.SAME : Expect.REFUSED;
            case "norm", "ffn", "tie_embeddings" -> Expect.REFUSED;                     // none, silu, true: tensors the file lacks or has extra
            case "position" -> "none".equals(v) ? Expect.ANOTHER_MODEL : Expect.REFUSED;
            case "rope_theta" -> number && x > 0 ? Expect.ANOTHER_MODEL : Expect.REFUSED;
            case "context_length" -> whole && x > 0 && x + 1 <= 200 ? Expect.ANOTHER_MODEL : Expect.REFUSED;
            default -> throw new IllegalArgumentException(key);
        };
    }

    /**
     * A state dict changed in meaning — a tensor renamed, added, dropped, reshaped or retyped — with a config.json that may
     * lie. Oracle: the README's promises, stated case by case above and here (a renamed, added, dropped or reshaped tensor,
     * or an integer one, is always refused; bfloat16 or float16 weights are the same model rounded), and the original
     * model's loss: a file read as the same model gives exactly that loss (within 1%, a few steps of bfloat16's 2^-8, when
     * its weights were rounded).
     */
    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 22001, count = 300)
    void changedModelFilesAreReadExactlyOrRefused(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        Path case_ = Files.createDirectories(dir.resolve("m" + Long.toHexString(seed))), f = case_.resolve("model.safetensors");
        Expect expect;
        String change;
        try (var s = TensorScope.open()) {
            Map<String, Tensor> t = new LinkedHashMap<>(Safetensors.read(sd, Device.CPU).tensors());
            String name = Seeded.pick(r, NAMES);
            switch (r.nextInt(6)) {
                case 0 -> {
                    String to = name.replace("weight", Seeded.pick(r, List.of("bias", "weights", "scale")));
                    t.put(to, t.remove(name));
                    change = "renamed " + name + " to " + to;
                    expect = Expect.REFUSED;
                }
                case 1 -> {
                    String extra = Seeded.pick(r, List.of("layers.0.attn.q_proj.bias", "extra", "layers.9.ln1.weight"));
                    t.put(extra, Torch.zeros(16));
                    change = "added " + extra;
                    expect = Expect.REFUSED;
                }
                case 2 -> {
                    t.remove(name);
                    change = "dropped " + name;
                    expect = Expect.REFUSED;
                }
                case 3 -> {
                    t.put(name, Torch.zeros(t.get(name).numel() + 1));
                    change = "reshaped " + name;
                    expect = Expect.REFUSED;
                }
                case 4 -> {
                    DType to = Seeded.pick(r, List.of(DType.BFLOAT16, DType.FLOAT16, DType.INT64, DType.INT32, DType.UINT8));
                    t.put(name, t.get(name).to(to));
                    change = name + " as " + to;
                    expect = to == DType.BFLOAT16 || to == DType.FLOAT16 ? Expect.ROUNDED : Expect.REFUSED;
                }
                default -> {
                    change = "no tensor changed";
                    expect = Expect.SAME;
                }
            }
            Safetensors.write(f, t, Map.of());
        }
        Map<String, Object> cfg = new LinkedHashMap<>(Map.of("vocab_size", 300, "context_length", 8, "d_model", 16, "num_layers", 2, "num_heads", 2,
                "rope_theta", 10000.0));
        if (r.nextBoolean()) {
            String key = Seeded.pick(r, List.of("vocab_size", "context_length", "d_model", "num_layers", "num_heads", "d_ff", "norm", "ffn",
                    "position", "tie_embeddings", "rope_theta"));
            Object value = Seeded.pick(r, List.<Object>of(0, -3, 4, 17, 1 << 20, "silu", "none", true, "x", 2.5, List.of(1)));
            cfg.put(key, value);
            change += ", config.json " + key + ": " + value;
            Expect said = expectConfig(key, value);
            if (said == Expect.REFUSED || expect == Expect.REFUSED) expect = Expect.REFUSED;
            else if (said == Expect.ANOTHER_MODEL) expect = Expect.ANOTHER_MODEL;
        }
        Files.writeString(case_.resolve("config.json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(cfg));
        var run = evalModel(f);
        String what = "model seed " + seed + " (" + change + ")";
        FileMutationPropertyTest.assertCleanOutcome(run, what);
        MODEL_OUTCOMES.merge(expect + " " + (run.code() == 0 ? "read" : "refused"), 1, Integer::sum);
        if (expect == Expect.REFUSED) {
            assertTrue(run.code() != 0, what + " was read: " + run.out());
            return;
        }
        assertEquals(0, run.code(), what + " was refused: " + run.err());
        double loss = FileMutationPropertyTest.loss(run);
        switch (expect) {
            case SAME -> assertEquals(originalLoss, loss, 0.0, what + ": read, but not as the original model");
            case ROUNDED -> assertEquals(originalLoss, loss, 0.01 * originalLoss, what + ": read, but not as the original model rounded");
            default -> assertTrue(Double.isFinite(loss), what + ": " + run.out());
        }
    }

    static CliTrainTest.Run evalModel(Path f) {
        return CliTrainTest.run("eval", "--checkpoint", f.toString(), "--data", tokens.toString(), "--windows", "2", "--threads", "1");
    }

    /** bpe train --out into a folder in any state: a complete new set, or a refusal that leaves what was there. */
    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 22002, count = 30)
    void tokenizerOutputsAreWholeOrRefused(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        Path base = Files.createDirectories(dir.resolve("o" + Long.toHexString(seed))), out = base.resolve("tok");
        switch (r.nextInt(5)) {
            case 0 -> Files.writeString(out, "a file");
            case 1 -> Files.createDirectories(out);
            case 2 -> {
                Files.createDirectories(out);
                Files.writeString(out.resolve("vocab.json"), "{\"old\": 0}");
            }
            case 3 -> out = base.resolve("missing/tok");
            default -> { }
        }
        Map<String, String> before = snapshot(base);
        List<String> args = new ArrayList<>(List.of("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size",
                String.valueOf(257 + r.nextInt(60)), "--out", out.toString()));
        if (r.nextBoolean()) args.add("--overwrite");
        if (r.nextInt(4) == 0) args.addAll(List.of("--special-token", Seeded.pick(r, List.of("", "<|endoftext|>", "<x>"))));
        var run = CliTrainTest.run(args.toArray(String[]::new));
        FileMutationPropertyTest.assertCleanOutcome(run, "output seed " + seed + " " + args);
        if (run.code() == 0) {
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(List.of("merges.txt", "special_tokens.txt", "tokenizer.json", "vocab.json"),
                        s.map(p -> p.getFileName().toString()).sorted().toList());
            }
        } else {
            assertEquals(before, snapshot(base), "a refusal changed files: " + run.err());
        }
    }

    /** A sweep grid with one thing wrong: refused whole before anything is written, or a run of at most 2 steps. */
    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 22003, count = 60)
    void sweepGridsAreCheckedWhole(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Object> base = new LinkedHashMap<>(Map.of("train", train.toString(), "steps", 2, "vocab_size", 64, "context_length", 8,
                "d_model", 16, "num_layers", 1, "num_heads", 2, "batch_size", 2, "threads", 1));
        Map<String, Object> grid = new LinkedHashMap<>(Map.of("lr_max", List.of(0.001, 0.002)));
        Map<String, Object> runs = new LinkedHashMap<>(Map.of("a", Map.of()));
        Map<String, Object> root = new LinkedHashMap<>(Map.of("base", base, "grid", grid, "runs", runs));
        Object junk = Seeded.pick(r, List.<Object>of("x", -1, 0, 1e300, List.of(), Map.of(), true, "../x", "a/b", ""));
        switch (r.nextInt(7)) {
            case 0 -> root.put(Seeded.pick(r, List.of("gird", "Base", "extra")), Map.of());
            case 1 -> root.put(Seeded.pick(r, List.of("base", "grid", "runs")), junk);
            case 2 -> base.put(Seeded.pick(r, List.of("steps", "d_model", "norm", "lr_maks", "out", "resume", "schedule", "nproc")), junk);
            case 3 -> grid.put(Seeded.pick(r, List.of("lr_max", "batch_size", "norm", "train")), junk instanceof List<?> ? junk : List.of(junk));
            case 4 -> runs.put(String.valueOf(junk), Map.of());
            case 5 -> runs.put("b", Map.of(Seeded.pick(r, List.of("steps", "ffn", "warmup")), junk));
            default -> { }
        }
        Path spec = Files.writeString(dir.resolve("g" + Long.toHexString(seed) + ".json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(root));
        Path out = dir.resolve("sw" + Long.toHexString(seed));
        var run = CliTrainTest.run("sweep", "--grid", spec.toString(), "--out", out.toString());
        FileMutationPropertyTest.assertCleanOutcome(run, "grid seed " + seed + " " + root);
        if (run.code() != 0 && !Files.exists(out.resolve("summary.csv"))) assertFalse(Files.exists(out), "a refused grid wrote " + out);
    }

    /** A metrics.jsonl cut, emptied or scribbled on: plotted (skipping a torn last line) or refused naming file and line. */
    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 22004, count = 40)
    void plotsReadTheirMetricsOrSayWhereTheyAreWrong(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        Path run = Files.createDirectories(dir.resolve("p" + Long.toHexString(seed)));
        StringBuilder m = new StringBuilder();
        for (int s = 1; s <= 5; s++) m.append("{\"step\":").append(s).append(",\"tokens\":").append(16 * s).append(",\"wall_s\":").append(0.1 * s)
                .append(",\"train_loss\":").append(5.0 - 0.3 * s).append(",\"lr\":0.001}\n");
        String text = m.toString();
        text = switch (r.nextInt(5)) {
            case 0 -> text.substring(0, r.nextInt(text.length()));
            case 1 -> "";
            case 2 -> {
                int at = r.nextInt(text.length());
                yield text.substring(0, at) + Seeded.pick(r, List.of("}", "{", "\n", "x", "\"", "[1,2]\n", "null\n")) + text.substring(at);
            }
            case 3 -> text + "[".repeat(5000) + "\n";
            default -> text;
        };
        Files.writeString(run.resolve("metrics.jsonl"), text);
        Path png = dir.resolve("p" + Long.toHexString(seed) + ".png");
        var result = CliTrainTest.run("plot", run.toString(), "--out", png.toString());
        FileMutationPropertyTest.assertCleanOutcome(result, "plot seed " + seed + ": " + text);
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("." + png.getFileName())), "a temp file was left");
        }
    }

    /** --nproc, --batch-size and --grad-accum in any combination: what cannot run is refused before a worker starts. */
    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 22005, count = 40)
    void launchFlagsAreCheckedBeforeAnyWorkerStarts(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        int cores = Runtime.getRuntime().availableProcessors();
        int nproc = 2 + r.nextInt(cores + 6), batch = 1 + r.nextInt(16), accum = 1 + r.nextInt(4);
        boolean runnable = batch % (nproc * accum) == 0 && batch % accum == 0 && nproc <= cores;
        if (runnable) batch += 1;                                    // this property is about refusals: make it one
        long before = ProcessHandle.current().descendants().count();
        var run = CliTrainTest.run("train", "--train", train.toString(), "--out", dir.resolve("l" + Long.toHexString(seed)).toString(), "--vocab-size",
                "64", "--context-length", "8", "--d-model", "16", "--num-layers", "1", "--num-heads", "2", "--steps", "1", "--nproc",
                String.valueOf(nproc), "--batch-size", String.valueOf(batch), "--grad-accum", String.valueOf(accum));
        FileMutationPropertyTest.assertCleanOutcome(run, "launch seed " + seed);
        assertEquals(2, run.code(), "refused as a usage error: " + run.err());
        assertEquals(before, ProcessHandle.current().descendants().count(), "a worker was started: " + run.err());
        assertFalse(Files.exists(dir.resolve("l" + Long.toHexString(seed))));
    }

    static Map<String, String> snapshot(Path base) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.sorted().toList()) m.put(base.relativize(p).toString(), Files.isRegularFile(p) ? Files.readString(p) : "/");
        }
        return m;
    }
}
