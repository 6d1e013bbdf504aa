package dev.jlm.tokenizer;

/**
 * GPT-2's pre-tokenization, hand-written: the same pre-tokens as the regular expression
 * <pre>'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</pre>
 * (with Unicode \s = White_Space), without a regex engine on the hot path. Works on code points;
 * {@link #next} returns the end (exclusive, in chars) of the pre-token starting at {@code start}.
 * PreTokenizerTest checks equivalence with java.util.regex on random and real text.
 */
public final class PreTokenizer {
    private PreTokenizer() {}

    public static final String PATTERN = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** The same pattern as GPT-2's encoder.py and HF's ByteLevel spell it (the contractions as seven alternatives). */
    public static final String HF_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final int LETTER = 1, NUMBER = 2, SPACE = 3, OTHER = 4;

    /** Unicode White_Space (what \s means in Python's regex module and with UNICODE_CHARACTER_CLASS). */
    static boolean isWhiteSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
                || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    static int kind(int c) {
        if (c < 0x80) { // ASCII fast path
            if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return LETTER;
            if (c >= '0' && c <= '9') return NUMBER;
            if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return SPACE;
            return OTHER;
        }
        if (isWhiteSpace(c)) return SPACE;
        switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> {
                return LETTER;
            }
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> {
                return NUMBER;
            }
            default -> {
                return OTHER;
            }
        }
    }

    /** End of the run of {@code kind} starting at i (code points), in chars. */
    private static int run(CharSequence s, int i, int end, int kind) {
        while (i < end) {
            int c = Character.codePointAt(s, i);
            if (kind(c) != kind) break;
            i += Character.charCount(c);
        }
        return i;
    }

    /** The end of the pre-token that starts at {@code start} (< end) in s[.., end). */
    public static int next(CharSequence s, int start, int end) {
        char c0 = s.charAt(start);
        // 1) contractions: 's 'd 'm 't 'll 've 're (lowercase, as in GPT-2)
        if (c0 == '\'' && start + 1 < end) {
            char c1 = s.charAt(start + 1);
            if (c1 == 's' || c1 == 'd' || c1 == 'm' || c1 == 't') return start + 2;
            if (start + 2 < end) {
                char c2 = s.charAt(start + 2);
                if ((c1 == 'l' && c2 == 'l') || (c1 == 'v' && c2 == 'e') || (c1 == 'r' && c2 == 'e')) return start + 3;
            }
        }
        // 2) ' ?' followed by a run of letters, of numbers, or of other symbols
        int j = start;
        if (c0 == ' ' && start + 1 < end) j = start + 1;
        int cp = Character.codePointAt(s, j);
        int k = kind(cp);
        if (k != SPACE) return run(s, j, end, k);
        // 3) whitespace: \s+(?!\S) leaves the last space for the next token when a non-space follows; else \s+
        int wsEnd = run(s, start, end, SPACE);
        if (wsEnd == end) return wsEnd;
        int last = wsEnd - Character.charCount(Character.codePointBefore(s, wsEnd));
        return last > start ? last : wsEnd;
    }

    /** What {@link #split} finds: pre-tokens text[start, end), and special tokens by their SpecialTokens index. */
    interface Visitor {
        void preToken(int start, int end);

        void special(int index);
    }

    /**
     * text[from, to) as the encoder and the trainer both see it: split at special tokens (longest first), each piece
     * between them pre-tokenized; special tokens themselves are never pre-tokenized or merged.
     */
    static void split(CharSequence text, int from, int to, SpecialTokens specials, Visitor v) {
        int i = from;
        while (i < to) {
            int segEnd = specials.nextStart(text, i, to);
            for (int p = i; p < segEnd; ) {
                int q = next(text, p, segEnd);
                v.preToken(p, q);
                p = q;
            }
            if (segEnd == to) return;
            int s = specials.matchAt(text, segEnd, to);
            v.special(s);
            i = segEnd + specials.get(s).length();
        }
    }
}
