package dev.jlm.tokenizer.tiktoken;

/**
 * The Unicode classes tiktoken's regexes test, as bits of one code point: \p{L} (and its parts), \p{N}, \p{M} and \s
 * (Unicode White_Space, as in Rust's regex crate). ASCII is a table; the rest asks {@link Character#getType}.
 */
final class CharClass {
    private CharClass() {}

    static final int LU = 1, LL = 2, LT = 4, LM = 8, LO = 16, MARK = 32, NUM = 64, SPACE = 128;
    static final int LETTER = LU | LL | LT | LM | LO;
    /** o200k's "upper" class [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and "lower" class [\p{Ll}\p{Lm}\p{Lo}\p{M}]. */
    static final int UPPER = LU | LT | LM | LO | MARK, LOWER = LL | LM | LO | MARK;

    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) ASCII[c] = (byte) slow(c);
    }

    /** The class bits of code point c. */
    static int of(int c) {
        return c < 128 ? ASCII[c] & 0xFF : slow(c);
    }

    private static int slow(int c) {
        if (isWhiteSpace(c)) return SPACE;
        switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER: return LU;
            case Character.LOWERCASE_LETTER: return LL;
            case Character.TITLECASE_LETTER: return LT;
            case Character.MODIFIER_LETTER: return LM;
            case Character.OTHER_LETTER: return LO;
            case Character.NON_SPACING_MARK: case Character.ENCLOSING_MARK: case Character.COMBINING_SPACING_MARK: return MARK;
            case Character.DECIMAL_DIGIT_NUMBER: case Character.LETTER_NUMBER: case Character.OTHER_NUMBER: return NUM;
            default: return 0;
        }
    }

    /** Unicode White_Space. */
    static boolean isWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** The end (in chars) of the run of code points from i whose class has a bit of {@code mask}. */
    static int run(CharSequence s, int i, int end, int mask) {
        while (i < end) {
            char ch = s.charAt(i);
            if (ch < 128) {
                if ((ASCII[ch] & mask) == 0) break;
                i++;
            } else {
                int c = codePoint(s, i, end);
                if ((of(c) & mask) == 0) break;
                i += Character.charCount(c);
            }
        }
        return i;
    }

    /** The end (in chars) of the run of code points from i whose class has no bit of {@code mask}. */
    static int runNot(CharSequence s, int i, int end, int mask) {
        while (i < end) {
            char ch = s.charAt(i);
            if (ch < 128) {
                if ((ASCII[ch] & mask) != 0) break;
                i++;
            } else {
                int c = codePoint(s, i, end);
                if ((of(c) & mask) != 0) break;
                i += Character.charCount(c);
            }
        }
        return i;
    }

    /** The class of the code point at i (< end). */
    static int at(CharSequence s, int i, int end) {
        char ch = s.charAt(i);
        return ch < 128 ? ASCII[ch] & 0xFF : of(codePoint(s, i, end));
    }

    /** The code point at i, a surrogate pair only when both halves lie before end. */
    static int codePoint(CharSequence s, int i, int end) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1))) return Character.toCodePoint(c, s.charAt(i + 1));
        return c;
    }

    /** The chars of the code point at i. */
    static int width(CharSequence s, int i, int end) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < end && Character.isLowSurrogate(s.charAt(i + 1)) ? 2 : 1;
    }

    /** Is the code point at i \r or \n. */
    static boolean isCrLf(CharSequence s, int i) {
        char c = s.charAt(i);
        return c == '\r' || c == '\n';
    }

    /**
     * The length of a contraction at i matched case-insensitively as tiktoken's {@code (?i:...)} does (s also matches
     * U+017F LONG S, as in Unicode simple case folding): 's 't 'm 'd (2 chars), 'll 've 're (3), else 0.
     */
    static int contraction(CharSequence s, int i, int end) {
        if (i + 1 >= end || s.charAt(i) != '\'') return 0;
        char a = s.charAt(i + 1);
        char la = Character.toLowerCase(a);
        if (la == 's' || la == 't' || la == 'm' || la == 'd' || a == '\u017F') return 2;
        if (i + 2 >= end) return 0;
        char lb = Character.toLowerCase(s.charAt(i + 2));
        if ((la == 'l' && lb == 'l') || (la == 'v' && lb == 'e') || (la == 'r' && lb == 'e')) return 3;
        return 0;
    }

    /** The chars of the code point that ends at i. */
    static int widthBefore(CharSequence s, int i) {
        return Character.isLowSurrogate(s.charAt(i - 1)) && i >= 2 && Character.isHighSurrogate(s.charAt(i - 2)) ? 2 : 1;
    }
}
