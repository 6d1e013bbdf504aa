package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jlm.JlmException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The safetensors format's metadata maps strings to strings: a JSON null, number or object there is refused by name, never
 * read as the text "null", "5" or "". Oracle: files built here byte by byte from the format's description (u64 LE length,
 * header JSON, data).
 */
class SafetensorsMetadataTest {
    static Path file(Path dir, String metadata) throws Exception {
        byte[] json = ("{\"__metadata__\": " + metadata + ", \"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
        out.write(json);
        out.write(new byte[4]);
        return Files.write(dir.resolve("m.safetensors"), out.toByteArray());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"format\": \"pt\", \"config\": null}  | __metadata__ config is null, not a string",
            "{\"step\": 5}                          | __metadata__ step is 5, not a string",
            "{\"config\": {\"d_model\": 8}}          | __metadata__ config is {\"d_model\":8}, not a string"})
    void aMetadataValueThatIsNotTextIsRefused(String metadata, String expected, @TempDir Path dir) throws Exception {
        Path f = file(dir, metadata);
        assertEquals(f + ": " + expected, assertThrows(JlmException.class, () -> Safetensors.readHeader(f)).getMessage());
    }

    /** A tensor listed twice in the header (JSON lets the last one win): refused. */
    @org.junit.jupiter.api.Test
    void aTensorListedTwiceIsRefused(@TempDir Path dir) throws Exception {
        Path f = file(dir, "{}, \"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}");
        assertEquals(f + ": not a valid safetensors file (its header gives x twice)",
                assertThrows(JlmException.class, () -> Safetensors.readHeader(f)).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"{\"format\": \"pt\", \"step\": \"5\"}"})
    void textMetadataIsRead(String metadata, @TempDir Path dir) throws Exception {
        assertEquals(Map.of("format", "pt", "step", "5"), Safetensors.readHeader(file(dir, metadata)).metadata());
    }
}
