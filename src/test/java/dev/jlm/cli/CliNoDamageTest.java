package dev.jlm.cli;

import static dev.jlm.cli.CliNothingSilentlyWrongTest.assertOneLine;
import static dev.jlm.cli.CliNothingSilentlyWrongTest.files;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jlm.testing.ChildJvm;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #29.5, damage: a mistaken command never destroys what is there. Each case is the command and what must be true
 * after it: the exact refusal, and the file system byte for byte as it was (a pipe still a pipe, a device still the
 * same device, an input unchanged, a run's files where they were). Oracles: the file system, the kernel's own mode bits
 * and device numbers, and runs made another way (a copy of the input, an uninterrupted clock).
 */
class CliNoDamageTest {
    private static final int S_IFMT = 0170000, S_IFIFO = 0010000, S_IFCHR = 0020000;

    /** Every file under {@code dir} (links not followed) → its bytes, or its kind and device number when not a regular file. */
    static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String key = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) m.put(key, "link → " + Files.readSymbolicLink(p));
                else if (Files.isRegularFile(p)) m.put(key, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                else m.put(key, "mode " + Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode") & S_IFMT) + " rdev " + Files.getAttribute(p, "unix:rdev"));
            }
        }
        return m;
    }

    static boolean make(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** A tokenizer trained on the bundled fixture, in DIR/tok. */
    static Path tokenizer(Path dir) throws Exception {
        Path tok = dir.resolve("tok");
        var r = CliTrainTest.run("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300", "--out", tok.toString(),
                "--threads", "1");
        assertEquals(0, r.code(), r.err());
        return tok;
    }

    // ---------------------------------------------------------------- an output path that is a pipe or a device node

    /** Given as an output, a named pipe and (as root) a device node stay what they are: every verb refuses them before any work. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tokenize", "plot", "train", "profile-events", "bpe"})
    void aPipeOrADeviceGivenAsOutputIsRefusedAndKept(String verb, @TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), fifo = dir.resolve("fifo"), dev = dir.resolve("null");
        Path tok = verb.equals("tokenize") ? tokenizer(dir) : null;
        Path run = dir.resolve("run");
        if (verb.equals("plot")) assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")).code());
        assertTrue(make("mkfifo", fifo.toString()));
        boolean root = make("mknod", dev.toString(), "c", "1", "3");         // /dev/null's numbers; only root may make it
        Map<String, String> before = snapshot(dir);
        for (Path out : root ? List.of(fifo, dev) : List.of(fifo)) {
            String[] args = switch (verb) {
                case "tokenize" -> new String[] {"tokenize", "--tokenizer", tok.toString(), "--input", CliTokenizerTest.fixture("corpus.en").toString(),
                        "--out", out.toString()};
                case "plot" -> new String[] {"plot", run.toString(), "--out", out.toString()};
                case "train" -> CliRobustnessTest.train(data, out, "--steps", "2");
                case "profile-events" -> CliRobustnessTest.train(data, run, "--profile", "1", "--profile-events", out.toString());
                default -> new String[] {"bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300", "--out", out.toString()};
            };
            String kind = out.equals(fifo) ? "a named pipe (FIFO)" : "a character device";
            String flag = verb.equals("profile-events") ? "--profile-events" : "--out";
            var r = CliTrainTest.run(args);
            assertOneLine(r, 1, "jlm: " + flag + " " + out + " is " + kind + (verb.equals("train") || verb.equals("bpe") ? ", not a folder"
                    : ", not a regular file: jlm writes its output to a regular file or a new path only"));
            assertFalse(r.out().contains("train on"), "nothing announced before the refusal: " + r.out());
        }
        assertEquals(before, snapshot(dir), "a refused command changed the file system");
        assertEquals(S_IFIFO, (Integer) Files.getAttribute(fifo, "unix:mode") & S_IFMT);
        if (root) assertEquals(S_IFCHR, (Integer) Files.getAttribute(dev, "unix:mode") & S_IFMT);
    }

    /** A pipe where a run writes its metrics: refused before any work, not waited on forever. */
    @Test
    void aPipeInTheRunFolderIsRefusedNotWaitedOn(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = Files.createDirectories(dir.resolve("run"));
        assertTrue(make("mkfifo", run.resolve("metrics.jsonl").toString()));
        Map<String, String> before = snapshot(run);
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")), 1,
                "jlm: --out " + run + " holds metrics.jsonl, which is a named pipe (FIFO): a run writes a regular file by that name; move it away");
        before.put(".lock", snapshot(run).get(".lock"));                       // the one file a refused train leaves: its empty lock
        assertEquals(before, snapshot(run));
    }

    /** A run that never reached a checkpoint is still a run: a train without --resume or --overwrite leaves its log as it was. */
    @Test
    void aRefusedTrainLeavesAnUncheckpointedLogAlone(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"step\":1,\"train_loss\":4.0}\n");
        Map<String, String> before = snapshot(run);
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")), 1, "jlm: --out " + run + " already holds a run (1 files: metrics.jsonl)");
        before.put(".lock", snapshot(run).get(".lock"));
        assertEquals(before, snapshot(run));
    }

    /** The library's own last line of defence: an atomic write never renames a file over a pipe. */
    @Test
    void anAtomicWriteNeverReplacesAPipe(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertTrue(make("mkfifo", fifo.toString()));
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.jlm.JlmException.class,
                () -> dev.jlm.io.AtomicFile.write(fifo, out -> out.write(1)));
        assertEquals(fifo + " is a named pipe (FIFO), not a regular file: jlm replaces the files it writes, and will not replace this", e.getMessage());
        assertEquals(List.of("fifo"), files(dir), "no temp file left");
        assertEquals(S_IFIFO, (Integer) Files.getAttribute(fifo, "unix:mode") & S_IFMT);
    }

    // ---------------------------------------------------------------- an output that is an input

    @Test
    void anOutputThatIsAnInputIsRefusedHoweverItIsSpelled(@TempDir Path dir) throws Exception {
        Path tok = tokenizer(dir), text = Files.copy(CliTokenizerTest.fixture("corpus.en"), dir.resolve("corpus.txt"));
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), Path.of("corpus.txt"));
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")).code());
        Map<String, String> before = snapshot(dir);
        String replace = ": writing it would replace what this command reads; choose another path";
        String[] tokenize = {"tokenize", "--tokenizer", tok.toString(), "--input", text.toString(), "--out", ""};
        tokenize[6] = text.toString();
        assertOneLine(CliTrainTest.run(tokenize), 1, "jlm: --out " + text + " is the --input file" + replace);
        tokenize[6] = dir.resolve("tok/../corpus.txt").toString();
        assertOneLine(CliTrainTest.run(tokenize), 1, "jlm: --out " + tokenize[6] + " is the --input file" + replace);
        tokenize[6] = link.toString();
        assertOneLine(CliTrainTest.run(tokenize), 1, "jlm: --out " + link + " is the --input file " + text + " (both are " + text.toRealPath() + ")" + replace);
        tokenize[6] = tok.resolve("vocab.json").toString();
        assertOneLine(CliTrainTest.run(tokenize), 1, "jlm: --out " + tok.resolve("vocab.json") + " is the --tokenizer's vocab.json file" + replace);
        assertOneLine(CliTrainTest.run("plot", run.toString(), "--out", run.resolve("metrics.jsonl").toString()), 1,
                "jlm: --out " + run.resolve("metrics.jsonl") + " is the " + run + "'s metrics file" + replace);
        assertOneLine(CliTrainTest.run(CliRobustnessTest.train(data, dir.resolve("p"), "--profile", "1", "--profile-events", data.toString())), 1,
                "jlm: --profile-events " + data + " is the --train file" + replace);
        assertEquals(before, snapshot(dir), "a refused command changed the file system");
    }

    // ---------------------------------------------------------------- a run folder: resume, a second writer, overwrite

    /** step-N checkpoints without last.safetensors: --resume would start a new run over them; it is refused, saying how to go on. */
    @Test
    void resumeWithCheckpointsButNoLastIsRefused(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "20", "--save-every", "5")).code());
        Files.delete(run.resolve("last.safetensors"));
        Files.delete(run.resolve("last.optim.safetensors"));
        Map<String, String> before = snapshot(dir);
        var r = CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "30", "--save-every", "5", "--resume"));
        assertOneLine(r, 1, "jlm: --out " + run + " holds checkpoints (step-000010.safetensors, step-000015.safetensors, step-000020.safetensors) but no"
                + " last.safetensors to continue from: to go on from the newest, copy step-000020.safetensors to last.safetensors and"
                + " step-000020.optim.safetensors to last.optim.safetensors; to start over, use --overwrite (the old files are moved aside)");
        assertEquals(before, snapshot(dir));
        Files.copy(run.resolve("step-000020.safetensors"), run.resolve("last.safetensors"));           // as the message says
        Files.copy(run.resolve("step-000020.optim.safetensors"), run.resolve("last.optim.safetensors"));
        var resumed = CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "30", "--save-every", "5", "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("trained steps 21-30 (10 steps)"), resumed.out());
    }

    /** A second jlm train into a folder another one is training into is refused, naming the folder and the other's pid. */
    @Test
    void aSecondTrainIntoTheSameFolderIsRefused(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        List<String> cmd = new ArrayList<>(ChildJvm.jlm(List.of(CliRobustnessTest.train(data, run, "--steps", "1000000", "--save-every", "1000000"))));
        Process first = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (CliResumeTest.lines(run.resolve("metrics.jsonl")) < 1 && first.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
            assertTrue(first.isAlive(), Files.readString(dir.resolve("first.log")));
            for (String[] second : List.of(CliRobustnessTest.train(data, run, "--steps", "5", "--resume"),
                    CliRobustnessTest.train(data, run, "--steps", "5", "--overwrite"))) {
                var r = CliTrainTest.run(second);
                assertOneLine(r, 1, "jlm: --out " + run + " is in use by another jlm train or sweep (pid " + first.pid() + "), which holds " + run.resolve(".lock")
                        + ": wait for it to finish, or train into another folder");
            }
            assertTrue(files(dir).stream().noneMatch(n -> n.startsWith("run.replaced")), files(dir).toString());
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        var after = CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2", "--overwrite"));   // the lock went with its process
        assertEquals(0, after.code(), after.err());
    }

    /** --overwrite with --init-from a file of the run it replaces: the weights are read before the old files are moved aside. */
    @Test
    void overwriteInitFromAFileOfTheReplacedRun(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "10", "--save-every", "5")).code());
        Path copy = Files.copy(run.resolve("step-000005.safetensors"), dir.resolve("copy.safetensors"));
        Map<String, String> old = snapshot(run);
        old.remove(".lock");
        var r = CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "3", "--overwrite", "--init-from", run.resolve("step-000005.safetensors").toString()));
        assertEquals(0, r.code(), r.err());
        Path aside;
        try (Stream<Path> s = Files.list(dir)) {
            aside = s.filter(p -> p.getFileName().toString().startsWith("run.replaced-")).findFirst().orElseThrow();
        }
        assertEquals(old, snapshot(aside), "the old run is whole, aside");
        var ref = CliTrainTest.run(CliRobustnessTest.train(data, dir.resolve("ref"), "--steps", "3", "--init-from", copy.toString()));
        assertEquals(0, ref.code(), ref.err());
        assertEquals(CliResumeTest.rows(dir.resolve("ref")).getFirst().get("train_loss").asDouble(), CliResumeTest.rows(run).getFirst().get("train_loss").asDouble(),
                "the same weights as a copy of the file gives");
    }

    /** After --resume, wall_s goes on from the checkpoint's, as tokens do: the run's clock never runs backwards. */
    @Test
    void wallTimeContinuesAfterResume(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "10")).code());
        Thread.sleep(300);                                         // between invocations: not the run's time
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "20", "--resume")).code());
        List<JsonNode> rows = CliResumeTest.rows(run);
        assertEquals(20, rows.size());
        double atCheckpoint = rows.get(9).get("wall_s").asDouble();
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i).get("wall_s").asDouble() >= rows.get(i - 1).get("wall_s").asDouble(), "wall_s ran backwards at step " + (i + 1));
        }
        assertTrue(rows.get(10).get("wall_s").asDouble() > atCheckpoint, rows.get(10).toString());
    }

    // ---------------------------------------------------------------- permissions

    /** A tokenizer folder gets the permissions any new folder gets here (0777 less the umask), not a temp folder's 0700. */
    @Test
    void outputFoldersAndFilesGetTheUmasksPermissions(@TempDir Path dir) throws Exception {
        Path tok = tokenizer(dir);
        Path probeDir = Files.createDirectory(dir.resolve("probe")), probeFile = Files.createFile(dir.resolve("probe.txt"));
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(probeDir)), PosixFilePermissions.toString(Files.getPosixFilePermissions(tok)));
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(probeFile)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(tok.resolve("vocab.json"))));
    }
}
