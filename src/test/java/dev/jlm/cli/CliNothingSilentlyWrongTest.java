package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where jlm used to do something other than what was asked without saying so (issue #22): each case here is the
 * input, and the one-line answer or the untouched files that are the right behaviour. Oracles: the messages' texts
 * and the file system after the command.
 */
class CliNothingSilentlyWrongTest {
    static final String[] SMALL = CliRobustnessTest.SMALL;

    static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void assertOneLine(CliTrainTest.Run r, int code, String start) {
        assertEquals(code, r.code(), r.err());
        assertFalse(r.err().contains("\n"), r.err());
        assertTrue(r.err().startsWith(start), r.err());
    }

    // ---------------------------------------------------------------- output folders

    @Test
    void bpeTrainNeverHalfReplacesATokenizer(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tok"), corpus = CliTokenizerTest.fixture("corpus.en");
        String[] bpe = {"bpe", "train", "--input", corpus.toString(), "--vocab-size", "300", "--special-token", "<|endoftext|>", "--out", tok.toString()};
        assertEquals(0, CliTrainTest.run(bpe).code());
        byte[] vocab = Files.readAllBytes(tok.resolve("vocab.json"));
        String[] again = bpe.clone();
        again[5] = "320";
        assertOneLine(CliTrainTest.run(again), 1, "jlm: --out " + tok + " already holds files; choose another folder, or add --overwrite");
        assertEquals(new String(vocab), Files.readString(tok.resolve("vocab.json")), "the refused run changed nothing");
        List<String> replaced = new ArrayList<>(List.of(again));
        replaced.add("--overwrite");
        var r = CliTrainTest.run(replaced.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("the previous tokenizer in " + tok + " was moved to " + tok + ".replaced-"), r.out());
        assertEquals(List.of("merges.txt", "special_tokens.txt", "tokenizer.json", "vocab.json"), files(tok));
        assertEquals(1, files(dir).stream().filter(n -> n.startsWith("tok.replaced-")).count(), "the old set is kept, whole");
        assertTrue(files(dir).stream().noneMatch(n -> n.startsWith(".tok")), "no temp folder left: " + files(dir));
        assertEquals("#version: 0.2", Files.readAllLines(tok.resolve("merges.txt")).getFirst());
    }

    @ParameterizedTest(name = "--special-token {0}")
    @ValueSource(strings = {"", "<|endoftext|>"})
    void anEmptyOrRepeatedSpecialTokenIsRefused(String second, @TempDir Path dir) throws Exception {
        var r = CliTrainTest.run("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300",
                "--special-token", "<|endoftext|>", "--special-token", second, "--out", dir.resolve("tok").toString());
        assertOneLine(r, 1, second.isEmpty() ? "jlm: --special-token must not be empty" : "jlm: --special-token <|endoftext|> is given twice");
        assertEquals(List.of(), files(dir));
    }

    /** An export that fails half way (its weights file is cut short) leaves no folder behind. */
    @Test
    void aFailedExportRemovesWhatItMade(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")).code());
        Path ckpt = run.resolve("last.safetensors");
        byte[] b = Files.readAllBytes(ckpt);
        Path cut = Files.write(dir.resolve("cut.safetensors"), java.util.Arrays.copyOf(b, b.length - 100));
        var r = CliTrainTest.run("export", "--checkpoint", cut.toString(), "--out", dir.resolve("hf").toString());
        assertOneLine(r, 1, "jlm: " + cut + ": truncated");
        assertFalse(Files.exists(dir.resolve("hf")));
        assertTrue(files(dir).stream().noneMatch(n -> n.startsWith(".hf")), files(dir).toString());
    }

    /** A run that fails before its first checkpoint (a token over the vocab in its first batch) removes what it made. */
    @Test
    void aRunThatFailsEarlyRemovesWhatItMade(@TempDir Path dir) throws Exception {
        int[] ids = new int[3000];
        java.util.Arrays.fill(ids, 70);
        Path bad = TokenFiles.write(dir.resolve("bad.bin"), ids), run = dir.resolve("run");
        var r = CliTrainTest.run(CliRobustnessTest.train(bad, run, "--steps", "5"));
        assertOneLine(r, 1, "jlm: " + bad + ": token id 70 at offset");
        assertTrue(r.err().contains("exceeds --vocab-size 64"), r.err());
        assertFalse(Files.exists(run), "the run folder this command made is gone");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"train", "export", "bpe", "plot", "tokenize", "sweep"})
    void anEmptyOutIsRefused(String verb, @TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1);
        String[] args = switch (verb) {
            case "train" -> new String[] {"train", "--train", data.toString(), "--out", ""};
            case "export" -> new String[] {"export", "--checkpoint", data.toString(), "--out", ""};
            case "bpe" -> new String[] {"bpe", "train", "--input", data.toString(), "--vocab-size", "300", "--out", ""};
            case "plot" -> new String[] {"plot", dir.toString(), "--out", ""};
            case "tokenize" -> new String[] {"tokenize", "--tokenizer", dir.toString(), "--input", data.toString(), "--out", ""};
            default -> new String[] {"sweep", "--grid", data.toString(), "--out", ""};
        };
        assertOneLine(CliTrainTest.run(args), 2, "jlm: --out must not be empty");
        assertEquals(List.of("t.bin"), files(dir));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"train", "export", "bpe"})
    void anOutThatIsAFileIsNamedAsSuch(String verb, @TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), afile = Files.writeString(dir.resolve("afile"), "mine");
        List<String> args = new ArrayList<>(switch (verb) {
            case "train" -> List.of(CliRobustnessTest.train(data, afile, "--steps", "1"));
            case "export" -> List.of("export", "--checkpoint", data.toString(), "--out", afile.toString());
            default -> List.of("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300", "--out", afile.toString());
        });
        assertOneLine(CliTrainTest.run(args.toArray(String[]::new)), 1, "jlm: --out " + afile + " is an existing file, not a folder");
        assertEquals("mine", Files.readString(afile));
    }

    // ---------------------------------------------------------------- messages that say what is true

    /** CUDA graphs asked for where there can be none: refused before any work, naming the flags; nothing is made. */
    @Test
    void cudaGraphsOnTheCpuAreRefused(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        var r = CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2", "--device", "cpu", "--cuda-graphs", "on"));
        assertOneLine(r, 2, "jlm: --cuda-graphs on needs a GPU, and this run is on cpu: leave --cuda-graphs at auto, or choose --device cuda:N");
        assertFalse(Files.exists(run));
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2", "--device", "cpu", "--cuda-graphs", "off")).code());
    }

    @Test
    void aFolderGivenAsAFileIsCalledAFolder(@TempDir Path dir) throws Exception {
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(dir, dir.resolve("run"), "--steps", "1")), 1, "jlm: " + dir + " is a folder, not a token file");
        assertOneLine(CliTrainTest.run("eval", "--checkpoint", dir.resolve("nope.safetensors").toString(), "--data", dir.toString()), 1,
                "jlm: " + dir.resolve("nope.safetensors") + ": no such checkpoint");
        assertOneLine(CliTrainTest.run("bpe", "train", "--input", dir.toString(), "--vocab-size", "300", "--out", dir.resolve("tok").toString()), 1,
                "jlm: --input " + dir + " is a folder, not a file");
    }

    @Test
    void resumeSaysWhatIsThereAndWhatChanged(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        var nothing = CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2", "--resume"));
        assertEquals(0, nothing.code(), nothing.err());
        assertTrue(nothing.err().contains("jlm: note: --out " + run + " holds no checkpoint to continue from (no last.safetensors): starting a new run"),
                nothing.err());
        String[] wider = CliRobustnessTest.train(data, run, "--steps", "4", "--resume");
        wider[java.util.Arrays.asList(wider).indexOf("--d-model") + 1] = "64";
        var other = CliTrainTest.run(wider);
        assertOneLine(other, 1, "jlm: " + run.resolve("last.safetensors") + " is a run of another model (--d-model 32 in the run, 64 here, --d-ff 64 in the run, 192 here): a run resumes with its own model; to start"
                + " a new run from its weights, use --init-from");
        String[] bigger = CliRobustnessTest.train(data, run, "--steps", "4", "--resume");
        bigger[java.util.Arrays.asList(bigger).indexOf("--batch-size") + 1] = "8";
        var changed = CliTrainTest.run(bigger);
        assertEquals(0, changed.code(), changed.err());
        assertTrue(changed.err().contains("jlm: note: resuming " + run + " with settings other than the run's: --batch-size 4 → 8, --steps 2 → 4"),
                changed.err());
    }

    @Test
    void overflowingModelSizesNameTheFlagGiven(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1);
        var r = CliTrainTest.run("train", "--train", data.toString(), "--out", dir.resolve("run").toString(), "--d-model", "1073741824",
                "--num-heads", "1");
        assertOneLine(r, 2, "jlm: --d-model 1073741824 is too large");
        assertFalse(r.err().contains("--d-ff"), r.err());
    }

    @Test
    void progressRatesAreNeverAbsurd(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")).code());
        String log = CliLongJobsTest.child(dir, "eval", "--checkpoint", run.resolve("last.safetensors").toString(), "--data", data.toString(),
                "--windows", "2", "--threads", "1");
        var rate = java.util.regex.Pattern.compile("([\\d,.]+) windows/s").matcher(log);
        while (rate.find()) assertTrue(Double.parseDouble(rate.group(1).replace(",", "")) < 1e5, log);
    }

    @Test
    void aMisspelledVerbGetsADidYouMean() {
        assertOneLine(CliTrainTest.run("trian"), 2, "jlm: Unmatched argument at index 0: 'trian'; did you mean train?");
    }

    // ---------------------------------------------------------------- plots and JSON at the reader's limits

    @Test
    void plotSaysWhatIsWrongWithItsInputsAndOutput(@TempDir Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":1,\"train_loss\":4.0}\n{\"step\":2,\"train_loss\":3.5}\n{\"step\":3,\"train_lo");
        var torn = CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("c.png").toString());
        assertEquals(0, torn.code(), torn.err());
        assertTrue(torn.err().contains("metrics.jsonl:3: a torn last line (the run still writing?), skipped"), torn.err());
        assertEquals(List.of("c.png", "run"), files(dir), "no temp file left");
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":1,\"train_loss\":4.0}\nnot json\n{\"step\":3,\"train_loss\":3.0}\n");
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("d.png").toString()), 1, "jlm: " + run.resolve("metrics.jsonl") + ":2: malformed JSON");
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":1,\"train_loss\":4.0}\n");
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("missing/c.png").toString()), 1,
                "jlm: --out " + dir.resolve("missing/c.png") + ": folder " + dir.resolve("missing") + " does not exist");
        var again = CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("c.png").toString());    // a PNG is replaced
        assertEquals(0, again.code(), again.err());
        Path checkpoint = Files.write(dir.resolve("last.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '});
        byte[] before = Files.readAllBytes(checkpoint);
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", checkpoint.toString()), 1,
                "jlm: --out " + checkpoint + " exists and is not a PNG image: plot replaces only a PNG; give a new path, or move that file away");
        assertArrayEquals(before, Files.readAllBytes(checkpoint), "a refused plot changed the file");
    }

    @Test
    void jsonOverTheReadersLimitsIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        Path deep = Files.writeString(dir.resolve("deep.json"), "[".repeat(100_000) + "]".repeat(100_000));
        assertOneLine(CliTrainTest.run("train", "--config", deep.toString()), 1, "jlm: " + deep + ": JSON over the reader's limits");
        assertOneLine(CliTrainTest.run("sweep", "--grid", deep.toString(), "--out", dir.resolve("sw").toString()), 1,
                "jlm: " + deep + ": JSON over the reader's limits");
        Path tok = Files.createDirectories(dir.resolve("tok"));
        Files.copy(deep, tok.resolve("tokenizer.json"));
        assertOneLine(CliTrainTest.run("tokenize", "--tokenizer", tok.resolve("tokenizer.json").toString(), "--text", "hi"), 1,
                "jlm: " + tok.resolve("tokenizer.json") + ": JSON over the reader's limits");
        Path big = Files.writeString(dir.resolve("big.json"), "{\"train\": \"" + "x".repeat(30_000_000) + "\"}");
        assertOneLine(CliTrainTest.run("train", "--config", big.toString()), 1, "jlm: " + big + ": JSON over the reader's limits");
    }
}
