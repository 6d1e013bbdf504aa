package dev.jlm.tokenizer;

/**
 * GPT-2's byte ↔ printable-character table: bytes that are printable stand for themselves, the others are
 * shifted to U+0100 and up. Used only for the vocab.json / merges.txt file format. {@link #ORDER} lists the
 * bytes in the table's order (printable ones first), which is also the order of their ids in a GPT-2 vocab.
 */
public final class ByteUnicode {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];
    /** Bytes in table order: 33..126, 161..172, 174..255, then the rest ascending. */
    public static final int[] ORDER = new int[256];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0, extra = 0;
        for (int b = 0; b < 256; b++) if (printable(b)) ORDER[n++] = b;
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                BYTE_TO_CHAR[b] = (char) b;
            } else {
                BYTE_TO_CHAR[b] = (char) (256 + extra++);
                ORDER[n++] = b;
            }
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteUnicode() {}

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** Bytes → the file format's string. */
    public static String encode(byte[] bytes) {
        char[] c = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) c[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(c);
    }

    /** The file format's string → bytes; null if a character is not in the table. */
    public static byte[] decode(String s) {
        byte[] out = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            int b = ch < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[ch] : -1;
            if (b < 0) return null;
            out[i] = (byte) b;
        }
        return out;
    }
}
