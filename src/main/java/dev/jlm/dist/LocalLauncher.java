package dev.jlm.dist;

import dev.jlm.JlmException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code torchrun --standalone --nproc-per-node N} does, for jlm's own {@code --nproc N}: starts N copies of a
 * command on this machine with torchrun's variables (rank 0 serves the store on a free loopback port), forwards their
 * output line by line with a "[rank r]" prefix, and when one fails gives the others {@code grace} to notice and exit
 * before stopping them. Its exit code is the first failure's (0 when all succeed).
 */
public final class LocalLauncher {
    private LocalLauncher() {}

    public static int run(List<String> command, int nproc, Duration grace, PrintStream out, PrintStream err) throws InterruptedException {
        if (nproc < 1) throw new JlmException("nproc must be >= 1, got " + nproc).naming("nproc");
        int port = freePort();
        List<Process> workers = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        Thread killer = new Thread(() -> workers.forEach(Process::destroyForcibly));   // the launcher stopped: no orphans
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            for (int r = 0; r < nproc; r++) {
                ProcessBuilder pb = new ProcessBuilder(command);
                Map<String, String> env = pb.environment();
                env.put("RANK", String.valueOf(r));
                env.put("LOCAL_RANK", String.valueOf(r));
                env.put("WORLD_SIZE", String.valueOf(nproc));
                env.put("LOCAL_WORLD_SIZE", String.valueOf(nproc));
                env.put("GROUP_RANK", "0");
                env.put("MASTER_ADDR", "127.0.0.1");
                env.put("MASTER_PORT", String.valueOf(port));
                env.put(LauncherWatch.ENV, String.valueOf(ProcessHandle.current().pid()));   // workers stop when this process is gone
                Process p;
                try {
                    p = pb.start();
                } catch (IOException e) {
                    throw new JlmException("cannot start worker " + r + " (" + command.getFirst() + "): " + e.getMessage());
                }
                workers.add(p);
                pumps.add(pump(p.getInputStream(), "[rank " + r + "] ", out));
                pumps.add(pump(p.getErrorStream(), "[rank " + r + "] ", err));
            }
            int failed = -1, code = 0;
            long deadline = Long.MAX_VALUE;
            boolean running;
            do {                                                  // one last scan after every worker has exited
                running = workers.stream().anyMatch(Process::isAlive);
                for (int r = 0; r < nproc && failed < 0; r++) {
                    Process p = workers.get(r);
                    if (!p.isAlive() && p.exitValue() != 0) {
                        failed = r;
                        code = p.exitValue();
                        deadline = System.nanoTime() + grace.toNanos();
                    }
                }
                if (running) Thread.sleep(50);
            } while (running && System.nanoTime() < deadline);
            for (Process p : workers) {
                if (p.isAlive()) {
                    err.println("jlm: stopping worker pid " + p.pid() + ": it did not exit within " + grace.toSeconds() + " s of rank " + failed + "'s failure");
                    p.destroyForcibly().waitFor();
                }
            }
            for (Thread t : pumps) t.join(5000);
            if (failed >= 0) err.println("jlm: rank " + failed + " of " + nproc + " exited with code " + code);
            return failed < 0 ? 0 : (code == 0 ? 1 : code);
        } finally {
            workers.forEach(Process::destroyForcibly);
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    private static Thread pump(InputStream in, String prefix, PrintStream to) {
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (to) {
                        to.println(prefix + line);
                    }
                }
            } catch (IOException ignored) {
                // the worker is gone
            }
        });
        return t;
    }

    /** A port free on loopback now (as torchrun picks one; a race with another program is possible but rare). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new JlmException("no free loopback port for the rendezvous store: " + e.getMessage());
        }
    }
}
