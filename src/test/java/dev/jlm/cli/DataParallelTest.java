package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.checkpoint.Safetensors;
import dev.jlm.dist.LocalLauncher;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.testing.ChildJvm;
import dev.jlm.testing.TokenFiles;
import dev.jlm.testing.TorchPython;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on libtorch's c10d (Gloo), all on loopback: N ranks, one rank with --grad-accum and one
 * process give the same run; torchrun (standalone, two "nodes", a restart) launches the same jlm; a killed rank stops
 * the others with an error naming it; bad launches fail fast with a clear message. Every child process is bounded in
 * time and killed at the end.
 */
class DataParallelTest {
    static final List<String> MODEL = List.of("--vocab-size", "64", "--context-length", "16", "--d-model", "32", "--num-layers", "2",
            "--num-heads", "2", "--d-ff", "64", "--batch-size", "8", "--seed", "3", "--log-every", "10");
    /** Per-step training losses of two runs agree this closely (the bound). */
    static final double LOSS_TOL = 1e-5;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void noWorkerLeftBehind() throws InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void twoRanksAndGradAccumTrainLikeOneProcess(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 20000, 64, 1), valid = TokenFiles.random(dir.resolve("v.bin"), 2000, 64, 2);
        List<String> run = args(train, "--valid", valid.toString(), "--steps", "50", "--eval-every", "25", "--eval-windows", "16");
        Path one = dir.resolve("one"), accum = dir.resolve("accum"), two = dir.resolve("two");
        inProcess(run, "--out", one.toString(), "--threads", "1");
        inProcess(run, "--out", accum.toString(), "--threads", "1", "--grad-accum", "2");
        String log = jlm(dir, Map.of(), 120, with(run, "--out", two.toString(), "--nproc", "2", "--threads", "1", "--dist-timeout", "30"));

