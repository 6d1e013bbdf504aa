package dev.jlm.tensor;

/**
 * A device: {@code cpu} or {@code cuda:N}, or {@code auto} until {@link #resolve}d (cuda:0 where this libtorch sees a
 * GPU, else cpu). Parsed once from a flag; validated against the runtime when used.
 */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA, AUTO }

    public static final Device CPU = new Device(Kind.CPU, -1);
    public static final Device AUTO = new Device(Kind.AUTO, -1);

    public Device {
        if (kind != Kind.CUDA && index != -1) throw new IllegalArgumentException(kind.name().toLowerCase() + " has no device index");
        if (kind == Kind.CUDA && index < 0) throw new IllegalArgumentException("cuda device index must be >= 0, got " + index);
    }

    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** "auto", "cpu", "cuda" (= cuda:0) or "cuda:N". */
    public static Device parse(String s) {
        String t = s.trim();
        if (t.equals("auto")) return AUTO;
        if (t.equals("cpu")) return CPU;
        if (t.equals("cuda")) return cuda(0);
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("invalid device '" + s + "': expected auto, cpu, cuda or cuda:N");
    }

    /** This device, with auto made concrete: cuda:0 when this libtorch has a CUDA device, else cpu. */
    public Device resolve() {
        if (kind != Kind.AUTO) return this;
        return Torch.cudaAvailable() && Torch.cudaDeviceCount() > 0 ? cuda(0) : CPU;
    }

    int code() {
        if (kind == Kind.AUTO) throw new IllegalStateException("device auto used before it was resolved");
        return kind == Kind.CPU ? -1 : index;
    }

    static Device of(int code) {
        return code == -1 ? CPU : cuda(code);
    }

    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CPU -> "cpu";
            case AUTO -> "auto";
            case CUDA -> "cuda:" + index;
        };
    }
}
