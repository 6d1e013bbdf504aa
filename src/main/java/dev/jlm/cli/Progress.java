package dev.jlm.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Progress of a long job on stderr. On a terminal: a one-line bar with rate and ETA, redrawn at most 10 times a
 * second. Off a terminal (nohup, a batch scheduler, a pipe into tee): a plain line, no carriage return, every
 * JLM_PROGRESS_SECONDS (default 10; 0 = only when asked) and at the end of each phase — so a 12-hour run's log is
 * never empty. The rate
 * and ETA come from recent progress (a 30-second moving average) once there is some; until then from the elapsed
 * time since the phase began (the job's start for the first phase), and no rate at all before 50 ms have passed.
 */
final class Progress {
    private final PrintStream out = System.err;
    private final boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
    private final long plainEvery = (long) (seconds("JLM_PROGRESS_SECONDS", 10) * 1e9);
    private final Map<String, String> units = new HashMap<>();
    private final Map<String, Double> scales = new HashMap<>();
    private final String unit;
    private final double unitScale;
    private long start = System.nanoTime(), lastDraw, lastPlain = start, lastTime = start, lastDone;
    private double recentRate = -1;      // units per second, moving average
    private String phase = "";
    private String alsoUnit;             // a second rate, in another unit: alsoPer of them per counted unit
    private double alsoPer;
    private long base;                   // done before this job began

    Progress(String unit, double unitScale) {
        this.unit = unit;
        this.unitScale = unitScale;
    }

    /** A phase counted in its own unit (e.g. "merges" for the merge phase of `bpe train`). */
    Progress unit(String phase, String unit, double scale) {
        units.put(phase, unit);
        scales.put(phase, scale);
        return this;
    }

    /** Shows a second rate beside the counted one, e.g. tokens/s beside steps/s ({@code per} tokens a step). */
    Progress also(String unit, double per) {
        alsoUnit = unit;
        alsoPer = per;
        return this;
    }

    /** The work counted before this job began (a resumed run's steps): rates count only what comes after. */
    void baseline(long done) {
        lastDone = done;
        lastTime = start = System.nanoTime();
        base = done;
    }

    boolean onTerminal() {
        return tty;
    }

    void update(String phase, long done, long total, String extra) {
        update(phase, done, total, extra, false);
    }

    /** With {@code lineNow}, off a terminal, a plain line is printed now whatever the interval (train's --log-every). */
    void update(String phase, long done, long total, String extra, boolean lineNow) {
        long now = System.nanoTime();
        if (!phase.equals(this.phase)) {
            if (!this.phase.isEmpty()) {
                finishLine();
                start = lastTime;                                      // the phase began when the last one's last update came
            }
            this.phase = phase;
            lastTime = start;
            lastPlain = now;
            lastDone = base;
            recentRate = -1;
        }
        double dt = (now - lastTime) / 1e9;
        if (dt >= 0.2 && done > lastDone) {                             // moving average with a ~30 s memory
            double rate = (done - lastDone) / dt, w = Math.min(1, dt / 30);
            recentRate = recentRate < 0 ? rate : (1 - w) * recentRate + w * rate;
            lastTime = now;
            lastDone = done;
        }
        boolean end = total > 0 && done >= total;
        if (tty) {
            if (now - lastDraw < 100_000_000L && !end) return;
            lastDraw = now;
            double frac = total > 0 ? Math.min(1, (double) done / total) : 0;
            int width = 24, filled = (int) Math.round(frac * width);
            out.printf(Locale.ROOT, "\r%-12s [%s%s] %5.1f%%  %s  ETA %s %s\u001b[K", phase, "#".repeat(filled), " ".repeat(width - filled),
                    100 * frac, rate(done, now), eta(done, total), extra == null ? "" : extra);
            out.flush();
        } else if (lineNow || (plainEvery > 0 && now - lastPlain >= plainEvery) || end) {
            lastPlain = now;
            out.printf(Locale.ROOT, "%s %,d/%,d (%.1f%%)  %s  ETA %s%s%n", phase, done, total, total > 0 ? 100.0 * done / total : 0,
                    rate(done, now), eta(done, total), extra == null ? "" : "  " + extra.strip());
            out.flush();
        }
    }

    private String rate(long done, long now) {
        double elapsed = (now - start) / 1e9;
        String u = units.getOrDefault(phase, unit);
        if (u.isEmpty()) u = "steps";
        if (recentRate < 0 && elapsed < 0.05) return "- " + u + "/s";                // too soon to say
        double r = recentRate >= 0 ? recentRate : (done - base) / elapsed;
        String s = number(r / scales.getOrDefault(phase, unitScale)) + " " + u + "/s";
        return alsoUnit == null ? s : s + " (" + number(r * alsoPer) + " " + alsoUnit + "/s)";
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    private String eta(long done, long total) {
        if (total <= 0 || done >= total || recentRate <= 0) return "-";
        return time((total - done) / recentRate);
    }

    void finishLine() {
        if (tty) out.println();
    }

    static String time(double sec) {
        long s = Math.round(sec);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }

    private static double seconds(String env, double dflt) {
        try {
            String v = System.getenv(env);
            return v == null ? dflt : Math.max(0, Double.parseDouble(v));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
