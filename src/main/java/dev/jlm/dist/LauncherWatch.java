package dev.jlm.dist;

import java.util.Map;
import java.util.function.Consumer;

/**
 * In a worker that {@link LocalLauncher} started: notices when the launcher is gone — even killed with SIGKILL, when
 * its shutdown hook never ran — so that no worker goes on training, or writing checkpoints, on its own.
 */
public final class LauncherWatch {
    /** The launcher's pid, in each worker's environment. */
    public static final String ENV = "JLM_LAUNCHER_PID";
    private static final long EVERY_MS = 200;

    private LauncherWatch() {}

    /** Watches the launcher named in {@code env} (nothing to do without one); {@code onGone} is told its pid once it is gone. */
    public static void start(Map<String, String> env, Consumer<Long> onGone) {
        String v = env.get(ENV);
        if (v == null) return;
        long pid;
        try {
            pid = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return;
        }
        Thread.ofPlatform().daemon().name("jlm-launcher-watch").start(() -> {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(EVERY_MS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            onGone.accept(pid);
        });
    }
}
