package dev.jlm.tensor;

/** A device: {@code cpu} or {@code cuda:N}. Parsed once from a flag; validated against the runtime when used. */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, -1);

    public Device {
        if (kind == Kind.CPU && index != -1) throw new IllegalArgumentException("cpu has no device index");
        if (kind == Kind.CUDA && index < 0) throw new IllegalArgumentException("cuda device index must be >= 0, got " + index);
    }

    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** "cpu", "cuda" (= cuda:0) or "cuda:N". */
    public static Device parse(String s) {
        String t = s.trim();
        if (t.equals("cpu")) return CPU;
        if (t.equals("cuda")) return cuda(0);
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("invalid device '" + s + "': expected cpu, cuda or cuda:N");
    }

    int code() {
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
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
