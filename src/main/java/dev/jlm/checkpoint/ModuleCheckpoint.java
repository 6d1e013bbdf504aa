package dev.jlm.checkpoint;

import dev.jlm.JlmException;
import dev.jlm.nn.Module;
import dev.jlm.nn.StateDict;
import dev.jlm.optim.AdamW;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint of any {@link Module}, its optimizer and the iteration, in one safetensors file (CS336's
 * {@code save_checkpoint(model, optimizer, iteration, out)} / {@code load_checkpoint(src, model, optimizer)}): the
 * module's state dict under {@code model.NAME}, the AdamW moments under {@code optimizer.exp_avg.NAME} and
 * {@code optimizer.exp_avg_sq.NAME}, and in the metadata {@code iteration} and the optimizer's {@code step}. Written
 * atomically (a temp file, fsync, rename); loaded strictly (every name present and expected, every shape equal), so a
 * checkpoint of another module is refused by name before anything is copied.
 */
public final class ModuleCheckpoint {
    static final String MODEL = "model.", OPTIMIZER = "optimizer.";

    private ModuleCheckpoint() {}

    /** Writes {@code out} as one file, all or nothing; {@code optimizer} may be null (the module alone). */
    public static void save(Module model, AdamW optimizer, long iteration, Path out) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> tensors.put(MODEL + k, t));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("iteration", Long.toString(iteration));
        if (optimizer != null) {
            optimizer.state().tensors().forEach((k, t) -> tensors.put(OPTIMIZER + k, t));
            meta.put("optimizer_step", Long.toString(optimizer.stepCount()));
        }
        Safetensors.write(out, tensors, meta);
    }

    /**
     * Restores {@code model} (and {@code optimizer}'s moments and step, when not null) from {@code src}, strictly;
     * returns the iteration saved. Errors name the file and the tensor.
     */
    public static long load(Path src, Module model, AdamW optimizer) throws IOException {
        if (!Files.isRegularFile(src)) throw new JlmException(src + ": checkpoint not found");
        Map<String, Tensor> target = model.stateDict();
        Device device = target.isEmpty() ? Device.CPU : target.values().iterator().next().device();
        try (var s = TensorScope.open()) {
            Safetensors.Contents c = Safetensors.read(src, device);
            Map<String, Tensor> modelPart = new LinkedHashMap<>(), optPart = new LinkedHashMap<>();
            for (var e : c.tensors().entrySet()) {
                if (e.getKey().startsWith(MODEL)) modelPart.put(e.getKey().substring(MODEL.length()), e.getValue());
                else if (e.getKey().startsWith(OPTIMIZER) && optimizer != null) optPart.put(e.getKey().substring(OPTIMIZER.length()), e.getValue());
                else throw new JlmException(src + ": unexpected tensor " + e.getKey() + (e.getKey().startsWith(OPTIMIZER)
                        ? " (no optimizer to load it into)" : " (a module checkpoint holds model.* and optimizer.* tensors)"));
            }
            long iteration = number(c.metadata(), "iteration", src);
            long step = optimizer == null ? 0 : number(c.metadata(), "optimizer_step", src);
            Checkpoint.requireFinite(src, c.tensors());
            StateDict.load(target, modelPart, true, src.toString());
            if (optimizer != null) {
                StateDict.load(optimizer.state().tensors(), optPart, true, src + " (optimizer)");
                optimizer.setStepCount(step);
            }
            return iteration;
        }
    }

    private static long number(Map<String, String> meta, String key, Path file) {
        String v = meta.get(key);
        if (v == null) throw new JlmException(file + ": metadata has no " + key + " (not a module checkpoint)");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new JlmException(file + ": metadata " + key + " is not an integer: " + v);
        }
    }
}
