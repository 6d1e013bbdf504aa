package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.testing.PyTorchOracle;
import dev.jlm.testing.TokenFiles;
import dev.jlm.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checkpoints that travel: a PyTorch user's state dict (written by scripts/reference/model_ref.py's own safetensors
 * writer, no metadata), a config.json beside it, and the HuggingFace folder layout, read back by jlm and by the
 * independent Python model. Oracles: the original jlm checkpoint's loss and model_ref.py's loss.
 */
class ModelFilesTest {
    static final ModelConfig C = ModelConfig.builder().vocabSize(97).contextLength(16).dModel(32).numLayers(2).numHeads(4).ropeTheta(500.0).build();

    static double jlmLoss(ModelFiles.Resolved r, Path tokens) throws Exception {
        try (var run = TensorScope.open(); TokenFile data = TokenFile.open(tokens)) {
            return Evaluator.evaluate(Checkpoint.load(r, Device.CPU, DType.FLOAT32, dev.jlm.nn.Kernels.REFERENCE), data, 20, 7).loss();
        }
    }

    /** A randomly initialized model C saved as a jlm checkpoint at {@code file}. */
    static Path savedModel(Path file, long seed) throws Exception {
        return dev.jlm.testing.SavedModels.save(file, C, seed);
    }

    @ParameterizedTest(name = "norm={0} position={1} ffn={2}")
    @CsvSource({"PRE, ROPE, SWIGLU", "POST, ROPE, SILU", "NONE, NONE, SWIGLU"})
    void parameterShapesAreWhatTheModelBuilds(ModelConfig.Norm norm, ModelConfig.Position pos, ModelConfig.Ffn ffn) {
        ModelConfig c = ModelConfig.builder().vocabSize(50).contextLength(8).dModel(16).numLayers(3).numHeads(2).norm(norm).position(pos).ffn(ffn).build();
        try (var run = TensorScope.open()) {
            Map<String, Tensor> built = new TransformerLm(c, Device.CPU, DType.FLOAT32).params().named();
            var shapes = TransformerLm.parameterShapes(c);
            assertEquals(List.copyOf(built.keySet()), List.copyOf(shapes.keySet()));
            for (var e : built.entrySet()) assertArrayEquals(e.getValue().shape(), shapes.get(e.getKey()), e.getKey());
        }
    }

    @Test
    void pyTorchStateDictLoadsWithFlagsOrConfigJson(@TempDir Path dir) throws Exception {
        Path ckpt = savedModel(dir.resolve("jlm.safetensors"), 3), tokens = TokenFiles.random(dir.resolve("t.bin"), 400, 97, 1);
        double reference = jlmLoss(ModelFiles.resolve(ckpt, Map.of()), tokens);
        Path sd = dir.resolve("torch/model.safetensors");
        Files.createDirectories(sd.getParent());
        PyTorchOracle.run("state-dict", ckpt.toString(), sd.toString());
        assertTrue(Safetensors.readHeader(sd).metadata().isEmpty());

        // what the tensors cannot tell is asked for by name
        var e = assertThrows(JlmException.class, () -> ModelFiles.resolve(sd, Map.of()));
        assertTrue(e.getMessage().contains("cannot tell num_heads, context_length, rope_theta: give num_heads context_length rope_theta"),
                e.getMessage());
        // flags fill the gaps; the shapes give the rest
        ModelFiles.Resolved r = ModelFiles.resolve(sd, Map.of("num_heads", 4, "context_length", 16, "rope_theta", 500.0));
        assertEquals(C, r.config());
        assertEquals(reference, jlmLoss(r, tokens), 0.0);
        // a flag that disagrees with the tensors is refused
        var bad = assertThrows(JlmException.class, () -> ModelFiles.resolve(sd, Map.of("num_heads", 4, "context_length", 16,
                "rope_theta", 500.0, "d_model", 64)));
        assertEquals("d_model 64 disagrees with " + sd + ": d_model is 32 by its tensors' shapes", bad.getMessage());
        // a config.json beside the file works too, and must agree with the tensors
        Files.writeString(sd.resolveSibling("config.json"), """
                {"vocab_size": 97, "context_length": 16, "d_model": 32, "num_layers": 2, "num_heads": 4, "d_ff": 64, "rope_theta": 500}""");
        assertEquals(C, ModelFiles.resolve(sd, Map.of()).config());
        assertEquals(C, ModelFiles.resolve(sd.getParent(), Map.of()).config());               // the folder itself
        Files.writeString(sd.resolveSibling("config.json"), """
                {"vocab_size": 97, "context_length": 16, "d_model": 32, "num_layers": 3, "num_heads": 4, "rope_theta": 500}""");
        var conflict = assertThrows(JlmException.class, () -> ModelFiles.resolve(sd, Map.of()));
        assertTrue(conflict.getMessage().endsWith("says num_layers 3 but the tensors of " + sd + " have num_layers 2"), conflict.getMessage());
    }

    @Test
    void exportedFolderLoadsInJlmAndInPython(@TempDir Path dir) throws Exception {
        Path ckpt = savedModel(dir.resolve("jlm.safetensors"), 4), tokens = TokenFiles.random(dir.resolve("t.bin"), 400, 97, 2);
        Path hf = dir.resolve("hf");
        Checkpoint.export(ModelFiles.resolve(ckpt, Map.of()), hf);
        assertTrue(Files.isRegularFile(hf.resolve("config.json")) && Files.isRegularFile(hf.resolve("model.safetensors")));
        double jlm = jlmLoss(ModelFiles.resolve(hf, Map.of()), tokens);
        assertEquals(jlmLoss(ModelFiles.resolve(ckpt, Map.of()), tokens), jlm, 0.0);
        assertEquals(PyTorchOracle.eval(hf, tokens, 20), jlm, 1e-4);
    }

    @Test
    void headerIsCheckedAgainstTheConfigBeforeAnyAllocation(@TempDir Path dir) throws Exception {
        Path ckpt = savedModel(dir.resolve("m.safetensors"), 0);
        Path sd = dir.resolve("sd.safetensors");
        PyTorchOracle.run("state-dict", ckpt.toString(), sd.toString());
        Files.writeString(dir.resolve("config.json"), """
                {"vocab_size": 97, "context_length": 16, "d_model": 32, "num_layers": 2, "num_heads": 4, "d_ff": 2048, "rope_theta": 500}""");
        var e = assertThrows(JlmException.class, () -> ModelFiles.resolve(sd, Map.of()));
        assertTrue(e.getMessage().contains("says d_ff 2048 but the tensors of " + sd + " have d_ff 64"), e.getMessage());
    }
}
