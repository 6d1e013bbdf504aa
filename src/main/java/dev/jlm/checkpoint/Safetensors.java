package dev.jlm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlm.JlmException;
import dev.jlm.io.AtomicFile;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format: u64 little-endian header length N, N bytes of JSON ({name: {dtype, shape,
 * data_offsets: [begin, end]}}, plus "__metadata__": {string: string}), then the raw little-endian tensor bytes.
 * Written atomically; read with every offset and size checked, so a truncated or foreign file is a clear error.
 */
public final class Safetensors {
    /** Strict about a key given twice: a header that lists a tensor twice is damaged, not "the last one wins". */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private Safetensors() {}

    static String code(DType d) {
        return switch (d) {
            case FLOAT32 -> "F32";
            case BFLOAT16 -> "BF16";
            case FLOAT16 -> "F16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case UINT8 -> "U8";
            case BOOL -> "BOOL";
            case FLOAT64 -> "F64";
        };
    }

    static DType dtype(String code, Path file, String name) {
        for (DType d : DType.values()) if (code(d).equals(code)) return d;
        throw new JlmException(file + ": tensor " + name + " has unsupported dtype " + code);
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFile.write(file, body(tensors, metadata));
    }

    /** {@link #write}'s first half: the file written and fsynced beside {@code file}, not yet in place (see AtomicFile.prepare). */
    static Path prepare(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        return AtomicFile.prepare(file, body(tensors, metadata));
    }

