package dev.jlm.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step of pre-tokenization (a HuggingFace pre-tokenizer): cuts text[from, to) into consecutive, non-empty pieces
 * that cover it, in order. A later step cuts each piece of the one before.
 */
public interface Splitter {
    /** Receives the pieces text[start, end), in order. */
    interface Pieces {
        void piece(int start, int end);
    }

    void split(CharSequence text, int from, int to, Pieces out);

    /** GPT-2's regex ({@link PreTokenizer#PATTERN}, ByteLevel's {@code use_regex}), by the hand-written {@link PreTokenizer}. */
    Splitter GPT2 = (text, from, to, out) -> {
        for (int p = from; p < to; ) {
            int q = PreTokenizer.next(text, p, to);
            out.piece(p, q);
            p = q;
        }
    };

    /**
     * HF's {@code Split} with behavior Isolated: each match of {@code regex} is a piece, and so is each run of text
     * between matches. The pattern is compiled by java.util.regex with Unicode classes ({@code \s} is White_Space, as in
     * Oniguruma, and {@code (?i)} folds case by Unicode); a piece is matched as a text of its own (a lookahead does not
     * see past its end), as HF does. GPT-2's own pattern gets the hand-written {@link #GPT2}. Without Unicode classes
     * Java's {@code \s} is ASCII, and Llama 3's pattern splits text with Unicode spaces (U+2028, U+202F, …) unlike HF
     * (HfFamiliesTest fails so). {@code \p{L}}, {@code \p{N}} and {@code \p{M}} come from the running JDK's Unicode
     * tables: a character newer than them is classed as HF's tables say only on a JDK that knows it.
     */
    static Splitter regex(String regex) {
        if (regex.equals(PreTokenizer.PATTERN) || regex.equals(PreTokenizer.HF_PATTERN)) return GPT2;
        return regex(regex, true, true);
    }

    /**
     * As {@link #regex(String)}, keeping the matches, the runs between them, or both (HF's behavior Removed drops the
     * matches, or with invert the runs between them; Isolated keeps both).
     */
    static Splitter regex(String regex, boolean keepMatches, boolean keepBetween) {
        Pattern p = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        return (text, from, to, out) -> {
            Matcher m = p.matcher(text).region(from, to);
            int done = from;
            while (m.find()) {
                if (m.end() == m.start()) continue;                      // an empty match cuts nothing
                if (m.start() > done && keepBetween) out.piece(done, m.start());
                if (keepMatches) out.piece(m.start(), m.end());
                done = m.end();
            }
            if (done < to && keepBetween) out.piece(done, to);
        };
    }

    /**
     * HF's {@code Digits}: numeric characters (Unicode Nd, Nl, No, as Rust's {@code char::is_numeric}) apart from the
     * rest; each digit a piece of its own when {@code individual}, else each run of them.
     */
    static Splitter digits(boolean individual) {
        return (text, from, to, out) -> {
            int start = from;
            boolean inDigits = false;
            for (int i = from; i < to; ) {
                int c = Character.codePointAt(text, i);
                boolean digit = isNumeric(c);
                if (i > start && (digit != inDigits || (digit && individual))) {
                    out.piece(start, i);
                    start = i;
                }
                inDigits = digit;
                i += Character.charCount(c);
            }
            if (start < to) out.piece(start, to);
        };
    }

    private static boolean isNumeric(int c) {
        int t = Character.getType(c);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }
}
