package dev.jlm.tokenizer.tiktoken;

/** UTF-16 text to UTF-8 bytes, a lone surrogate as U+FFFD (the fix-up tiktoken makes before encoding). */
final class Utf16 {
    private Utf16() {}

    /** The most UTF-8 bytes n chars can take. */
    static int maxUtf8(int n) {
        return 3 * n;
    }

    /**
     * s[from, to) as UTF-8 into out (room for {@link #maxUtf8}); the byte count. A lone surrogate becomes U+FFFD, as
     * tiktoken encodes it (a pair split by {@code to} counts as two lone ones; pre-tokens never split a pair).
     */
    static int encodeUtf8(CharSequence s, int from, int to, byte[] out) {
        int p = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[p++] = (byte) c;
            } else if (c < 0x800) {
                out[p++] = (byte) (0xC0 | (c >> 6));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[p++] = (byte) (0xF0 | (cp >> 18));
                out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (Character.isSurrogate(c)) c = '\uFFFD';
                out[p++] = (byte) (0xE0 | (c >> 12));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return p;
    }
}
