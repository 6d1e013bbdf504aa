package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Oracle: the safetensors specification (header layout written out by hand here). */
class SafetensorsTest {
    @Test
    void readsAHandWrittenFile(@TempDir Path dir) throws Exception {
        String header = "{\"__metadata__\":{\"k\":\"v\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).putFloat(1.5f).putFloat(-2f);
        Path f = Files.write(dir.resolve("h.safetensors"), b.array());
        try (var s = TensorScope.open()) {
            var c = Safetensors.read(f, Device.CPU);
            assertEquals(Map.of("k", "v"), c.metadata());
            assertArrayEquals(new float[] {1.5f, -2f}, c.tensors().get("x").toFloatArray());
        }
    }

    @Test
    void roundTripsAndRejectsDamagedFiles(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.safetensors");
        try (var s = TensorScope.open()) {
            Map<String, dev.jlm.tensor.Tensor> t = new LinkedHashMap<>();
            t.put("w", Torch.arange(0, 6, 1, DType.FLOAT32, Device.CPU).reshape(2, 3));
            t.put("i", Torch.fromArray(new long[] {7, 8}, 2));
            Safetensors.write(f, t, Map.of("note", "hi"));
            var c = Safetensors.read(f, Device.CPU);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, c.tensors().get("w").toFloatArray());
            assertArrayEquals(new long[] {2, 3}, c.tensors().get("w").shape());
            assertArrayEquals(new long[] {7, 8}, c.tensors().get("i").toLongArray());
            assertEquals("hi", c.metadata().get("note"));
            // 8-byte aligned header, per the spec
            long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8);
        }
        byte[] all = Files.readAllBytes(f);
        Path cut = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(all, all.length - 4));
        Path junk = Files.writeString(dir.resolve("junk.safetensors"), "hello, this is not a checkpoint");
        try (var s = TensorScope.open()) {
            var e1 = assertThrows(JlmException.class, () -> Safetensors.read(cut, Device.CPU));
            assertTrue(e1.getMessage().contains("truncated"), e1.getMessage());
            var e2 = assertThrows(JlmException.class, () -> Safetensors.read(junk, Device.CPU));
            assertTrue(e2.getMessage().contains("not a safetensors file"), e2.getMessage());
        }
    }

    @Test
    void checkpointOfAnotherShapeIsAClearError(@TempDir Path dir) throws Exception {
        var small = ModelConfig.builder().vocabSize(50).contextLength(8).dModel(16).numLayers(1).numHeads(2).build();
        var wide = ModelConfig.builder().vocabSize(50).contextLength(8).dModel(32).numLayers(1).numHeads(2).build();
        Path f = dir.resolve("m.safetensors");
        try (var s = TensorScope.open()) {
            Checkpoint.save(f, new TransformerLm(small, Device.CPU, DType.FLOAT32), null, 0, Map.of());
            assertEquals(small, ModelFiles.resolve(f, java.util.Map.of()).config());
            var e = assertThrows(JlmException.class, () -> Checkpoint.loadWeights(f, new TransformerLm(wide, Device.CPU, DType.FLOAT32)));
            assertTrue(e.getMessage().contains("token_embeddings.weight has shape [50, 16] but the model expects [50, 32]"), e.getMessage());
        }
    }
}
