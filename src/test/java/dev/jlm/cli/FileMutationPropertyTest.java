package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.nn.ModelConfig;
import dev.jlm.testing.TokenFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import dev.jlm.testing.SavedModels;
import dev.jlm.testing.Seeded;
import dev.jlm.testing.Seeds;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Random damage to every file jlm reads — safetensors checkpoints (header length, JSON text, offsets, shapes,
 * dtypes, truncation, appended bytes), vocab.json / merges.txt / tokenizer.json, token files, --config JSON — is
 * either read exactly or refused with one line starting "jlm: " (exit 1 or 2): never an internal error, a JVM crash,
 * an OutOfMemoryError or a stack trace. What each damaged file must give is decided here, not by jlm: by the test's own
 * reading of each format ({@link #expect}: the safetensors layout, JSON, uint16 ids against the vocab, the documented
 * value types and domains of the settings), and "read exactly" means the original's result (eval's loss, tokenize's
 * ids). Each case's outcome must be what its class requires, and after all cases the tally of outcomes per class must
 * be exactly the required one, with every class reached. The cases are seeds drawn from one fixed seed ({@link
 * Seeded}); a failure's display name is its seed, which reproduces its damage.
 */
class FileMutationPropertyTest {
    static Path dir, ckpt, valid, tok, train;
    static byte[] ckptBytes;
    /** The undamaged files' results: eval's loss on ckpt and valid.bin, tokenize's output with tok. */
    static double originalLoss;
    static String originalIds;

    /** What the test's reading of a damaged file requires of jlm. */
    enum Expect {
        /** the same contents as the original (bytes, or a header that says the same): read, the original's result */
        SAME,
        /** not a valid file of its format, or one that contradicts itself or its model: refused */
        INVALID,
        /** the original followed by bytes no header entry indexes (the format forbids them): refused, or read exactly */
        TRAILING,
        /** a valid file that says something else (other weights; a model setting the tensors cannot check): read or refused */
        OTHER
    }

    /** Class → outcome → count: what the cases required and what jlm did ("read exactly", "read", "refused"). */
    static final Map<String, Integer> REQUIRED = new java.util.concurrent.ConcurrentHashMap<>(), OBSERVED = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void files() throws Exception {
        dir = Files.createTempDirectory("jlm-mutations");
        ckpt = SavedModels.save(dir.resolve("m.safetensors"),
                ModelConfig.builder().vocabSize(300).contextLength(8).dModel(16).numLayers(2).numHeads(2).build(), 1);
        ckptBytes = Files.readAllBytes(ckpt);
        valid = TokenFiles.random(dir.resolve("valid.bin"), 200, 300, 2);
        train = TokenFiles.random(dir.resolve("train.bin"), 2000, 64, 3);
        tok = dir.resolve("tok");
        var r = CliTrainTest.run("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300",
                "--special-token", "<|endoftext|>", "--out", tok.toString());
        assertEquals(0, r.code(), r.err());
        var e = evalCheckpoint(ckpt, valid);
        assertEquals(0, e.code(), e.err());
        originalLoss = loss(e);
        var t = tokenize(tok);
        assertEquals(0, t.code(), t.err());
        originalIds = t.out();
    }

    static CliTrainTest.Run evalCheckpoint(Path model, Path data) {
        return CliTrainTest.run("eval", "--checkpoint", model.toString(), "--data", data.toString(), "--windows", "4", "--threads", "1");
    }

    static CliTrainTest.Run tokenize(Path tokenizer) {
        return CliTrainTest.run("tokenize", "--tokenizer", tokenizer.toString(), "--text", "hello world, 123 <|endoftext|>");
    }

