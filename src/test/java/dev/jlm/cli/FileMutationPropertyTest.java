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
 * either read (exit 0) or refused with one line starting "jlm: " (exit 1 or 2): never an internal error, a JVM
 * crash, an OutOfMemoryError or a stack trace. The cases are seeds drawn from one fixed seed ({@link Seeded}); a
 * failure's display name is its seed, which reproduces its damage.
 */
class FileMutationPropertyTest {
    static Path dir, ckpt, valid, tok, train;
    /** How many cases were read and how many refused (both happen: a test that refuses everything proves little). */
    static final Map<String, Integer> OUTCOMES = new java.util.concurrent.ConcurrentHashMap<>();
    static byte[] ckptBytes;

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
    }

    @AfterAll
    static void cleanUp() throws Exception {
        System.out.println("file mutations read or refused: " + OUTCOMES);
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void assertCleanOutcome(CliTrainTest.Run r, String what) {
        OUTCOMES.merge(r.code() == 0 ? "read" : "refused", 1, Integer::sum);
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

    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 20261128, count = 150)
    void damagedCheckpointsLoadOrFailInOneLine(long seed) throws Exception {
        long n = 0;
        for (int i = 0; i < 8; i++) n |= (ckptBytes[i] & 0xFFL) << (8 * i);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, damage(ckptBytes, seed, (int) (8 + n)));
        assertCleanOutcome(CliTrainTest.run("eval", "--checkpoint", f.toString(), "--data", valid.toString(), "--windows", "2",
                "--threads", "1"), "checkpoint seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 20261129, count = 120)
    void damagedTokenizersLoadOrFailInOneLine(long seed) throws Exception {
        int which = (int) Math.floorMod(seed, 3L);
        String name = List.of("vocab.json", "merges.txt", "tokenizer.json").get(which);
        Path copy = dir.resolve("tok-" + Long.toHexString(seed));
        Files.createDirectories(copy);
        for (String f : List.of("vocab.json", "merges.txt", "special_tokens.txt", "tokenizer.json")) {
            Files.copy(tok.resolve(f), copy.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        byte[] orig = Files.readAllBytes(tok.resolve(name));
        Files.write(copy.resolve(name), damage(orig, seed, Math.min(orig.length, 4096)));
        Path target = which == 2 ? copy.resolve(name) : copy;
        assertCleanOutcome(CliTrainTest.run("tokenize", "--tokenizer", target.toString(), "--text", "hello world, 123 <|endoftext|>"),
                name + " seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @Seeds(seed = 20261131, count = 60)
    void damagedTokenFilesAreRefusedInOneLine(long seed) throws Exception {
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
        assertCleanOutcome(CliTrainTest.run("eval", "--checkpoint", ckpt.toString(), "--data", f.toString(), "--windows", "4", "--threads", "1"),
                "token file seed " + seed);
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
        assertCleanOutcome(run, key + "=" + value);
        if (run.code() != 0) assertFalse(Files.exists(out.resolve("metrics.jsonl")), key + "=" + value + " wrote a run");
    }
}
