package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jlm.JlmException;
import dev.jlm.nn.Kernels;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model file whose tensors hold a NaN or an infinity is refused naming the file and the tensor, by every reader of
 * weights (load, export). Oracle: the IEEE 754 bit patterns written into the file's bytes by hand, at the offset the
 * safetensors format gives (8 + header length + the tensor's begin), read with the test's own reader of the length.
 */
public class NonFiniteWeightsTest {
    static final String TENSOR = "layers.1.ffn.w2.weight";

    /** {@code file} with float32 element {@code index} of {@link #TENSOR} replaced by the bits {@code bits}. */
    static void poke(Path file, int index, int bits) throws Exception {
        poke(file, TENSOR, index, bits);
    }

    /** {@code file} with float32 element {@code index} of {@code tensor} replaced by the bits {@code bits}. */
    public static void poke(Path file, String tensor, int index, int bits) throws Exception {
        Safetensors.Entry e = Safetensors.readHeader(file).entries().get(tensor);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long at = 8 + len.getLong(0) + e.begin() + 4L * index;
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, bits), at);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"NaN, 7fc00000", "+Inf, 7f800000", "-Inf, ff800000"})
    void aNonFiniteWeightIsRefusedByName(String what, String hexBits, @TempDir Path dir) throws Exception {
        Path file = ModelFilesTest.savedModel(dir.resolve("m.safetensors"), 3);
        ModelFiles.Resolved r = ModelFiles.resolve(file, Map.of());
        try (var s = TensorScope.open()) {
            Checkpoint.load(r, Device.CPU, DType.FLOAT32, Kernels.REFERENCE);                 // the control: the file as saved loads
        }
        poke(file, 5, Integer.parseUnsignedInt(hexBits, 16));
        String expected = file + ": tensor " + TENSOR + " holds NaN or infinite values";
        try (var s = TensorScope.open()) {
            var e = assertThrows(JlmException.class, () -> Checkpoint.load(r, Device.CPU, DType.FLOAT32, Kernels.REFERENCE), what);
            assertEquals(expected, e.getMessage().substring(0, expected.length()), e.getMessage());
        }
        Path out = dir.resolve("hf");
        var e = assertThrows(JlmException.class, () -> Checkpoint.export(r, out), what);
        assertEquals(expected, e.getMessage().substring(0, expected.length()), e.getMessage());
        assertFalse(Files.exists(out), "a refused export leaves nothing");
    }
}
