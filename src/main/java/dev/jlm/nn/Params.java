package dev.jlm.nn;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Named parameters by dotted path (tch-rs style): {@code params.sub("layers").sub(0).sub("attn")} makes
 * {@code layers.0.attn.q_proj.weight}, the CS336 state-dict names used in checkpoints and logs. Parameters are
 * float32, require grad, and live in the scope that is current when they are made (the run's scope).
 */
public final class Params {
    private final Map<String, Tensor> all;
    private final String prefix;
    private final Device device;

    public Params(Device device) {
        this(new LinkedHashMap<>(), "", device);
    }

    private Params(Map<String, Tensor> all, String prefix, Device device) {
        this.all = all;
        this.prefix = prefix;
        this.device = device;
    }

    public Params sub(String name) {
        return new Params(all, prefix + name + ".", device);
    }

    public Params sub(int index) {
        return sub(Integer.toString(index));
    }

    public Device device() {
        return device;
    }

    /** A new parameter of this shape, filled by {@code init} (under no-grad), registered under prefix + name. */
    public Tensor param(String name, Consumer<Tensor> init, long... shape) {
        String full = prefix + name;
        if (all.containsKey(full)) throw new IllegalStateException("parameter " + full + " defined twice");
        Tensor t = Torch.empty(DType.FLOAT32, Device.CPU, shape);
        try (var g = NoGrad.enter()) {
            init.accept(t);
        }
        if (device.isCuda()) t = t.to(device); // init on the CPU generator, so CPU and CUDA models start equal
        t.requiresGrad(true);
        all.put(full, t);
        return t;
    }

    /** All parameters by full name, in creation order. */
    public Map<String, Tensor> named() {
        return Collections.unmodifiableMap(all);
    }

    public long count() {
        long n = 0;
        for (Tensor t : all.values()) n += t.numel();
        return n;
    }
}
