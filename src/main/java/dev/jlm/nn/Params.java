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
 * {@code layers.0.attn.q_proj.weight}, the CS336 state-dict names used in checkpoints and logs. The modules' constructors
 * declare every parameter here, once: on a device, {@link #param} makes it (float32, requires grad, in the scope that is
 * current: the run's); {@link #shapesOnly} records only its name and shape (llm.c's fill_in_parameter_sizes), which is
 * how the schema is known before a tensor exists.
 */
public final class Params {
    private final Map<String, Tensor> all;
    private final Map<String, long[]> shapes;
    private final String prefix;
    private final Device device;                 // null: shapes only

    /** Parameters made on {@code device}, with no prefix: the root of a module tree. */
    public Params(Device device) {
        this(new LinkedHashMap<>(), new LinkedHashMap<>(), "", device);
    }

    /** Parameters that record their names and shapes and allocate nothing; {@link #param} returns null. */
    public static Params shapesOnly() {
        return new Params(new LinkedHashMap<>(), new LinkedHashMap<>(), "", null);
    }

    private Params(Map<String, Tensor> all, Map<String, long[]> shapes, String prefix, Device device) {
        this.all = all;
        this.shapes = shapes;
        this.prefix = prefix;
        this.device = device;
    }

    /** The parameters of a child module: names under {@code prefix + name + "."}, in the same tree. */
    public Params sub(String name) {
        return new Params(all, shapes, prefix + name + ".", device);
    }

    public Params sub(int index) {
        return sub(Integer.toString(index));
    }

    public Device device() {
        return device;
    }

    /** Whether parameters are made (false for {@link #shapesOnly}). */
    public boolean allocates() {
        return device != null;
    }

    /** A new parameter of this shape, filled by {@code init} (under no-grad), registered under prefix + name. */
    public Tensor param(String name, Consumer<Tensor> init, long... shape) {
        String full = prefix + name;
        if (shapes.containsKey(full)) throw new IllegalStateException("parameter " + full + " defined twice");
        shapes.put(full, shape.clone());
        if (device == null) return null;
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

    /**
     * The parameters declared under this prefix, by name relative to it ({@code sub("ffn")}'s {@code w1.weight}), in
     * creation order: a module's own state dict. A new map over the same (live) tensors.
     */
    public Map<String, Tensor> local() {
        Map<String, Tensor> mine = new LinkedHashMap<>();
        all.forEach((name, t) -> {
            if (name.startsWith(prefix)) mine.put(name.substring(prefix.length()), t);
        });
        return mine;
    }

    /** Every declared parameter's shape by full name, in declaration order. */
    public Map<String, long[]> shapes() {
        return Collections.unmodifiableMap(shapes);
    }

    /** Elements of all parameters declared. */
    public long count() {
        long n = 0;
        for (long[] s : shapes.values()) {
            long e = 1;
            for (long d : s) e = Math.multiplyExact(e, d);
            n = Math.addExact(n, e);
        }
        return n;
    }
}
