package dev.jlm.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Reads numpy .npz snapshots (little-endian float32 / int64 C-order arrays). */
public final class Npz {
    public record Array(long[] shape, float[] data) {}

    private Npz() {}

    public static Map<String, Array> read(String resource) {
        try (InputStream in = Npz.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalArgumentException("missing test resource " + resource);
            Map<String, Array> out = new HashMap<>();
            try (ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    zip.transferTo(buf);
                    out.put(e.getName().replace(".npy", ""), parseNpy(buf.toByteArray()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Array array(String resource) {
        return read(resource).get("array");
    }

    static Array parseNpy(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int major = b[6];
        int headerLen = major == 1 ? Short.toUnsignedInt(bb.getShort(8)) : bb.getInt(8);
        int offset = major == 1 ? 10 : 12;
        String header = new String(b, offset, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = Pattern.compile("'descr':\\s*'([^']+)'").matcher(header);
        Matcher s = Pattern.compile("'shape':\\s*\\(([^)]*)\\)").matcher(header);
        if (!d.find() || !s.find() || header.contains("'fortran_order': True")) throw new IllegalArgumentException(header);
        long[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        int n = (int) Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        float[] data = new float[n];
        bb.position(offset + headerLen);
        switch (d.group(1)) {
            case "<f4" -> { for (int i = 0; i < n; i++) data[i] = bb.getFloat(); }
            case "<f8" -> { for (int i = 0; i < n; i++) data[i] = (float) bb.getDouble(); }
            case "<i8" -> { for (int i = 0; i < n; i++) data[i] = bb.getLong(); }
            default -> throw new IllegalArgumentException("unsupported dtype " + d.group(1));
        }
        return new Array(shape, data);
    }
}
