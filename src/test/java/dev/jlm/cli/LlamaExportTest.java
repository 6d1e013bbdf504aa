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
 * transformers' own LlamaForCausalLM loads the folder and gives jlm's logits for the same ids, untied and tied.
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

    static JsonNode hfLogits(Path folder, long[] ids) throws Exception {
        TorchPython.requireModule("transformers");
        String script = Path.of(System.getProperty("jlm.root", ".")).resolve("scripts/reference/hf_llama.py").toString();
        String idList = Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(","));
        Process p = new ProcessBuilder(TorchPython.python(), script, "logits", folder.toString(), idList).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "hf_llama.py: " + out);
        return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
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
    }

    @Test
    void tiedModelsKeepOneTensor(@TempDir Path dir) throws Exception {
        Path ckpt = trained(dir, "--tie-embeddings");
        Path hf = dir.resolve("llama");
        var ex = CliTrainTest.run("export", "--checkpoint", ckpt.toString(), "--out", hf.toString(), "--format", "llama");
        assertEquals(0, ex.code(), ex.err());
        assertTrue(new ObjectMapper().readTree(hf.resolve("config.json").toFile()).get("tie_word_embeddings").asBoolean());
        assertSameLogits(ckpt, hf);
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
