package dev.jlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.JlmException;
import dev.jlm.nn.ModelConfig;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.ScheduleConfig;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.data.Batch;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    static final ModelConfig SMALL = ModelConfig.builder().vocabSize(64).contextLength(16).dModel(32).numLayers(2).numHeads(4).build();

    static TrainConfig cfg(Path train, Path valid, Path out, long steps, double lr, long saveEvery, boolean resume) {
        return TrainConfig.builder().model(SMALL).train(train).out(out).valid(valid).batchSize(4).steps(steps)
                .schedule(ScheduleConfig.builder().lrMax(lr).lrMin(lr / 10).warmup(Math.min(2L, steps - 1)).cosineSteps(steps).build())
                .adamw(AdamWConfig.DEFAULT).gradClip(1.0).evalEvery(3).evalWindows(8).saveEvery(saveEvery).seed(7)
                .device(Device.CPU).dtype(DType.FLOAT32).threads(1).resume(resume).build();
    }

    static List<JsonNode> metrics(Path run) throws Exception {
        ObjectMapper m = new ObjectMapper();
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream().map(l -> {
            try {
                return m.readTree(l);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).toList();
    }

    /** Oracle: the uninterrupted run itself; a resumed run must reproduce its losses exactly. */
    @Test
    void resumeContinuesExactlyAndLossFalls(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("train.bin"), 3000, 64, 1), valid = TokenFiles.random(dir.resolve("valid.bin"), 600, 64, 2);
        Path full = dir.resolve("full"), part = dir.resolve("part");
        long live = Tensor.liveHandles();
        new Trainer(cfg(train, valid, full, 8, 3e-3, 4, false)).run((s, n, l, r, t, v) -> {});
        new Trainer(cfg(train, valid, part, 8, 3e-3, 4, false).stoppingAt(4)).run((s, n, l, r, t, v) -> {});  // stops at 4
        new Trainer(cfg(train, valid, part, 8, 3e-3, 4, true)).run((s, n, l, r, t, v) -> {});                   // resumes 5..8
        assertEquals(live, Tensor.liveHandles(), "the trainer leaked tensor handles");
        List<JsonNode> a = metrics(full), b = metrics(part);
        assertEquals(8, a.size());
        assertEquals(8, b.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(a.get(i).get("step").asLong(), b.get(i).get("step").asLong());
            assertEquals(a.get(i).get("train_loss").asDouble(), b.get(i).get("train_loss").asDouble(), 0.0, "step " + (i + 1));
        }
        assertTrue(a.get(7).get("train_loss").asDouble() < a.get(0).get("train_loss").asDouble());
        assertTrue(Files.isRegularFile(full.resolve("last.safetensors")) && Files.isRegularFile(full.resolve("last.optim.safetensors")));
        assertTrue(a.get(7).has("val_loss"));
    }

    /** A step reads nothing back on the host (item, copies out): its loss and norm stay on the device until asked for. */
    @Test
    void aStepReadsNothingBack() {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(1);
            var model = new TransformerLm(SMALL, Device.CPU, DType.FLOAT32, Kernels.Choice.AUTO.kernels());
            var opt = new AdamW(model.params().named(), AdamWConfig.DEFAULT);
            long[] ids = new long[4 * 17];
            for (int i = 0; i < ids.length; i++) ids[i] = (i * 5L) % 64;
            Tensor all = Torch.fromArray(ids, 4, 17);
            Batch batch = new Batch(all.narrow(1, 0, 16), all.narrow(1, 1, 16));
            long reads = Tensor.hostReads();
            List<Trainer.StepResult> results = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) results.add(Trainer.step(model, opt, batch, 1e-3, 1.0));
            assertEquals(reads, Tensor.hostReads(), "host reads during 5 steps");
            assertTrue(results.getLast().loss() < results.getFirst().loss());
            assertEquals(reads + 2, Tensor.hostReads());
        }
    }

    /** The loop reads once per log_every window: the listener hears of steps 1-5 after one read, of 6-10 after the next. */
    @Test
    void theLoopReadsOncePerWindow(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("train.bin"), 3000, 64, 1);
        TrainConfig c = cfg(train, null, dir.resolve("run"), 10, 1e-3, 100, false).toBuilder().logEvery(5).build();
        List<long[]> heard = new java.util.ArrayList<>();                    // {step, host reads so far}
        new Trainer(c).run((s, n, l, r, t, v) -> heard.add(new long[] {s, Tensor.hostReads()}));
        assertEquals(10, heard.size());
        for (int i = 1; i < 5; i++) assertEquals(heard.get(0)[1], heard.get(i)[1], "step " + (i + 1));
        for (int i = 6; i < 10; i++) assertEquals(heard.get(5)[1], heard.get(i)[1], "step " + (i + 1));
        assertEquals(heard.get(0)[1] + 1, heard.get(5)[1], "one read for steps 6-10");
        assertEquals(10, metrics(dir.resolve("run")).size());
    }

    @Test
    void nanLossStopsAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("train.bin"), 3000, 64, 1);
        Path run = dir.resolve("run");
        var e = assertThrows(JlmException.class, () -> new Trainer(cfg(train, null, run, 400, 1e9, 1, false)).run((s, n, l, r, t, v) -> {}));
        assertTrue(e.getMessage().matches("(loss|the gradient norm) is (NaN|Infinity) at step \\d+ .*Last good checkpoint: .*step-\\d+\\.safetensors"), e.getMessage());
        String stepWord = e.getMessage().replaceAll(".*at step (\\d+).*", "$1");
        long bad = Long.parseLong(stepWord);
        assertTrue(Files.isRegularFile(run.resolve(String.format("step-%06d.safetensors", bad - 1))));
        assertFalse(Files.exists(run.resolve(String.format("step-%06d.safetensors", bad))));
    }

    @Test
    void badDataIsAClearError(@TempDir Path dir) throws Exception {
        int[] ids = new int[200];
        java.util.Arrays.fill(ids, 70);                                 // every window holds an id over the vocab
        Path big = TokenFiles.write(dir.resolve("big.bin"), ids);
        var e = assertThrows(JlmException.class, () -> new Trainer(cfg(big, null, dir.resolve("r"), 2, 1e-3, 1, false)).run((s, n, l, r, t, v) -> {}));
        assertTrue(e.getMessage().matches(java.util.regex.Pattern.quote(big.toString()) + ": token id 70 at offset \\d+ exceeds vocab_size 64"),
                e.getMessage());
        Path tiny = TokenFiles.write(dir.resolve("tiny.bin"), new int[] {1, 2, 3});
        var e2 = assertThrows(JlmException.class, () -> new Trainer(cfg(tiny, null, dir.resolve("r2"), 2, 1e-3, 1, false)).run((s, n, l, r, t, v) -> {}));
        assertTrue(e2.getMessage().contains("shorter than context_length + 1"), e2.getMessage());
        var e3 = assertThrows(JlmException.class, () -> ModelConfig.builder().vocabSize(64).contextLength(16).dModel(30).numLayers(2).numHeads(4).build());
        assertEquals("d_model 30 is not divisible by num_heads 4", e3.getMessage());
    }
}
