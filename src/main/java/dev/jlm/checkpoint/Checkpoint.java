package dev.jlm.checkpoint;

import dev.jlm.JlmException;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.TransformerLm;
import dev.jlm.io.AtomicFile;
import dev.jlm.optim.AdamW;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint is two safetensors files written atomically: {@code NAME.safetensors} holds the weights under the
 * CS336 state-dict names with the model config as JSON in {@code __metadata__["config"]} (so
 * {@code safetensors.torch.load_file} loads it in Python), and {@code NAME.optim.safetensors} holds the AdamW
 * moments ({@code exp_avg.*}, {@code exp_avg_sq.*}), the torch RNG state and, in its metadata, the step and the
 * batch sampler's state. The optimizer file is written first, so a complete weights file implies its sibling.
 */
public final class Checkpoint {
    /** Training state restored from a checkpoint. */
    public record TrainState(long step, long samplerState) {}

    private Checkpoint() {}

    public static Path optimFile(Path weights) {
        String n = weights.getFileName().toString().replaceFirst("\\.safetensors$", "");
        return weights.resolveSibling(n + ".optim.safetensors");
    }

    /**
     * Saves model (+ optimizer state when {@code opt} is not null): both files are written and fsynced beside their
     * places first, then renamed in, the optimizer state first. A failure before the renames changes nothing; the
     * weights' metadata and the optimizer's both carry the step, so a crash between the two renames is found on load.
     */
    public static void save(Path weights, TransformerLm model, AdamW opt, long samplerState, Map<String, String> extraMeta) throws IOException {
        try (var s = TensorScope.open()) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("config", ConfigJson.write(model.config()));
            meta.putAll(extraMeta);
            if (opt != null) {
                Map<String, Tensor> state = new LinkedHashMap<>();
                state.putAll(opt.state().tensors());
                byte[] rng = Torch.rngState();
                try (Arena a = Arena.ofConfined()) {
                    state.put("torch_rng_state", Torch.fromSegment(a.allocateFrom(ValueLayout.JAVA_BYTE, rng), DType.UINT8, Device.CPU, rng.length));
                }
                Map<String, String> om = new LinkedHashMap<>();
                om.put("step", Long.toString(opt.stepCount()));
                om.put("sampler_state", Long.toString(samplerState));
                meta.put("step", Long.toString(opt.stepCount()));
                Path optTmp = Safetensors.prepare(optimFile(weights), state, om), weightsTmp = null;
                try {
                    weightsTmp = Safetensors.prepare(weights, model.params().named(), meta);
                } finally {
                    if (weightsTmp == null) Files.deleteIfExists(optTmp);
                }
                AtomicFile.commit(optTmp, optimFile(weights));
                AtomicFile.commit(weightsTmp, weights);
            } else {
                Safetensors.write(weights, model.params().named(), meta);
            }
        }
    }

    /** Copies a checkpoint (weights and optimizer sibling) to {@code to}, both prepared before either is renamed in. */
    public static void copy(Path from, Path to) throws IOException {
        Path optTmp = AtomicFile.prepare(optimFile(to), out -> Files.copy(optimFile(from), out)), weightsTmp = null;
        try {
            weightsTmp = AtomicFile.prepare(to, out -> Files.copy(from, out));
        } finally {
            if (weightsTmp == null) Files.deleteIfExists(optTmp);
        }
        AtomicFile.commit(optTmp, optimFile(to));
        AtomicFile.commit(weightsTmp, to);
    }

    /** The model a resolved checkpoint describes, built in the current TensorScope, with its weights loaded. */
    public static TransformerLm load(ModelFiles.Resolved r, Device device, DType compute, Kernels kernels) throws IOException {
        TransformerLm model = new TransformerLm(r.config(), device, compute, kernels);
        loadWeights(r.weights(), model);
        return model;
    }

    /**
     * Writes the HuggingFace layout: {@code dir/model.safetensors} (the model's tensors, as stored, under the CS336
     * names, with the config in the metadata too) and {@code dir/config.json}, as one set (a new or empty folder;
     * nothing is left behind when it fails); no model is built.
     */
    public static void export(ModelFiles.Resolved r, Path dir) throws IOException {
        dev.jlm.io.AtomicFolder.write(dir, false, tmp -> {
            try (var s = TensorScope.open()) {
                Map<String, Tensor> all = ModelFiles.canonical(Safetensors.read(r.weights(), Device.CPU), r.config(), r.weights()), model = new LinkedHashMap<>();
                for (String name : TransformerLm.parameterShapes(r.config()).keySet()) model.put(name, all.get(name));
                requireFinite(r.weights(), model);
                Safetensors.write(tmp.resolve(ModelFiles.WEIGHTS), model, Map.of("format", "pt", "config", ConfigJson.write(r.config())));
            }
            String json = ConfigJson.write(r.config()) + "\n";
            dev.jlm.io.AtomicFile.write(tmp.resolve(ModelFiles.CONFIG), out -> out.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        });
    }

    /**
     * What {@link #export} holds in memory at once: the model's tensors as the file stores them, and one tensor's two copies
     * on its way to the new file.
     */
    public static double exportBytes(ModelFiles.Resolved r) throws IOException {
        Map<String, Safetensors.Entry> entries = ModelFiles.canonical(Safetensors.readHeader(r.weights()), r.weights()).entries();
        long all = 0, largest = 0;
        for (String name : TransformerLm.parameterShapes(r.config()).keySet()) {
            Safetensors.Entry e = entries.get(name);
            all += e.end() - e.begin();
            largest = Math.max(largest, e.end() - e.begin());
        }
        return all + 2.0 * largest;
    }

    /** Copies the checkpoint's weights into {@code model}, checking names, shapes and that every value is finite. */
    public static void loadWeights(Path weights, TransformerLm model) throws IOException {
        try (var s = TensorScope.open()) {
            Map<String, Tensor> t = ModelFiles.canonical(Safetensors.read(weights, model.params().device()), model.config(), weights);
            requireFinite(weights, t);
            copyInto(weights, t, model.params().named());
        }
    }

    /**
     * Every floating-point tensor of {@code file} holds only finite values (one pass on their device, one value read back), else
     * an error naming the file and the first tensor with a NaN or an infinity: no training writes one (a NaN loss saves
     * nothing), so such a file is damaged or not a trained model, and a model computed from it would be NaN throughout.
     */
    static void requireFinite(Path file, Map<String, Tensor> tensors) {
        java.util.List<Map.Entry<String, Tensor>> floats = tensors.entrySet().stream().filter(e -> switch (e.getValue().dtype()) {
            case FLOAT32, BFLOAT16, FLOAT16, FLOAT64 -> e.getValue().numel() > 0;
            default -> false;
        }).toList();
        if (floats.isEmpty() || dev.jlm.tensor.MultiTensor.nonfinite(floats.stream().map(Map.Entry::getValue).toList()).item() == 0) return;
        for (var e : floats) {
            if (dev.jlm.tensor.MultiTensor.nonfinite(java.util.List.of(e.getValue())).item() != 0) {
                throw new JlmException(file + ": tensor " + e.getKey() + " holds NaN or infinite values (no training writes them: a damaged file, or"
                        + " weights saved after a diverged step)");
            }
        }
    }

    /** Restores optimizer moments and the torch RNG; returns the step and the sampler state. */
    public static TrainState loadTraining(Path weights, AdamW opt) throws IOException {
        Path f = optimFile(weights);
        if (!Files.isRegularFile(f)) throw new JlmException(f + ": optimizer state not found (needed to resume)");
        try (var s = TensorScope.open()) {
            Device dev = opt.state().tensors().values().iterator().next().device();
            Safetensors.Contents c = Safetensors.read(f, dev);
            requireFinite(f, c.tensors());
            long step = number(c.metadata(), "step", f);
            Map<String, String> weightsMeta = Safetensors.readHeader(weights).metadata();
            if (weightsMeta.containsKey("step") && number(weightsMeta, "step", weights) != step) {
                throw new JlmException(weights + " (step " + weightsMeta.get("step") + ") and " + f + " (step " + step + ") are not one checkpoint"
                        + " (a crash between writing them): resume from the step-NNNNNN.safetensors beside them instead");
            }
            opt.load(new AdamW.State(c.tensors(), step), f.toString());
            Tensor rng = c.tensors().get("torch_rng_state");
            if (rng == null) throw new JlmException(f + ": no torch_rng_state");
            long[] bytes = rng.toLongArray();
            byte[] b = new byte[bytes.length];
            for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
            Torch.setRngState(b);
            return new TrainState(step, number(c.metadata(), "sampler_state", f));
        }
    }

    private static long number(Map<String, String> meta, String key, Path file) {
        try {
            return Long.parseLong(meta.getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            throw new JlmException(file + ": metadata " + key + " is not an integer: " + meta.get(key));
        }
    }

    private static void copyInto(Path file, Map<String, Tensor> from, Map<String, Tensor> to) {
        try (var g = NoGrad.enter()) {
            for (var e : to.entrySet()) {
                Tensor src = from.get(e.getKey());
                if (src == null) throw new JlmException(file + ": tensor " + e.getKey() + " is missing (checkpoint of another model?)");
                if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                    throw new JlmException(file + ": tensor " + e.getKey() + " has shape " + Arrays.toString(src.shape())
                            + " but the model expects " + Arrays.toString(e.getValue().shape()));
                }
                e.getValue().copy_(src);
            }
        }
    }
}
