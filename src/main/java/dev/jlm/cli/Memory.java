package dev.jlm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Process memory figures from /proc (Linux), for the summaries commands print. */
final class Memory {
    private Memory() {}

    /** Peak resident set size (VmHWM) and the heap's peak use. */
    static String peakRss() {
        long heapPeak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) heapPeak += pool.getPeakUsage().getUsed();
        }
        return String.format(Locale.ROOT, "%s peak RSS, %.0f MB peak heap", kb("VmHWM"), heapPeak / 1e6);
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
