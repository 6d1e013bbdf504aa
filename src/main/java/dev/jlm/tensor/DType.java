package dev.jlm.tensor;

import java.util.Locale;

/** Element types, with the codes of native/include/jlm.h. */
public enum DType {
    FLOAT32(0, 4), BFLOAT16(1, 2), FLOAT16(2, 2), INT64(3, 8), INT32(4, 4), UINT8(5, 1), BOOL(6, 1), FLOAT64(7, 8);

    final int code;
    private final int byteSize;

    DType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    static DType of(int code) {
        for (DType d : values()) if (d.code == code) return d;
        throw new TorchException("dtype", "tensor has a dtype jlm does not support (code " + code + ")");
    }

    /** Parses "float32", "bfloat16", ... as a flag value. */
    public static DType parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown dtype '" + s + "' (float32, bfloat16, float16, int64, int32, uint8, bool, float64)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