    private static AtomicFile.Body body(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = t.numel() * t.dtype().byteSize();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", code(t.dtype()));
            var shape = n.putArray("shape");
            for (long s : t.shape()) shape.add(s);
            n.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = new byte[8 + padded];
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        System.arraycopy(json, 0, head, 8, json.length);
        for (int i = 8 + json.length; i < head.length; i++) head[i] = ' ';
        return out -> {
            out.write(head);
            try (Arena arena = Arena.ofConfined()) {
                for (Tensor t : tensors.values()) {
                    long bytes = t.numel() * t.dtype().byteSize();
                    MemorySegment seg = arena.allocate(Math.max(bytes, 1)).asSlice(0, bytes);
                    t.copyTo(seg);
                    out.write(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                }
            }
        };
    }

    /** One tensor's entry in the header: where its bytes lie, relative to the start of the data. */
    public record Entry(DType dtype, long[] shape, long begin, long end) {}

    /** The header alone: tensor entries in file order, metadata, and where the data starts. Allocates no tensor. */
    public record Header(Map<String, Entry> entries, Map<String, String> metadata, long dataStart) {}

    /** Reads and checks the header (every entry's dtype, shape and offsets against the file's size). */
    public static Header readHeader(Path file) throws IOException {
        dev.jlm.io.Inputs.requireFile(file, "safetensors file");
        long size = Files.size(file);
        if (size < 8) throw new JlmException(file + ": not a safetensors file (" + size + " bytes)");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (len.hasRemaining() && ch.read(len) >= 0) { /* fill */ }
            long n = len.getLong(0);
            // Decided by the format's own structure (length fits the file, header is a JSON object), not by magic bytes: a valid
            // header length such as 640 = 0x280 starts the file with 0x80 0x02, exactly like a pickle.
            boolean lengthFits = n > 0 && n <= size - 8 && n <= 100_000_000, torchSave = isTorchSave(len.array());
            JsonNode header = null;
            com.fasterxml.jackson.core.JsonProcessingException notJson = null;
            if (lengthFits && (!torchSave || opensAnObject(ch, n))) {
                ByteBuffer json = ByteBuffer.allocate((int) n);
                while (json.hasRemaining() && ch.read(json, 8 + json.position()) >= 0) { /* fill */ }
                try {
                    header = JSON.readTree(new String(json.array(), StandardCharsets.UTF_8));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    notJson = e;
                }
            }
            boolean safetensors = header != null && header.isObject();
            if (!safetensors && torchSave) {
                throw new JlmException(file + ": a PyTorch pickle (torch.save), not safetensors: jlm reads no pickles (they can run code); save"
                        + " the weights with safetensors.torch.save_file(model.state_dict(), \"model.safetensors\")");
            }
            if (!lengthFits) throw new JlmException(file + ": not a safetensors file (bad header length " + n + ")");
            if (notJson != null && String.valueOf(notJson.getOriginalMessage()).startsWith("Duplicate ")) {
                throw new JlmException(file + ": not a valid safetensors file (its header gives "
                        + notJson.getOriginalMessage().replaceAll("^Duplicate (?:field|Object property) ['\"](.*)['\"].*", "$1") + " twice)");
            }
            if (notJson != null) {
                throw new JlmException(file + ": not a safetensors file (header is not JSON" + (notJson instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException
                        ? ": over the reader's limits" : "") + ")");
            }
            if (!safetensors) throw new JlmException(file + ": not a safetensors file (header is not a JSON object)");
            long dataStart = 8 + n, dataLen = size - dataStart;
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    if (!e.getValue().isObject()) throw new JlmException(file + ": __metadata__ is not a JSON object");
                    for (var m : e.getValue().properties()) {            // the format's metadata is text: a null is no "null"
                        if (!m.getValue().isTextual()) throw new JlmException(file + ": __metadata__ " + m.getKey() + " is " + m.getValue() + ", not a string");
                        meta.put(m.getKey(), m.getValue().asText());
                    }
                    continue;
                }
                entries.put(e.getKey(), entry(file, e.getKey(), e.getValue(), dataStart, dataLen));
            }
            requireDisjoint(file, entries);
            requireEntirelyIndexed(file, entries, dataLen);
            return new Header(entries, meta, dataStart);
        }
    }

    /**
     * Starts like one of torch.save's formats: a zip archive (PyTorch ≥ 1.6) or a bare pickle (protocol 2 and up). Only asked of a
     * file that is not structurally safetensors: a valid header length can begin with these same bytes.
     */
    private static boolean isTorchSave(byte[] head) {
        boolean zip = head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        boolean pickle = (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5;
        return zip || pickle;
    }

    /** Whether the n header bytes after the length begin with '{' once leading JSON whitespace is skipped (a cheap look, before reading them all). */
    private static boolean opensAnObject(FileChannel ch, long n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(n, 4096));
        while (b.hasRemaining() && ch.read(b, 8 + b.position()) >= 0) { /* fill */ }
        for (int i = 0; i < b.position(); i++) {
            byte c = b.get(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return c == '{';
        }
        return n > b.capacity(); // whitespace so far: let the parser decide
    }

    /** No two tensors share bytes: each one's data is its own. */
    private static void requireDisjoint(Path file, Map<String, Entry> entries) {
        var byStart = new java.util.ArrayList<>(entries.entrySet());
        byStart.sort(java.util.Comparator.comparingLong(e -> e.getValue().begin()));
        for (int i = 1; i < byStart.size(); i++) {
            var a = byStart.get(i - 1);
            var b = byStart.get(i);
            if (b.getValue().begin() < a.getValue().end() && b.getValue().end() > b.getValue().begin()) {
                throw new JlmException(file + ": tensors " + a.getKey() + " and " + b.getKey() + " overlap (bytes " + b.getValue().begin() + ".."
                        + Math.min(a.getValue().end(), b.getValue().end()) + " of the data): not a valid safetensors file");
            }
        }
    }

    /**
     * The data section is the tensors' bytes and nothing else, as the format requires ("entirely indexed", no holes): a
     * header length off by a few bytes of padding would otherwise shift every tensor onto its neighbour's bytes unseen.
     */
    private static void requireEntirelyIndexed(Path file, Map<String, Entry> entries, long dataLen) {
        long covered = 0;
        for (Entry e : entries.values().stream().sorted(java.util.Comparator.comparingLong(Entry::begin)).toList()) {
            if (e.begin() > covered) {
                throw new JlmException(file + ": bytes " + covered + ".." + e.begin() + " of the data belong to no tensor: not a valid safetensors file");
            }
            covered = Math.max(covered, e.end());
        }
        if (covered != dataLen) {
            throw new JlmException(file + ": " + (dataLen - covered) + " bytes after the last tensor's data (the header says the data is " + covered
                    + " bytes, the file holds " + dataLen + "): not a valid safetensors file");
        }
    }

    private static Entry entry(Path file, String name, JsonNode d, long dataStart, long dataLen) {
        if (!d.isObject()) throw new JlmException(file + ": tensor " + name + ": header entry is not a JSON object");
        DType dt = dtype(d.path("dtype").asText(), file, name);
        JsonNode dims = d.path("shape");
        if (!dims.isArray() || dims.size() > 8) throw new JlmException(file + ": tensor " + name + " has no valid shape");
        long[] shape = new long[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode s = dims.get(i);
            if (!s.canConvertToLong() || !s.isIntegralNumber() || s.asLong() < 0) {
                throw new JlmException(file + ": tensor " + name + " has an invalid dimension " + s);
            }
            shape[i] = s.asLong();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException overflow) {
                throw new JlmException(file + ": tensor " + name + " has an impossible shape " + java.util.Arrays.toString(shape));
            }
        }
        long begin = d.path("data_offsets").path(0).asLong(-1), end = d.path("data_offsets").path(1).asLong(-1);
        if (numel > Long.MAX_VALUE / 8 || begin < 0 || end < begin || end - begin != numel * dt.byteSize()) {
            throw new JlmException(file + ": tensor " + name + " has inconsistent data_offsets");
        }
        if (end > dataLen) {
            throw new JlmException(file + ": truncated: tensor " + name + " needs bytes up to " + (dataStart + end) + " but the file has "
                    + (dataStart + dataLen));
        }
        return new Entry(dt, shape, begin, end);
    }

    /** Reads every tensor onto {@code device}, in the current TensorScope. */
    public static Contents read(Path file, Device device) throws IOException {
        Header h = readHeader(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, Files.size(file), arena);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (var e : h.entries().entrySet()) {
                Entry en = e.getValue();
                tensors.put(e.getKey(), Torch.fromSegment(all.asSlice(h.dataStart() + en.begin(), en.end() - en.begin()), en.dtype(), device, en.shape()));
            }
            return new Contents(tensors, h.metadata());
        }
    }
}
