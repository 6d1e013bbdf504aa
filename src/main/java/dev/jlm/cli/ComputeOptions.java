package dev.jlm.cli;

import dev.jlm.JlmException;
import dev.jlm.nn.Kernels;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Torch;
import dev.jlm.tensor.TorchException;
import dev.jlm.train.TrainConfig;
import java.util.Map;
import java.util.Set;

/**
 * How a verb that runs a model computes — --device, --dtype, --threads, --kernels, --cuda-graphs — as the flags of
 * train's own settings ({@link TrainConfig}'s components, see {@link SettingFlags}): one declaration, so one doc, domain,
 * parser and default for each in every verb, and the same refusal of the same bad value.
 */
final class ComputeOptions {
    final SettingFlags flags;

    /**
     * @param keys which of train's settings this verb takes (device, dtype, threads, kernels, cuda_graphs)
     * @param docs help texts that say what a setting does in this verb, by key (the meaning and domain stay train's)
     */
    ComputeOptions(Set<String> keys, Map<String, String> docs) {
        flags = new SettingFlags(TrainConfig.class, true, "", keys::contains, docs);
    }

    /** The device, auto resolved. */
    Device device() {
        return ((Device) value("device")).resolve();
    }

    DType dtype() {
        return (DType) value("dtype");
    }

    int threads() {
        return (Integer) value("threads");
    }

    Kernels.Choice kernels() {
        return (Kernels.Choice) value("kernels");
    }

    CudaGraph.Mode cudaGraphs() {
        return (CudaGraph.Mode) value("cuda_graphs");
    }

    /**
     * Sets the intra-op threads and checks that the device exists (an error naming it when not), as train does before
     * its work: call first, before anything is read or printed. Returns the device.
     */
    Device use() {
        if (threads() > 0) Torch.setNumThreads(threads());
        return requireDevice(device());
    }

    /** {@code d}, when this machine has it; else an error naming --device, with libtorch's reason (a verb's first check). */
    static Device requireDevice(Device d) {
        try {
            Torch.requireDevice(d);
            return d;
        } catch (TorchException e) {
            throw new JlmException("--device " + d + ": " + e.getMessage().substring(e.op().length() + 2), e);
        }
    }

    private Object value(String key) {
        Object v = flags.values().get(key);
        if (v == null) throw new IllegalStateException("--" + key.replace('_', '-') + " is not a flag of this verb");
        return v;
    }
}
