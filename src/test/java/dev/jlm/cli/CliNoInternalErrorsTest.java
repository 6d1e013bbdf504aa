package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static dev.jlm.cli.CliNothingSilentlyWrongTest.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.5, internal errors and stalls: inputs that used to reach libtorch, a stack overflow or a raw stack trace now
 * run, or are refused in one line naming what is wrong. Oracles: the exact refusal and exit codes.
 */
class CliNoInternalErrorsTest {
    /**
     * Far more intra-op threads than cores: said before the run, and the run still runs — in a child JVM started as scripts/jlm
     * starts it, whose 1 MB main-thread stack libtorch's parallel kernels overflowed at a few hundred threads (SIGSEGV, exit 139).
     */
    @Test
    void threadsFarAboveTheCoresAreSaidAndRun(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1);
        int cores = Runtime.getRuntime().availableProcessors(), threads = Math.max(300, cores + 1);
        String[] args = CliRobustnessTest.train(data, dir.resolve("run"), "--steps", "1");
        args[args.length - 3] = String.valueOf(threads);                   // SMALL ends --threads 1; then --steps 1
        assertEquals("--threads", args[args.length - 4]);
        String log = CliLongJobsTest.child(dir, args);                      // asserts exit 0
        assertTrue(log.contains("jlm: note: --threads " + threads + " is more than this machine's " + cores + " cores: libtorch then runs more workers than"
                + " there are cores, and they wait on each other (use at most " + cores + "; 0 = libtorch's default)"), log);
    }

    @Test
    void aLongPlotTitleIsRefusedBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")).code());
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("c.png").toString(), "--title", "x".repeat(100_000)), 1,
                "jlm: --title is 100,000 characters long; a chart title is at most 200");
        assertEquals(List.of("run", "t.bin"), files(dir));
        assertEquals(0, CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("c.png").toString(), "--title", "x".repeat(200)).code());
    }

    /** 4^17 grid points: refused from the grid's sizes, before a point is made (it ran out of heap after minutes). */
    @Test
    void aHugeSweepGridIsRefusedBeforeItIsBuilt(@TempDir Path dir) throws Exception {
        StringBuilder grid = new StringBuilder("{\"base\": {\"train\": \"t.bin\", \"steps\": 1}, \"grid\": {");
        List<String> keys = List.of("seed", "steps", "batch_size", "eval_every", "save_every", "eval_windows", "log_every", "warmup", "d_model",
                "num_layers", "num_heads", "d_ff", "context_length", "vocab_size", "grad_accum", "lr_max", "lr_min");
        for (String k : keys) grid.append(k.equals("seed") ? "" : ", ").append('"').append(k).append("\": [1, 2, 3, 4]");
        Path g = Files.writeString(dir.resolve("huge.json"), grid.append("}}").toString());
        long t0 = System.nanoTime();
        assertOneLine(CliTrainTest.run("sweep", "--grid", g.toString(), "--out", dir.resolve("sw").toString()), 1,
                "jlm: " + g + ": 17,179,869,184 runs; a sweep runs at most 10,000: split the grid");
        assertTrue((System.nanoTime() - t0) / 1e9 < 30);
        assertEquals(List.of("huge.json"), files(dir));
    }

    /** Inputs with less in them than asked for: said, not drawn or trained as if all were well. */
    @Test
    void lessThanAskedForIsSaid(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run"), none = Files.createDirectories(dir.resolve("none"));
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")).code());
        Files.writeString(none.resolve("metrics.jsonl"), "");
        assertOneLine(CliTrainTest.run("plot", none.toString(), "--out", dir.resolve("a.png").toString()), 1,
                "jlm: nothing to plot: no metrics rows in " + none.resolve("metrics.jsonl"));
        assertTrue(Files.notExists(dir.resolve("a.png")));
        var both = CliTrainTest.run("plot", none.toString(), run.toString(), "--out", dir.resolve("b.png").toString());
        assertEquals(0, both.code(), both.err());
        assertEquals("jlm: note: " + none.resolve("metrics.jsonl") + " has no rows yet: that run is not drawn", both.err());
        Path spaces = Files.writeString(dir.resolve("spaces.txt"), "   \n\n");
        var bpe = CliTrainTest.run("bpe", "train", "--input", spaces.toString(), "--vocab-size", "300", "--out", dir.resolve("tok").toString());
        assertEquals(0, bpe.code(), bpe.err());
        assertEquals("jlm: note: the corpus ran out of pairs to merge: the tokenizer has 260 tokens, not --vocab-size 300", bpe.err());
    }

    /** Messages that were the JSON parser's or Java's words, or named nothing ("folder null"). */
    @Test
    void messagesNameTheFileAndSayWhatIsWrong(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(data, Path.of("/"), "--steps", "1")), 1, "jlm: --out / is the root folder; give a path inside it");
        assertOneLine(CliTrainTest.run("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300", "--out", "/"), 1,
                "jlm: --out / is the root folder; give a path inside it");
        Path bom = Files.write(dir.resolve("bom.json"), "\uFEFF{\"steps\": 1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertOneLine(CliTrainTest.run("train", "--config", bom.toString()), 1, "jlm: " + bom + ": starts with a byte-order mark (U+FEFF); JSON is UTF-8 without one");
        Files.createDirectories(run);
        Files.write(run.resolve("metrics.jsonl"), new byte[] {'{', (byte) 0xff, '}', '\n'});
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", dir.resolve("c.png").toString()), 1,
                "jlm: " + run.resolve("metrics.jsonl") + ": not UTF-8 text (metrics.jsonl holds one JSON object per line)");
        Path inOut = Files.createDirectories(dir.resolve("out")).resolve("train");        // words of a path that are also settings' names
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, inOut, "--steps", "1")).code());
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(data, inOut, "--steps", "1")), 1, "jlm: --out " + inOut + " already holds a run");
        assertEquals(data + " already exists, as a regular file", Errors.oneLine(new java.nio.file.FileAlreadyExistsException(data.toString())));
        assertEquals(run + " is a folder that is not empty", Errors.oneLine(new java.nio.file.DirectoryNotEmptyException(run.toString())));
    }

    /**
     * A folder written as one set (export, bpe train) named by "." or "..": it cannot be renamed onto, which the kernel
     * said only after the work ("jlm: .: Invalid argument", "Device or resource busy" with --overwrite). Refused before
     * any work, naming the folder to give instead; the folder as it was, and no temp folder beside it.
     */
    @Test
    void aFolderSetNamedByDotIsRefusedBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "1")).code());
        Path empty = Files.createDirectories(dir.resolve("empty")), held = Files.createDirectories(dir.resolve("held"));
        Files.writeString(held.resolve("keep.txt"), "keep");
        String corpus = CliTokenizerTest.fixture("corpus.en").toString();
        List<String> before = files(dir);
        assertOneLine(CliTrainTest.run("export", "--checkpoint", run.resolve("last.safetensors").toString(), "--out", empty + "/."), 1,
                "jlm: --out " + empty + "/. ends in \".\": the folder is written beside its path and renamed onto it, so give it by its name (" + empty + ")");
        assertOneLine(CliTrainTest.run("bpe", "train", "--input", corpus, "--vocab-size", "260", "--out", empty + "/."), 1,
                "jlm: --out " + empty + "/. ends in \".\"");
        assertOneLine(CliTrainTest.run("bpe", "train", "--input", corpus, "--vocab-size", "260", "--out", held + "/.", "--overwrite"), 1,
                "jlm: --out " + held + "/. ends in \".\"");
        assertOneLine(CliTrainTest.run("export", "--checkpoint", run.resolve("last.safetensors").toString(), "--format", "llama", "--out", empty + "/sub/.."), 1,
                "jlm: --out " + empty + "/sub/.. ends in \"..\"");
        assertEquals(before, files(dir));
        assertEquals(List.of(), files(empty));
        assertEquals(List.of("keep.txt"), files(held));
    }

    /**
     * An output inside something that is not a folder was said as "folder X does not exist" (it exists, as a file); a
     * run folder given as --checkpoint is told which file to give.
     */
    @Test
    void whatIsThereIsSaidAsWhatItIs(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "1")).code());
        Path inFile = data.resolve("x");
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(data, inFile, "--steps", "1")), 1, "jlm: --out " + inFile + ": " + data + " is a regular file, not a folder");
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", inFile.toString()), 1, "jlm: --out " + inFile + ": " + data + " is a regular file, not a folder");
        assertOneLine(CliTrainTest.run("eval", "--checkpoint", run.toString(), "--data", data.toString()), 1, "jlm: " + run + ": no model.safetensors in this folder"
                + " (a model folder holds config.json and model.safetensors); it is a run folder: give its checkpoint, " + run.resolve("last.safetensors"));
    }
}
