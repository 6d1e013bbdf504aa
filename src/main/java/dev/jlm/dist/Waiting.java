package dev.jlm.dist;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Says, every {@link #EVERY} while a rank waits for the others (to join, or in a collective), what it waits for and how
 * long until the timeout — so that a missing rank is never a silence of minutes. One daemon thread per world.
 */
final class Waiting implements AutoCloseable {
    static final Duration EVERY = Duration.ofSeconds(10);
    static final Waiting NONE = new Waiting();

    private final String who;
    private final Duration timeout;
    private final Consumer<String> notes;
    private final Thread watcher;
    private volatile String what;
    private volatile long since;        // System.nanoTime() when the wait began; 0: not waiting
    private volatile boolean closed;

    private Waiting() {
        who = null;
        timeout = Duration.ZERO;
        notes = n -> { };
        watcher = null;
    }

    Waiting(String who, Duration timeout, Consumer<String> notes) {
        this.who = who;
        this.timeout = timeout;
        this.notes = notes;
        watcher = Thread.ofPlatform().daemon().name("jlm-waiting").start(this::watch);
    }

    void begin(String what) {
        this.what = what;
        since = System.nanoTime();
    }

    void end() {
        since = 0;
    }

    private void watch() {
        long told = 0;                                   // the wait last told about
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long s = since, now = System.nanoTime();
            if (s == 0 || now - s < EVERY.toNanos()) continue;
            if (s == told && now - lastNote < EVERY.toNanos()) continue;
            told = s;
            lastNote = now;
            long waited = (now - s) / 1_000_000_000L, left = timeout.toSeconds() - waited;
            notes.accept(String.format(Locale.ROOT, "%s: waiting %d s for %s (%s)", who, waited, what, left > 0
                    ? left + " s until the timeout" : "past the " + timeout.toSeconds() + " s timeout: stopping as soon as libtorch gives up"));
        }
    }

    private long lastNote;

    @Override
    public void close() {
        closed = true;
        if (watcher != null) watcher.interrupt();
    }
}