        List<JsonNode> m1 = metrics(one), ma = metrics(accum), m2 = metrics(two);
        assertEquals(50, m2.size());
        assertSameLosses(m1, ma, "1 rank with --grad-accum 2");
        assertSameLosses(m1, m2, "2 ranks");
        assertEquals(2, m2.getLast().get("world_size").asInt());
        assertTrue(m2.getLast().get("allreduce_s").asDouble() > 0);
        for (int i : new int[] {24, 49}) {                      // evaluation split across ranks = one process's number
            assertEquals(m1.get(i).get("val_loss").asDouble(), m2.get(i).get("val_loss").asDouble(), LOSS_TOL);
        }
        assertSameWeights(one.resolve("last.safetensors"), two.resolve("last.safetensors"), 1e-5);
        assertSameWeights(one.resolve("last.safetensors"), accum.resolve("last.safetensors"), 1e-5);
        // an independent reading of the 2-rank checkpoint: `jlm eval` in one process gives the logged validation loss
        var eval = CliTrainTest.run("eval", "--checkpoint", two.resolve("last.safetensors").toString(), "--data", valid.toString(),
                "--windows", "16", "--threads", "1");
        assertEquals(0, eval.code(), eval.err());
        assertEquals(m2.getLast().get("val_loss").asDouble(), new ObjectMapper().readTree(eval.out()).get("loss").asDouble(), LOSS_TOL);
        // rank 0 alone shows progress and writes; every line of a worker carries its rank
        assertTrue(log.lines().anyMatch(l -> l.startsWith("[rank 0] train 50/50")), log);
        assertFalse(log.lines().anyMatch(l -> l.startsWith("[rank 1] train")), log);
        assertTrue(Files.isRegularFile(two.resolve("step-000050.safetensors")));
    }

    @Test
    void torchrunStandaloneAndTwoNodesLaunchTheSameRun(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 20000, 64, 1);
        List<String> run = args(train, "--steps", "30");
        Path one = dir.resolve("one"), standalone = dir.resolve("standalone"), nodes = dir.resolve("nodes");
        inProcess(run, "--out", one.toString(), "--threads", "1");
        Path worker = workerScript(dir);

        torchrun(dir, 120, List.of("--standalone", "--nproc_per_node", "2"), worker, with(run, "--out", standalone.toString(), "--dist-timeout", "30"));
        assertSameLosses(metrics(one), metrics(standalone), "torchrun --standalone --nproc_per_node 2");

        int port = LocalLauncher.freePort();
        List<String> node = List.of("--nnodes", "2", "--nproc_per_node", "1", "--master_addr", "127.0.0.1", "--master_port", String.valueOf(port));
        List<String> jlmArgs = with(run, "--out", nodes.toString(), "--dist-timeout", "30");
        Process node1 = start(torchrunCommand(dir, with(node, "--node_rank", "1"), worker, jlmArgs), dir.resolve("node1.log"), Map.of());
        torchrun(dir, 120, with(node, "--node_rank", "0"), worker, jlmArgs);
        assertTrue(node1.waitFor(60, TimeUnit.SECONDS), "node 1 did not finish");
        assertEquals(0, node1.exitValue(), Files.readString(dir.resolve("node1.log")));
        assertSameLosses(metrics(one), metrics(nodes), "two torchrun nodes of one process each");
    }

    @Test
    void aKilledRankStopsTheOthersWithinTheTimeoutNamingIt(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 20000, 64, 1), out = dir.resolve("run");
        List<String> run = with(args(train, "--steps", "100000", "--save-every", "20"), "--out", out.toString(), "--threads", "1",
                "--dist-timeout", "5");
        int port = LocalLauncher.freePort();
        Process rank0 = start(ChildJvm.jlm(run), dir.resolve("rank0.log"), rankEnv(0, 2, port));
        Process rank1 = start(ChildJvm.jlm(run), dir.resolve("rank1.log"), rankEnv(1, 2, port));
        awaitMetricRows(out, 45, rank0);                          // past two checkpoints
        rank1.destroyForcibly();                                  // SIGKILL: no goodbye
        long t0 = System.nanoTime();
        assertTrue(rank0.waitFor(5 + 15, TimeUnit.SECONDS), "rank 0 still running after the rank it needs died");
        double seconds = (System.nanoTime() - t0) / 1e9;
        String err = Files.readString(dir.resolve("rank0.log"));
        assertNotEquals(0, rank0.exitValue());
        String last = err.strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("jlm: rank 0: ") && last.contains("rank 1 stopped responding"), err);
        assertTrue(seconds < 5 + 10, "took " + seconds + " s");
        try (Stream<Path> files = Files.list(out)) {                // nothing half-written
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp")).toList());
        }
        try (var s = TensorScope.open()) {
            assertFalse(Safetensors.read(out.resolve("last.safetensors"), Device.CPU).tensors().isEmpty());
        }
    }

    @Test
    void underTorchrunMaxRestartsTheGroupResumesFromTheLastCheckpoint(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 20000, 64, 1), one = dir.resolve("one"), out = dir.resolve("run");
        List<String> run = args(train, "--steps", "300", "--save-every", "10");
        inProcess(run, "--out", one.toString(), "--threads", "1");
        List<String> cmd = torchrunCommand(dir, List.of("--standalone", "--nproc_per_node", "2", "--max_restarts", "1"), workerScript(dir),
                with(run, "--out", out.toString(), "--resume", "--dist-timeout", "10"));
        Process agent = start(cmd, dir.resolve("torchrun.log"), Map.of());
        awaitMetricRows(out, 25, agent);
        ProcessHandle victim = agent.descendants().filter(h -> rankOf(h) == 1).findFirst().orElseThrow(() -> new AssertionError("no rank 1 worker"));
        victim.destroyForcibly();
        assertTrue(agent.waitFor(180, TimeUnit.SECONDS), "torchrun did not finish");
        String log = Files.readString(dir.resolve("torchrun.log"));
        assertEquals(0, agent.exitValue(), log);
        List<JsonNode> m = metrics(out);
        for (int i = 0; i < m.size(); i++) assertEquals(i + 1, m.get(i).get("step").asInt(), "metrics hold each step once, in order");
        assertSameLosses(metrics(one), m, "2 ranks, killed and restarted from a checkpoint");
    }

    /** The settings of one short run for the bad-launch tests: 5 steps, 10 s collective timeout. */
    static List<String> shortRun(Path dir) throws IOException {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 20000, 64, 1);
        return with(args(train, "--steps", "5"), "--out", dir.resolve("run").toString(), "--threads", "1", "--dist-timeout", "10");
    }

    /** Ranks started with different model settings: both stop, rank 1 says why, rank 0 names rank 1; nothing is written. */
    @Test
    void ranksStartedWithOtherSettingsBothStop(@TempDir Path dir) throws Exception {
        List<String> run = shortRun(dir);
        int port = LocalLauncher.freePort();
        List<String> other = new ArrayList<>(run);
        other.set(other.indexOf("--d-model") + 1, "48");
        Process r0 = start(ChildJvm.jlm(run), dir.resolve("a0.log"), rankEnv(0, 2, port));
        Process r1 = start(ChildJvm.jlm(other), dir.resolve("a1.log"), rankEnv(1, 2, port));
        assertTrue(r0.waitFor(60, TimeUnit.SECONDS) && r1.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, r0.exitValue());
        assertNotEquals(0, r1.exitValue());
        assertTrue(Files.readString(dir.resolve("a1.log")).contains("rank 1 was started with other settings than rank 0"));
        assertTrue(Files.readString(dir.resolve("a0.log")).contains("stopping: rank 1 failed"));
        assertFalse(Files.exists(dir.resolve("run")), "nothing written");
    }

    @Test
    void aTakenRendezvousPortIsNamed(@TempDir Path dir) throws Exception {
        List<String> run = shortRun(dir);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process p = start(ChildJvm.jlm(run), dir.resolve("b.log"), rankEnv(0, 2, taken.getLocalPort()));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertNotEquals(0, p.exitValue());
            String log = Files.readString(dir.resolve("b.log"));
            assertTrue(log.contains("port " + taken.getLocalPort() + " is in use by another program"), log);
        }
    }

    @Test
    void ranksThatDisagreeOnTheWorldSizeAreNamed(@TempDir Path dir) throws Exception {
        List<String> run = shortRun(dir);
        int port = LocalLauncher.freePort();
        Process w0 = start(ChildJvm.jlm(run), dir.resolve("c0.log"), rankEnv(0, 2, port));
        Process w1 = start(ChildJvm.jlm(run), dir.resolve("c1.log"), rankEnv(1, 3, port));
        assertTrue(w0.waitFor(60, TimeUnit.SECONDS) && w1.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, w0.exitValue());
        assertTrue(Files.readString(dir.resolve("c1.log")).contains("WORLD_SIZE is 3 here but rank 0 started with 2"), Files.readString(dir.resolve("c1.log")));
        assertTrue(Files.readString(dir.resolve("c0.log")).contains("not every rank arrived within the timeout"), Files.readString(dir.resolve("c0.log")));
    }

    /** A global batch that the ranks × micro-batches do not divide: refused before any network. */
    @Test
    void anIndivisibleBatchIsRefusedBeforeAnyNetwork(@TempDir Path dir) throws Exception {
        var r = CliTrainTest.run(with(shortRun(dir), "--grad-accum", "3").toArray(String[]::new));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--batch-size 8 is not divisible by --grad-accum 3"), r.err());
    }

    /** The launcher killed with SIGKILL (its shutdown hook never runs): its workers stop on their own, within seconds. */
    @Test
    void workersStopWhenTheirLauncherIsKilled(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 20000, 64, 1), log = dir.resolve("launcher.log");
        Process launcher = start(ChildJvm.jlm(with(args(train, "--steps", "1000000", "--save-every", "1000000"), "--out",
                dir.resolve("run").toString(), "--nproc", "2", "--threads", "1")), log, Map.of());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.readString(log).contains("[rank 0] train ") && System.nanoTime() < deadline) Thread.sleep(200);
        assertTrue(Files.readString(log).contains("[rank 0] train "), "the workers never trained: " + Files.readString(log));
        List<ProcessHandle> workers = launcher.toHandle().children().toList();
        assertEquals(2, workers.size(), "two workers: " + workers);
        launcher.destroyForcibly().waitFor();                          // SIGKILL
        for (ProcessHandle w : workers) {
            try {
                w.onExit().get(15, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                w.destroyForcibly();
                throw new AssertionError("worker " + w.pid() + " kept running after its launcher was killed");
            }
        }
    }

    /** More workers than cores: refused before any worker starts, unless --force. */
    @Test
    void moreWorkersThanCoresAreRefusedBeforeAnyStarts(@TempDir Path dir) throws Exception {
        int n = Runtime.getRuntime().availableProcessors() + 1;
        long before = ProcessHandle.current().descendants().count();
        var r = CliTrainTest.run(with(shortRun(dir), "--nproc", String.valueOf(n)).toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("jlm: --nproc " + n + " would start " + n + " worker processes on " + (n - 1) + " cores"), r.err());
        assertTrue(r.err().contains("add --force"), r.err());
        assertEquals(before, ProcessHandle.current().descendants().count(), "no worker was started");
    }

    /** A rank alone says, every 10 s, what it waits for and how long until the timeout, then stops naming the timeout. */
    @Test
    void aRankWaitingForTheOthersSaysSo(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("alone.log");
        List<String> a = shortRun(dir);
        a.set(a.indexOf("--dist-timeout") + 1, "12");
        Process alone = start(ChildJvm.jlm(a), log, rankEnv(0, 2, LocalLauncher.freePort()));
        assertTrue(alone.waitFor(90, TimeUnit.SECONDS));
        assertNotEquals(0, alone.exitValue());
        String text = Files.readString(log);
        assertTrue(text.lines().anyMatch(l -> l.matches("jlm: rank 0: waiting 1\\d s for the other 1 rank\\(s\\) to join at 127\\.0\\.0\\.1:\\d+ \\(.*\\)")), text);
        assertTrue(text.contains("not every rank arrived within the timeout"), text);
    }

    @Test
    void aRankOutsideTheWorldIsRefused(@TempDir Path dir) throws Exception {
        Process bad = start(ChildJvm.jlm(shortRun(dir)), dir.resolve("d.log"), rankEnv(2, 2, LocalLauncher.freePort()));
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, bad.exitValue());
        assertTrue(Files.readString(dir.resolve("d.log")).contains("RANK 2 is outside 0..WORLD_SIZE-1 = 0..1"));
    }

    @Test
    void aRunResumesOnAnotherWorldSize(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 20000, 64, 1), one = dir.resolve("one"), out = dir.resolve("run");
        List<String> run = args(train, "--warmup", "2", "--cosine-steps", "40", "--save-every", "20");   // one schedule for both halves
        inProcess(run, "--steps", "40", "--out", one.toString(), "--threads", "1");
        inProcess(run, "--steps", "20", "--out", out.toString(), "--threads", "1");                  // 1 rank to step 20,
        jlm(dir, Map.of(), 120, with(run, "--steps", "40", "--out", out.toString(), "--resume", "--nproc", "2", "--dist-timeout", "30"));  // 2 on
        assertSameLosses(metrics(one), metrics(out), "1 rank to step 20, then 2 ranks to 40");
        assertSameWeights(one.resolve("last.safetensors"), out.resolve("last.safetensors"), 1e-5);
    }

    @Test
    void infoListsTheBackendsThisShimWasBuiltWith() {
        var r = CliTrainTest.run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("distributed: +gloo(, nccl)? .*")), r.out());   // setup installs libgloo-dev
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static List<String> args(Path train, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--train", train.toString()));
        a.addAll(MODEL);
        a.addAll(List.of(more));
        return a;
    }

    static List<String> with(List<String> base, String... more) {
        List<String> a = new ArrayList<>(base);
        a.addAll(List.of(more));
        return a;
    }

    static void inProcess(List<String> base, String... more) {
        var r = CliTrainTest.run(with(base, more).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
    }

    /** An executable that runs jlm in this test's class path (torchrun's --no_python worker). */
    static Path workerScript(Path dir) throws IOException {
        StringBuilder s = new StringBuilder("#!/bin/sh\nexec");
        for (String a : ChildJvm.jlm(List.of())) s.append(" '").append(a.replace("'", "'\\''")).append('\'');
        s.append(" \"$@\"\n");
        Path f = dir.resolve("jlm-worker.sh");
        Files.writeString(f, s);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    /**
     * torchrun with its own flags; --redirects/--tee 2 because Debian's torchrun 1.13 on Python 3.11 cannot parse the
     * default "0" (IntFlag no longer iterates its zero member).
     */
    static List<String> torchrunCommand(Path dir, List<String> flags, Path worker, List<String> jlmArgs) {
        List<String> cmd = new ArrayList<>(List.of(TorchPython.torchrun()));
        cmd.addAll(flags);
        cmd.addAll(List.of("--redirects", "2", "--tee", "2", "--log_dir", dir.resolve("torchrun-logs-" + System.nanoTime()).toString(),
                "--no_python", worker.toString()));
        cmd.addAll(jlmArgs);
        return cmd;
    }

    String jlm(Path dir, Map<String, String> env, int seconds, List<String> args) throws Exception {
        Path log = dir.resolve("jlm-" + System.nanoTime() + ".log");
        Process p = start(ChildJvm.jlm(args), log, env);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "timed out: " + args);
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    void torchrun(Path dir, int seconds, List<String> flags, Path worker, List<String> jlmArgs) throws Exception {
        Path log = dir.resolve("torchrun-" + System.nanoTime() + ".log");
        Process p = start(torchrunCommand(dir, flags, worker, jlmArgs), log, Map.of());
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "torchrun timed out");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }

    Process start(List<String> cmd, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        for (String k : List.of("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")) pb.environment().remove(k);
        pb.environment().putAll(env);
        pb.environment().put("JLM_PROGRESS_SECONDS", "0.5");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    static Map<String, String> rankEnv(int rank, int world, int port) {
        return Map.of("RANK", String.valueOf(rank), "WORLD_SIZE", String.valueOf(world), "MASTER_ADDR", "127.0.0.1", "MASTER_PORT",
                String.valueOf(port));
    }

    /** RANK of a java worker process (from /proc/PID/environ), or -1. */
    static int rankOf(ProcessHandle h) {
        if (!h.info().command().orElse("").endsWith("java")) return -1;
        try {
            for (String kv : Files.readString(Path.of("/proc", String.valueOf(h.pid()), "environ")).split("\0")) {
                if (kv.startsWith("RANK=")) return Integer.parseInt(kv.substring(5));
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static void awaitMetricRows(Path run, int rows, Process mustLive) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            Path m = run.resolve("metrics.jsonl");
            if (Files.isRegularFile(m) && Files.readAllLines(m).size() >= rows) return;
            assertTrue(mustLive.isAlive(), "the job ended before " + rows + " steps");
            Thread.sleep(20);
        }
        throw new AssertionError("no " + rows + " metric rows in " + run + " within 90 s");
    }

    static List<JsonNode> metrics(Path run) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) rows.add(json.readTree(line));
        return rows;
    }

    static void assertSameLosses(List<JsonNode> expected, List<JsonNode> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": steps");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).get("train_loss").asDouble(), actual.get(i).get("train_loss").asDouble(), LOSS_TOL,
                    what + ": train loss at step " + (i + 1));
        }
    }

    static void assertSameWeights(Path a, Path b, double tol) throws IOException {
        try (var s = TensorScope.open()) {
            Map<String, Tensor> x = Safetensors.read(a, Device.CPU).tensors(), y = Safetensors.read(b, Device.CPU).tensors();
            assertEquals(x.keySet(), y.keySet());
            for (String k : x.keySet()) {
                double d = x.get(k).sub(y.get(k)).abs().amax(false).item();
                assertTrue(d <= tol, k + " differs by " + d);
            }
        }
    }
}