    static double loss(CliTrainTest.Run r) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("loss").asDouble();
    }

    /**
     * The tally: every case's outcome was what its class required (so the observed counts equal the required ones, class
     * by class), and the generators reached every class that decides something — a damage test that only ever refuses,
     * or never meets a file it must read, proves little.
     */
    @AfterAll
    static void cleanUpAndCheckTheTally() throws Exception {
        System.out.println("file mutations, required: " + new java.util.TreeMap<>(REQUIRED) + "\nobserved: " + new java.util.TreeMap<>(OBSERVED));
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        if (REQUIRED.isEmpty()) return;                           // a single case was run (-Dtest=…#method): no tally to hold
        assertEquals(new java.util.TreeMap<>(REQUIRED), new java.util.TreeMap<>(OBSERVED), "outcomes per class");
        for (String c : List.of("checkpoint SAME", "checkpoint INVALID", "checkpoint TRAILING", "checkpoint OTHER", "token file SAME",
                "token file INVALID", "tokenizer SAME", "tokenizer INVALID", "tokenizer OTHER", "config INVALID", "config OTHER")) {
            assertTrue(REQUIRED.keySet().stream().anyMatch(k -> k.startsWith(c + " ")), "no case of class " + c + ": " + REQUIRED.keySet());
        }
    }

    /**
     * Checks one case: a clean outcome, and the one its class requires. {@code same}: whether jlm's result equals the
     * original's (read exactly).
     */
    static void assertOutcome(String file, Expect expect, CliTrainTest.Run r, boolean same, String what) {
        assertCleanOutcome(r, what);
        String got = r.code() != 0 ? "refused" : same ? "read exactly" : "read";
        String required = switch (expect) {
            case SAME -> "read exactly";
            case INVALID -> "refused";
            case TRAILING -> got.equals("read") ? "refused or read exactly" : got;
            case OTHER -> got;
        };
        REQUIRED.merge(file + " " + expect + " " + required, 1, Integer::sum);
        OBSERVED.merge(file + " " + expect + " " + got, 1, Integer::sum);
        assertEquals(required, got, what + " (" + expect + "): " + r.err());
    }

    static void assertCleanOutcome(CliTrainTest.Run r, String what) {
        assertTrue(r.code() == 0 || r.code() == 1 || r.code() == 2, what + ": exit " + r.code() + ": " + r.err());
        if (r.code() != 0) {
            assertTrue(r.err().startsWith("jlm: "), what + ": " + r.err());
            assertFalse(r.err().contains("\n"), what + ": more than one line: " + r.err());
            assertFalse(r.err().contains("internal error"), what + ": " + r.err());
        }
    }

    /** One random damage to a byte array (a mutation kind, a position, a value), reproducible from the seed. */
    static byte[] damage(byte[] in, long seed, int headerEnd) {
        Random r = new Random(seed);
        byte[] b = in.clone();
        switch (r.nextInt(8)) {
            case 0 -> {                                                     // header length
                long n = switch (r.nextInt(4)) { case 0 -> 0; case 1 -> -1; case 2 -> r.nextLong(); default -> headerEnd - 8 + r.nextInt(17) - 8; };
                for (int i = 0; i < 8; i++) b[i] = (byte) (n >>> (8 * i));
            }
            case 1 -> b[8 + r.nextInt(Math.max(1, headerEnd - 8))] = (byte) r.nextInt(256);   // any header byte
            case 2 -> {                                                     // a digit of the JSON (offsets, shapes, config)
                String h = new String(b, 8, headerEnd - 8, StandardCharsets.ISO_8859_1);
                int[] digits = h.chars().map(c -> 0).toArray();
                int k = 0;
                for (int i = 0; i < h.length(); i++) if (Character.isDigit(h.charAt(i))) digits[k++] = i;
                if (k > 0) {
                    int at = 8 + digits[r.nextInt(k)];
                    b[at] = (byte) "0123456789-9".charAt(r.nextInt(12));
                }
            }
            case 3 -> {                                                     // a dtype
                String h = new String(b, StandardCharsets.ISO_8859_1);
                int at = h.indexOf("\"F32\"", r.nextInt(Math.max(1, headerEnd / 2)));
                if (at > 0) System.arraycopy(List.of("\"I32\"", "\"U8\"\"", "\"F64\"", "\"BF16").get(r.nextInt(4)).getBytes(StandardCharsets.ISO_8859_1),
                        0, b, at, 5);
            }
            case 4 -> b = Arrays.copyOf(b, r.nextInt(b.length));           // truncation
            case 5 -> {                                                     // appended bytes
                byte[] extra = new byte[1 + r.nextInt(64)];
                r.nextBytes(extra);
                byte[] c = Arrays.copyOf(b, b.length + extra.length);
                System.arraycopy(extra, 0, c, b.length, extra.length);
                b = c;
            }
            case 6 -> {                                                     // a metadata config value made huge
                String h = new String(b, StandardCharsets.ISO_8859_1);
                String key = List.of("num_layers", "d_model", "vocab_size", "context_length", "num_heads", "d_ff").get(r.nextInt(6));
                int at = h.indexOf(key + "\\\":");
                if (at > 0) {
                    int v = at + key.length() + 3;
                    byte[] big = "9999".getBytes(StandardCharsets.ISO_8859_1);
                    for (int i = 0; i < big.length && v + i < headerEnd && Character.isDigit(h.charAt(v + i)); i++) b[v + i] = big[i];
                }
            }
            default -> {                                                    // random bytes anywhere
                for (int i = 0; i < 1 + r.nextInt(8); i++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
        }
        return b;
    }

    // ---------------------------------------------------------------- the test's own reading of each format

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** Model settings the tensors cannot check: a file whose config changes only these says another valid model. */
    private static final java.util.Set<String> UNCHECKABLE = java.util.Set.of("num_heads", "context_length", "rope_theta");

    /** JSON text → its tree, or null when it is not JSON. */
    static com.fasterxml.jackson.databind.JsonNode json(byte[] b, int from, int to) {
        try {
            return JSON.readTree(new String(b, from, to - from, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return null;
        }
    }

    static long headerLength(byte[] b) {
        long n = 0;
        for (int i = 0; i < 8; i++) n |= (b[i] & 0xFFL) << (8 * i);
        return n;
    }

    /**
     * What a damaged copy of the checkpoint is, by the safetensors layout: u64 little-endian header length N, N bytes of
     * JSON (tensor entries, "__metadata__" of free strings, jlm's model config as a JSON string under "config"), then
     * the data section, which the entries must index entirely.
     */
    static Expect expectCheckpoint(byte[] b) {
        byte[] o = ckptBytes;
        if (Arrays.equals(o, b)) return Expect.SAME;
        if (b.length < 8 || headerLength(b) != headerLength(o)) return Expect.INVALID;     // the data section moved under the offsets
        int start = 8 + (int) headerLength(o), dataLength = o.length - start;
        if (b.length < start + dataLength) return Expect.INVALID;                         // bytes of a tensor (or the header) missing
        var h = json(o, 8, start);
        var g = json(b, 8, start);
        if (g == null || !g.isObject() || !g.path("__metadata__").isObject()) return Expect.INVALID;
        java.util.Set<String> names = new java.util.TreeSet<>(), got = new java.util.TreeSet<>();
        h.fieldNames().forEachRemaining(names::add);
        g.fieldNames().forEachRemaining(got::add);
        if (!names.equals(got)) return Expect.INVALID;                                   // a tensor renamed, added or dropped
        for (String name : names) if (!name.equals("__metadata__") && !h.get(name).equals(g.get(name))) return Expect.INVALID;
        var hc = h.get("__metadata__").get("config");
        var gc = g.get("__metadata__").get("config");
        if (gc == null || !gc.isTextual()) return Expect.INVALID;
        var hm = json(hc.asText().getBytes(StandardCharsets.UTF_8), 0, hc.asText().getBytes(StandardCharsets.UTF_8).length);
        byte[] gb = gc.asText().getBytes(StandardCharsets.UTF_8);
        var gm = json(gb, 0, gb.length);
        if (gm == null || !gm.isObject()) return Expect.INVALID;
        java.util.Set<String> keys = new java.util.TreeSet<>(), changed = new java.util.TreeSet<>();
        hm.fieldNames().forEachRemaining(keys::add);
        gm.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) if (!java.util.Objects.equals(hm.get(k), gm.get(k))) changed.add(k);
        if (!UNCHECKABLE.containsAll(changed)) return Expect.INVALID;                     // a key unknown, missing or checkable by the tensors
        for (String k : changed) if (!gm.get(k).isNumber()) return Expect.INVALID;
        boolean sameData = Arrays.equals(o, start, o.length, b, start, start + dataLength);
        if (b.length > o.length) return sameData && changed.isEmpty() ? Expect.TRAILING : Expect.INVALID;
        return sameData && changed.isEmpty() ? Expect.SAME : Expect.OTHER;                 // whitespace or free metadata: the same model
    }

    /** Where a damaged copy differs: the first and last differing byte, the lengths, and the text around the first. */
    static String difference(byte[] o, byte[] b) {
        int first = Arrays.mismatch(o, b), last = -1;
        if (first < 0) return "the same bytes";
        for (int i = Math.min(o.length, b.length) - 1; i >= first; i--) if (o[i] != b[i]) { last = i; break; }
        int from = Math.max(0, first - 30), to = Math.min(b.length, first + 30);
        return "bytes " + first + ".." + last + " of " + o.length + " → " + b.length + ", header ends at " + (8 + headerLength(o)) + ": …"
                + new String(b, from, Math.max(0, to - from), StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "?") + "…";
    }

    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 20261128, count = 150)
    void damagedCheckpointsAreReadExactlyOrRefused(long seed) throws Exception {
        Path f = dir.resolve("bad.safetensors");
        byte[] b = damage(ckptBytes, seed, (int) (8 + headerLength(ckptBytes)));
        Files.write(f, b);
        var r = evalCheckpoint(f, valid);
        assertOutcome("checkpoint", expectCheckpoint(b), r, r.code() == 0 && loss(r) == originalLoss, "checkpoint seed " + seed + " (" + difference(ckptBytes, b) + ")");
    }

    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 20261129, count = 120)
    void damagedTokenizersAreReadExactlyOrRefused(long seed) throws Exception {
        int which = (int) Math.floorMod(seed, 3L);
        String name = List.of("vocab.json", "merges.txt", "tokenizer.json").get(which);
        Path copy = dir.resolve("tok-" + Long.toHexString(seed));
        Files.createDirectories(copy);
        for (String f : List.of("vocab.json", "merges.txt", "special_tokens.txt", "tokenizer.json")) {
            Files.copy(tok.resolve(f), copy.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        byte[] orig = Files.readAllBytes(tok.resolve(name)), b = damage(orig, seed, Math.min(orig.length, 4096));
        Files.write(copy.resolve(name), b);
        // the same bytes: the same tokenizer; a JSON file that is no longer JSON: refused; else another tokenizer, or refused
        Expect expect = Arrays.equals(orig, b) ? Expect.SAME : !name.endsWith(".json") ? Expect.OTHER
                : json(b, 0, b.length) == null ? Expect.INVALID : Expect.OTHER;
        var r = tokenize(which == 2 ? copy.resolve(name) : copy);
        assertOutcome("tokenizer", expect, r, r.code() == 0 && r.out().equals(originalIds), name + " seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 20261131, count = 60)
    void damagedTokenFilesAreReadExactlyOrRefused(long seed) throws Exception {
        Random r = new Random(seed);
        byte[] ok = Files.readAllBytes(valid);
        byte[] b = r.nextBoolean() ? Arrays.copyOf(ok, 1 + 2 * r.nextInt(ok.length / 2 - 1)) : ok.clone();   // odd length
        if (b.length >= 2 && r.nextBoolean()) {                                                                // an id ≥ vocab
            int at = 2 * r.nextInt(b.length / 2);
            b[at] = (byte) 0xFF;
            b[at + 1] = (byte) (0x02 + r.nextInt(0xFD));
        }
        Path f = dir.resolve("bad.bin");
        Files.write(f, b);
        // uint16 ids: an odd byte count is no file of them; eval --windows 4 at context 8 reads ids 0..32, each checked
        // against the vocab (300) where it is read; the rest of the file is not read
        Expect expect = b.length % 2 != 0 ? Expect.INVALID : Expect.SAME;
        for (int i = 0; i <= 4 * 8 && expect == Expect.SAME; i++) if (((b[2 * i] & 0xFF) | (b[2 * i + 1] & 0xFF) << 8) >= 300) expect = Expect.INVALID;
        var e = evalCheckpoint(ckpt, f);
        assertOutcome("token file", expect, e, e.code() == 0 && loss(e) == originalLoss, "token file seed " + seed);
    }

    /**
     * What a --config value must give, by the documented value types and domains (the README's "one parser" promise, each
     * setting's --help), written here by hand: the wrong JSON type or a value outside the domain is refused before any
     * file is made; a value inside may still be refused (memory, a relation between settings) or trained.
     */
    static Expect expectConfig(String key, String value) {
        com.fasterxml.jackson.databind.JsonNode v = json(value.getBytes(StandardCharsets.UTF_8), 0, value.length());
        boolean inside = switch (key) {
            case "norm" -> v.isTextual() && List.of("pre", "post", "none").contains(v.asText());
            case "device" -> v.isTextual() && v.asText().matches("auto|cpu|cuda:[0-9]+");
            case "lr_max", "eps" -> v.isNumber() && v.asDouble() > 0;
            case "steps", "save_every" -> v.isIntegralNumber() && v.canConvertToLong() && v.asLong() > 0;
            case "vocab_size" -> v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= 1 && v.asInt() <= 65536;
            case "threads" -> v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= 0 && v.asInt() <= 4096;
            default -> v.isIntegralNumber() && v.canConvertToInt() && v.asInt() > 0;   // d_model, num_layers, context_length, batch_size
        };
        return inside ? Expect.OTHER : Expect.INVALID;
    }

    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 20261130, count = 80)
    void wrongConfigJsonIsRefusedBeforeAnyFile(long seed) throws Exception {
        Random r = new Random(seed);
        String key = List.of("d_model", "num_layers", "vocab_size", "context_length", "batch_size", "steps", "lr_max", "threads",
                "norm", "device", "save_every", "eps").get(r.nextInt(12));
        String value = List.of("\"abc\"", "-1", "0", "1e300", "99999999999999", "[1,2]", "{}", "null", "true", "1.5", "\"\"", "1048576")
                .get(r.nextInt(12));
        if (key.equals("steps") && value.matches("\\d{5,}")) value = "1e300";   // so many steps would be a valid, endless run
        Path out = dir.resolve("run-" + Long.toHexString(seed));
        Path cfg = Files.writeString(dir.resolve("cfg.json"), """
                {"train": "%s", "out": "%s", "vocab_size": 64, "context_length": 8, "d_model": 16, "num_layers": 1, "num_heads": 2,
                 "batch_size": 2, "steps": 2, "threads": 1, "%s": %s}""".formatted(train, out, key, value));
        var run = CliTrainTest.run("train", "--config", cfg.toString());
        assertOutcome("config", expectConfig(key, value), run, false, key + "=" + value);
        if (run.code() != 0) assertFalse(Files.exists(out.resolve("metrics.jsonl")), key + "=" + value + " wrote a run");
    }
}
