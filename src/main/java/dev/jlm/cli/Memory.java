package dev.jlm.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/** Process memory figures for the summaries commands print: peak RSS from /proc (Linux), the heap's sampled peak. */
final class Memory {
    private static final AtomicLong heapPeak = new AtomicLong();

    static {
        Thread t = new Thread(() -> {                      // the used heap, sampled: a true peak (never above the cap)
            var heap = ManagementFactory.getMemoryMXBean();
            while (true) {
                try {
                    heapPeak.accumulateAndGet(heap.getHeapMemoryUsage().getUsed(), Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (OutOfMemoryError e) {
                    // the command itself reports a full heap in one line; this sample is skipped, not printed as a trace
                }
            }
        }, "jlm-heap-sampler");
        t.setDaemon(true);
        t.start();
    }

    private Memory() {}

    /** Records the heap in use now; the first call loads this class, which starts the sampler (commands call it when they begin). */
    static void watch() {
        heapPeak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    }

    /** Peak resident set size (VmHWM) and the largest used heap seen (sampled every 0.1 s). */
    static String peakRss() {
        watch();
        return String.format(Locale.ROOT, "%s peak RSS, %.0f MB peak heap (sampled, of a %.0f MB cap)", kb("VmHWM"), heapPeak.get() / 1e6,
                Runtime.getRuntime().maxMemory() / 1e6);
    }

    static String kb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return String.format(Locale.ROOT, "%.0f MB", Long.parseLong(line.replaceAll("\\D", "")) / 1e3);
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "n/a";
    }
}
