package dev.jlm.train;

import dev.jlm.JlmException;
import java.nio.file.Path;
import java.util.Locale;

/** Training stopped because the loss was not finite: at which step, with which learning rate, and the last good checkpoint (or null). */
public final class DivergedException extends JlmException {
    private final long step;
    private final double lr;

    public DivergedException(double loss, long step, double lr, Path lastGood) {
        super(String.format(Locale.ROOT, "loss is %s at step %d (lr %.3g); stopped, nothing saved. %s", loss, step, lr,
                lastGood == null ? "No checkpoint was written yet." : "Last good checkpoint: " + lastGood));
        this.step = step;
        this.lr = lr;
    }

    public long step() {
        return step;
    }

    public double lr() {
        return lr;
    }
}
