package dev.jlm.nn;

import dev.jlm.JlmException;
import dev.jlm.tensor.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Refuses, before anything is allocated, a model whose memory would not fit in the machine: parameters (4 bytes
 * each), for training also gradients and AdamW's two moments (16 bytes a parameter in all) and the activations kept
 * for backward (the handout's accounting); for inference the parameters and one batch of logits. Compared with
 * MemAvailable of /proc/meminfo on the CPU; a GPU's memory is left to libtorch, which reports it.
 */
public final class MemoryBudget {
    private MemoryBudget() {}

    /**
     * The peak of a training step over the activations the handout counts: backward holds their gradients and its own
     * temporaries too. Measured as (peak RSS − 350 MB of JVM and libtorch) / the handout's activations on three models
     * (d_model 64/256/128, batch 512/64/64, libtorch 1.13 CPU): 2.5, 2.5, 2.6.
     */
    static final double BACKWARD_PEAK = 2.6;

    /** What a process needs besides the model: the JVM and libtorch, measured at about 350 MB of RSS. */
    public static final double PROCESS_BYTES = 350e6;

    /** Bytes a model needs on the CPU: weights (and for training gradients and AdamW's moments) plus activations. */
    public static double needBytes(ModelConfig c, long batch, boolean training) {
        Accounting a = new Accounting(c, batch);
        double weights = a.params() * (double) (training ? 16 : 4);
        return weights + activationBytes(a, c, batch, training);
    }

    private static double activationBytes(Accounting a, ModelConfig c, long batch, boolean training) {
        return training ? a.activationElements() * 4 * BACKWARD_PEAK : 2.0 * batch * c.contextLength() * c.vocabSize() * 4;
    }

    /** MemAvailable of this machine in bytes, or -1 where it cannot be read. */
    public static long available() {
        return availableBytes();
    }

    public static void require(ModelConfig c, long batch, boolean training, Device device) {
        if (!device.equals(Device.CPU)) return;
        long available = availableBytes();
        if (available <= 0) return;                                   // not Linux: nothing to compare with
        Accounting a = new Accounting(c, batch);
        double params = a.params();
        double activations = activationBytes(a, c, batch, training);
        double need = needBytes(c, batch, training);
        if (need > available) {
            throw new JlmException(String.format(Locale.ROOT, "the model needs about %s (%.3g parameters × %d bytes%s, plus %s of activations%s at batch %d)"
                    + " but this machine has %s available: choose a smaller model or batch_size", human(need), params, training ? 16 : 4,
                    training ? " for weights, gradients and AdamW moments" : "", human(activations), training ? " and backward's peak" : "", batch,
                    human(available))).naming("batch_size");
        }
    }

    /**
     * Refuses a job that holds {@code bytes} in this machine's memory at once (besides the process itself) when less is
     * available; {@code what} says what needs them ("exporting F (its weights …)"). Nothing to compare with off Linux.
     */
    public static void requireHeld(double bytes, String what) {
        long available = availableBytes();
        if (available > 0 && bytes > available) {
            throw new JlmException(what + " needs about " + human(bytes) + " of memory but this machine has " + human(available) + " available");
        }
    }

    /** MemAvailable in bytes, or -1 where it cannot be read. */
    static long availableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (Exception e) {
            // not Linux
        }
        return -1;
    }

    static String human(double bytes) {
        return bytes >= 1e12 ? String.format(Locale.ROOT, "%.1f TB", bytes / 1e12) : bytes >= 1e9
                ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }
}
