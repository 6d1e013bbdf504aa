package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every header length reads back, including those whose little-endian bytes start the file like a pickle (0x80 0x02..0x05) or would
 * if they were longer. Oracle: the safetensors specification (8-byte LE header size N, N bytes of JSON that may be padded with trailing
 * spaces, then the data), written out by hand here, independent of jlm's writer.
 */
class SafetensorsHeaderLengthPropertyTest {
    private static final String PICKLE = "a PyTorch pickle (torch.save), not safetensors";

    /** The compact header for {@code x}: F32, shape [4], with one metadata entry; its length is the smallest header length tested. */
    private static final String HEADER = "{\"__metadata__\":{\"k\":\"v\"},\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";

    /** Values tied to the header length, so a stale file or a misplaced data start cannot pass; bit patterns compared exactly. */
    private static float[] values(long n) {
        return new float[] {n, -n / 3f, Float.intBitsToFloat(0x00000001 + (int) (n & 0xFF)), Float.intBitsToFloat(0x7f7fffff - (int) (n & 0xFFF))};
    }

    /** Writes a valid safetensors file whose header is exactly {@code n} bytes (JSON padded with trailing spaces). */
    private static void writeFile(Path f, long n) throws IOException {
        byte[] json = HEADER.getBytes(StandardCharsets.US_ASCII);
        if (json.length > n) throw new IllegalArgumentException("header length " + n + " is below the JSON's " + json.length);
        ByteBuffer b = ByteBuffer.allocate((int) (8 + n + 16)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(json);
        for (long i = json.length; i < n; i++) b.put((byte) ' ');
        for (float v : values(n)) b.putFloat(v);
        b.flip();
        // overwritten in place, then cut to size: ext4 flushes a file truncated to zero, which would make 4,000 rewrites slow
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) ch.write(b, b.position());
            ch.truncate(b.limit());
        }
    }

    private static boolean aliasesPickle(long n) {
        long b1 = (n >> 8) & 0xFF;
        return (n & 0xFF) == 0x80 && b1 >= 2 && b1 <= 5;
    }

    private static int[] bits(float[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) r[i] = Float.floatToRawIntBits(a[i]);
        return r;
    }

    private static void assertReadsBack(Path f, long n) throws IOException {
        try (var s = TensorScope.open()) {
            var c = Safetensors.read(f, Device.CPU);
            Tensor x = c.tensors().get("x");
            assertArrayEquals(new long[] {4}, x.shape(), "header length " + n);
            assertArrayEquals(bits(values(n)), bits(x.toFloatArray()), "header length " + n);
            assertEquals(Map.of("k", "v"), c.metadata(), "header length " + n);
        }
    }

    @Test
    void everyHeaderLengthFromTheSmallestToFourKibMoreReadsBack(@TempDir Path dir) throws Exception {
        int smallest = HEADER.length();
        int largest = smallest + 4096;
        Path f = dir.resolve("h.safetensors");
        List<Long> aliased = new ArrayList<>();
        int checked = 0;
        for (int n = smallest; n <= largest; n++) {
            writeFile(f, n);
            assertReadsBack(f, n);
            if (aliasesPickle(n)) {
                byte[] head = Arrays.copyOf(Files.readAllBytes(f), 2);
                assertEquals((byte) 0x80, head[0]);
                aliased.add((long) n);
            }
            checked++;
        }
        assertEquals(largest - smallest + 1, checked, "every length in [" + smallest + ", " + largest + "] was written and read");
        assertEquals(List.of(640L, 896L, 1152L, 1408L), aliased, "the lengths that start the file like a pickle were all covered");
    }

    @Test
    void lengthsAboveSixtyFourKibWhoseLowBytesLookLikeAPickleReadBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big.safetensors");
        for (long n : new long[] {0x10280, 0x10380, 0x10480, 0x10580, 0x20280, 0x30580, 0x40480}) {
            assertTrue(aliasesPickle(n));
            writeFile(f, n);
            assertReadsBack(f, n);
        }
    }

    /** jlm's own writer pads the header to 8 bytes; a file it wrote with a 640-byte header (0x80 0x02 ...) must read back. */
    @Test
    void filesJlmWritesWithAnAliasingHeaderLengthReadBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("own.safetensors");
        for (long target : new long[] {640, 896, 1152, 1408}) {
            try (var s = TensorScope.open()) {
                Map<String, Tensor> t = new LinkedHashMap<>();
                t.put("w", Torch.arange(0, 6, 1, DType.FLOAT32, Device.CPU).reshape(2, 3));
                // the JSON's length without padding, then the metadata value that makes it exactly the target (a multiple of 8)
                Safetensors.write(f, t, Map.of("pad", ""));
                byte[] all = Files.readAllBytes(f);
                int json = new String(all, 8, (int) ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(), StandardCharsets.UTF_8)
                        .stripTrailing().length();
                Safetensors.write(f, t, Map.of("pad", "p".repeat((int) target - json)));
                assertEquals(target, ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(),
                        "the writer's header is " + target + " bytes");
                assertEquals((byte) 0x80, Files.readAllBytes(f)[0]);
                var c = Safetensors.read(f, Device.CPU);
                assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, c.tensors().get("w").toFloatArray(), "header length " + target);
            }
        }
    }

    private static String refusal(Path f) {
        try (var s = TensorScope.open()) {
            return assertThrows(JlmException.class, () -> Safetensors.read(f, Device.CPU)).getMessage();
        }
    }

    @Test
    void realPicklesAndZipsAreStillRefusedAsSuch(@TempDir Path dir) throws Exception {
        // protocol-2 pickle of a dict: 0x80 0x02 '}' 'q' ...: the length read from it is far past the file's end
        byte[] pickle = new byte[256];
        Arrays.fill(pickle, (byte) 0x71);
        pickle[0] = (byte) 0x80;
        pickle[1] = 2;
        pickle[2] = 0x7d;
        Path p = Files.write(dir.resolve("model.pt"), pickle);
        assertTrue(refusal(p).contains(PICKLE), refusal(p));
        // 0x80 0x02 0 0 0 0 0 0 is a length of 640 that fits this file, but what follows is no JSON header: still a pickle
        for (int proto = 2; proto <= 5; proto++) {
            byte[] b = new byte[8 + 640 + 32];
            Arrays.fill(b, (byte) 0x71);
            b[0] = (byte) 0x80;
            b[1] = (byte) proto;
            for (int i = 2; i < 8; i++) b[i] = 0;
            Path q = Files.write(dir.resolve("p" + proto + ".bin"), b);
            assertTrue(refusal(q).contains(PICKLE), refusal(q));
            // a '{' that does not open a JSON object is no header either
            b[8] = '{';
            Path r = Files.write(dir.resolve("brace" + proto + ".bin"), b);
            assertTrue(refusal(r).contains(PICKLE), refusal(r));
        }
        // torch.save's zip format (PK\3\4), both with a length past the end and with one that fits
        byte[] zip = new byte[1024];
        Arrays.fill(zip, (byte) 0x55);
        zip[0] = 'P';
        zip[1] = 'K';
        zip[2] = 3;
        zip[3] = 4;
        Path z = Files.write(dir.resolve("model.zip.pt"), zip);
        assertTrue(refusal(z).contains(PICKLE), refusal(z));
        // bytes 4..7 zero: a length of 0x04034b50 bytes, which this (sparse) file holds
        Path zs = dir.resolve("fits.pt");
        try (FileChannel ch = FileChannel.open(zs, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.wrap(new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0x55, 0x55}));
            ch.write(ByteBuffer.wrap(new byte[8]), 8 + 0x04034b50L);
        }
        assertTrue(refusal(zs).contains(PICKLE), refusal(zs));
        // and a file that is neither keeps its own message
        Path junk = Files.writeString(dir.resolve("junk.safetensors"), "hello, this is not a checkpoint");
        assertTrue(refusal(junk).contains("not a safetensors file"), refusal(junk));
    }
}
