package dev.jlm.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA on a terminal (stderr, redrawn at most 10 times a second). Off a
 * terminal it stays silent; the commands print their summary and JSON logs instead.
 */
final class Progress {
    private final PrintStream out = System.err;
    private final boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    private final String unit;
    private final double unitScale;
    private long start = System.nanoTime();
    private long lastDraw;
    private String phase = "";

    Progress(String unit, double unitScale) {
        this.unit = unit;
        this.unitScale = unitScale;
    }

    void update(String phase, long done, long total, String extra) {
        if (!phase.equals(this.phase)) {
            if (!this.phase.isEmpty()) finishLine();
            this.phase = phase;
            start = System.nanoTime();
        }
        if (!tty) return;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && done < total) return;
        lastDraw = now;
        double sec = Math.max(1e-9, (now - start) / 1e9);
        double frac = total > 0 ? Math.min(1, (double) done / total) : 0;
        int width = 24, filled = (int) Math.round(frac * width);
        double rate = done / sec;
        String eta = frac > 0 && frac < 1 ? time(sec / frac - sec) : "-";
        out.printf(Locale.ROOT, "\r%-12s [%s%s] %5.1f%%  %s  ETA %s %s\u001b[K", phase, "#".repeat(filled), " ".repeat(width - filled),
                100 * frac, unit.isEmpty() ? String.format(Locale.ROOT, "%.0f/s", rate)
                        : String.format(Locale.ROOT, "%.1f %s/s", rate / unitScale, unit), eta, extra == null ? "" : extra);
        out.flush();
    }

    void finishLine() {
        if (tty) out.println();
    }

    static String time(double sec) {
        long s = Math.round(sec);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }
}
