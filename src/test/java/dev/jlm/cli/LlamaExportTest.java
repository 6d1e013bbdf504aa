package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.TokenFiles;
import dev.jlm.testing.TorchPython;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jlm export --format llama` against HuggingFace transformers (scripts/reference/hf_llama.py, the pip torch's Python):
 * transformers' own LlamaForCausalLM loads the folder and gives jlm's logits for the same ids, untied and tied; jlm reads
 * the folder back, and the one transformers' save_pretrained writes, to the original's loss.
 */
class LlamaExportTest {
    static final int VOCAB = 64, CONTEXT = 16;

    /** A trained CS336 checkpoint (a few steps, so no tensor keeps its symmetric init). */
    static Path trained(Path dir, String... extra) throws Exception {
        Path train = TokenFiles.random(dir.resolve("train.bin"), 3000, VOCAB, 1), run = dir.resolve("run");
        List<String> args = new ArrayList<>(List.of("train", "--train", train.toString(), "--out", run.toString(), "--vocab-size", "" + VOCAB,
                "--context-length", "" + CONTEXT, "--d-model", "32", "--num-layers", "2", "--num-heads", "2", "--d-ff", "48",
                "--rope-theta", "1000", "--batch-size", "4", "--steps", "4", "--threads", "1"));
        args.addAll(List.of(extra));
        var t = CliTrainTest.run(args.toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        return run.resolve("last.safetensors");
    }

    /** jlm's logits (T × V, row-major) for ids at positions 0..T−1. */
    static float[] jlmLogits(Path ckpt, long[] ids) throws Exception {
        try (var s = TensorScope.open()) {
            TransformerLm m = Checkpoint.load(ModelFiles.resolve(ckpt, Map.of()), Device.CPU, DType.FLOAT32, Kernels.REFERENCE);
            return m.forward(Torch.fromArray(ids, 1, ids.length)).toFloatArray();
        }
    }

    /** scripts/reference/hf_llama.py's JSON answer (its last line). */
    static JsonNode hf(String... args) throws Exception {
        TorchPython.requireModule("transformers");
        List<String> cmd = new ArrayList<>(List.of(TorchPython.python(),
                Path.of(System.getProperty("jlm.root", ".")).resolve("scripts/reference/hf_llama.py").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "hf_llama.py: " + out);
        return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    }

    static JsonNode hfLogits(Path folder, long[] ids) throws Exception {
        return hf("logits", folder.toString(), Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(",")));
    }

    static double evalLoss(Path checkpoint, Path valid) throws Exception {
        var r = CliTrainTest.run("eval", "--checkpoint", checkpoint.toString(), "--data", valid.toString(), "--windows", "8");
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out()).get("loss").asDouble();
    }

    /**
     * Read back: jlm's own Llama folder, and the folder transformers' save_pretrained writes from it (its own config keys;
     * tied: no lm_head.weight), evaluate to the original's loss; exported again as CS336, the same.
     */
    static void readsLlamaFoldersBack(Path dir, Path ckpt, Path llama, String name) throws Exception {
        Path valid = TokenFiles.random(dir.resolve("valid-" + name + ".bin"), 600, VOCAB, 2);
        double original = evalLoss(ckpt, valid);
        assertEquals(original, evalLoss(llama, valid), 0.0, "jlm's Llama folder read back");
        Path resaved = dir.resolve("resaved-" + name);
        hf("resave", llama.toString(), resaved.toString());
        assertEquals(original, evalLoss(resaved, valid), 1e-6, "transformers' save_pretrained folder");
        Path cs336 = dir.resolve("cs336-" + name);
        var ex = CliTrainTest.run("export", "--checkpoint", resaved.toString(), "--out", cs336.toString());
        assertEquals(0, ex.code(), ex.err());
        assertEquals(original, evalLoss(cs336, valid), 1e-6, "exported again in the CS336 layout");
    }

    static void assertSameLogits(Path ckpt, Path folder) throws Exception {
        long[] ids = new java.util.Random(7).longs(CONTEXT, 0, VOCAB).toArray();
        float[] jlm = jlmLogits(ckpt, ids);
        JsonNode hf = hfLogits(folder, ids);
        assertEquals("LlamaForCausalLM", hf.get("architecture").asText());
        assertEquals(jlm.length, hf.get("logits").size());
        double worst = 0, scale = 0;
        for (int i = 0; i < jlm.length; i++) {
            worst = Math.max(worst, Math.abs(jlm[i] - hf.get("logits").get(i).asDouble()));
            scale = Math.max(scale, Math.abs(jlm[i]));
        }
        assertTrue(scale > 0.1, "logits too small to tell anything: " + scale);
        assertTrue(worst <= 1e-5, "jlm vs transformers: max |Δlogit| " + worst + " (largest logit " + scale + ")");
    }

    @Test
    void transformersLoadsTheFolderAndAgrees(@TempDir Path dir) throws Exception {
        Path ckpt = trained(dir);
        Path hf = dir.resolve("llama");
        var ex = CliTrainTest.run("export", "--checkpoint", ckpt.toString(), "--out", hf.toString(), "--format", "llama");
        assertEquals(0, ex.code(), ex.err());
        JsonNode config = new ObjectMapper().readTree(hf.resolve("config.json").toFile());
        assertEquals("llama", config.get("model_type").asText());
        assertEquals(1e-5, config.get("rms_norm_eps").asDouble());
        assertEquals(1000.0, config.get("rope_theta").asDouble());
        assertEquals(CONTEXT, config.get("max_position_embeddings").asInt());
        assertFalse(config.get("tie_word_embeddings").asBoolean());
        assertSameLogits(ckpt, hf);
        readsLlamaFoldersBack(dir, ckpt, hf, "untied");
    }

    @Test
    void tiedModelsKeepOneTensor(@TempDir Path dir) throws Exception {
        Path ckpt = trained(dir, "--tie-embeddings");
        Path hf = dir.resolve("llama");
        var ex = CliTrainTest.run("export", "--checkpoint", ckpt.toString(), "--out", hf.toString(), "--format", "llama");
        assertEquals(0, ex.code(), ex.err());
        assertTrue(new ObjectMapper().readTree(hf.resolve("config.json").toFile()).get("tie_word_embeddings").asBoolean());
        assertSameLogits(ckpt, hf);
        readsLlamaFoldersBack(dir, ckpt, hf, "tied");
    }

    /** A tied model written by safetensors.torch.save_model (lm_head.weight kept, the embedding recorded as its alias) is read. */
    @Test
    void tiedFilesAsSaveModelWritesThem(@TempDir Path dir) throws Exception {
        Path ckpt = trained(dir, "--tie-embeddings"), saved = dir.resolve("saved.safetensors");
        hf("save-model", ckpt.toString(), saved.toString());
        Path valid = TokenFiles.random(dir.resolve("valid.bin"), 600, VOCAB, 2);
        var r = CliTrainTest.run("eval", "--checkpoint", saved.toString(), "--num-heads", "2", "--context-length", "" + CONTEXT,
                "--rope-theta", "1000", "--data", valid.toString(), "--windows", "8");
        assertEquals(0, r.code(), r.err());
        assertEquals(evalLoss(ckpt, valid), new ObjectMapper().readTree(r.out()).get("loss").asDouble(), 0.0);
    }

    @Test
    void modelsLlamaCannotHoldAreRefusedByTheirSetting(@TempDir Path dir) throws Exception {
        Path ckpt = trained(dir, "--position", "none");
        Path hf = dir.resolve("llama");
        var ex = CliTrainTest.run("export", "--checkpoint", ckpt.toString(), "--out", hf.toString(), "--format", "llama");
        assertEquals(1, ex.code());
        assertTrue(ex.err().contains("position none has no LlamaForCausalLM form (Llama uses RoPE); export it with --format cs336"), ex.err());
        assertFalse(Files.exists(hf), "nothing written");
    }
}
