package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jlm.JlmException;
import dev.jlm.nn.FeedForward;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.OpenScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** ModuleCheckpoint: any module + AdamW + iteration in one file, restored exactly; strict refusals name the file and tensor. */
@ExtendWith(OpenScope.class)
class ModuleCheckpointTest {
    static final ModelConfig SMALL = ModelConfig.builder().vocabSize(50).contextLength(8).dModel(16).numLayers(2).numHeads(2).dFf(32).build();

    @Test
    void aTransformerLmRoundTripsWithItsOptimizerAndIteration(@TempDir Path dir) throws Exception {
        Torch.manualSeed(5);
        TransformerLm a = new TransformerLm(SMALL, Device.CPU, DType.FLOAT32);
        AdamW optA = new AdamW(a.stateDict(), AdamWConfig.DEFAULT);
        Tensor ids = Torch.randint(0, 50, Device.CPU, 2, 8);
        for (int s = 0; s < 2; s++) {
            for (Tensor p : a.stateDict().values()) p.clearGrad();
            a.forward(ids).pow(2).mean().backward();
            optA.step(1e-2);
        }
        Path f = dir.resolve("m.safetensors");
        ModuleCheckpoint.save(a, optA, 42, f);
        TransformerLm b = new TransformerLm(SMALL, Device.CPU, DType.FLOAT32);
        AdamW optB = new AdamW(b.stateDict(), AdamWConfig.DEFAULT);
        assertEquals(42, ModuleCheckpoint.load(f, b, optB));
        assertArrayEquals(a.forward(ids).toFloatArray(), b.forward(ids).toFloatArray());
        assertEquals(2, optB.stepCount());
        optA.state().tensors().forEach((k, t) -> assertArrayEquals(t.toFloatArray(), optB.state().tensors().get(k).toFloatArray(), k));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "one file, no temp left beside it");
        }
    }

    @Test
    void refusalsNameTheFileAndTheTensor(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ffn.safetensors");
        FeedForward ffn = new FeedForward(8, 16);
        ModuleCheckpoint.save(ffn, null, 7, f);
        assertEquals(7, ModuleCheckpoint.load(f, new FeedForward(8, 16), null));
        AdamW opt = new AdamW(new FeedForward(8, 16).stateDict(), AdamWConfig.DEFAULT);
        var e = assertThrows(JlmException.class, () -> ModuleCheckpoint.load(f, new FeedForward(8, 16), opt));
        assertEquals(f + ": metadata has no optimizer_step (not a module checkpoint)", e.getMessage());
        e = assertThrows(JlmException.class, () -> ModuleCheckpoint.load(f, new FeedForward(8, 32), null));
        assertEquals(f + ": tensor w1.weight has shape [16, 8] but the module expects [32, 8]", e.getMessage());
        Path withOpt = dir.resolve("opt.safetensors");
        ModuleCheckpoint.save(ffn, new AdamW(ffn.stateDict(), AdamWConfig.DEFAULT), 1, withOpt);
        e = assertThrows(JlmException.class, () -> ModuleCheckpoint.load(withOpt, new FeedForward(8, 16), null));
        assertEquals(withOpt + ": unexpected tensor optimizer.exp_avg.w1.weight (no optimizer to load it into)", e.getMessage());
        Path weightsOnly = dir.resolve("w.safetensors");
        Safetensors.write(weightsOnly, Map.of("w1.weight", Torch.zeros(16, 8)), Map.of());
        e = assertThrows(JlmException.class, () -> ModuleCheckpoint.load(weightsOnly, new FeedForward(8, 16), null));
        assertEquals(weightsOnly + ": unexpected tensor w1.weight (a module checkpoint holds model.* and optimizer.* tensors)", e.getMessage());
        e = assertThrows(JlmException.class, () -> ModuleCheckpoint.load(dir.resolve("none"), ffn, null));
        assertEquals(dir.resolve("none") + ": checkpoint not found", e.getMessage());
    }
}
