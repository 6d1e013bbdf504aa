package dev.jlm.train;

import dev.jlm.JlmException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Training stopped because the loss (or the gradient norm) was not finite: at which step, with which learning rate, and the
 * last good checkpoint (or null). That step's update was skipped on the device.
 */
public final class DivergedException extends JlmException {
    private final long step;
    private final double lr;

    /** {@code what} (loss, gradient norm) had the value {@code value}. */
    public DivergedException(String what, double value, long step, double lr, Path lastGood) {
        super(String.format(Locale.ROOT, "%s is %s at step %d (lr %.3g); stopped, nothing saved. %s", what, value, step, lr,
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
