package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jlm.JlmException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jlm export` makes the memory check the other verbs make, before it writes anything. Oracle: the safetensors layout (the
 * data is the file after 8 + the header's length) and the model's largest tensor, V × D float32, written out by hand.
 */
class ExportMemoryTest {
    /** What an export holds at once: every tensor's bytes (the data after the header) and two copies of the largest (V × D float32). */
    @Test
    void anExportsMemoryIsItsWeightsAndTwoCopiesOfTheLargestTensor(@TempDir Path dir) throws Exception {
        Path file = ModelFilesTest.savedModel(dir.resolve("m.safetensors"), 3);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file)) {
            ch.read(len, 0);
        }
        long data = Files.size(file) - 8 - len.getLong(0), largest = 97L * 32 * 4;
        assertEquals(data + 2.0 * largest, Checkpoint.exportBytes(ModelFiles.resolve(file, Map.of())));
        var e = assertThrows(JlmException.class, () -> dev.jlm.nn.MemoryBudget.requireHeld(1e18, "exporting " + file));
        assertEquals("exporting " + file + " needs about 1000000.0 TB of memory but this machine has ", e.getMessage().replaceAll("\\d+(\\.\\d)? [MGT]B available$", ""));
    }
}
