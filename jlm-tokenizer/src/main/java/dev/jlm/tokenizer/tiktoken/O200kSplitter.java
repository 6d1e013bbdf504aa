package dev.jlm.tokenizer.tiktoken;

import static dev.jlm.tokenizer.tiktoken.CharClass.LETTER;
import static dev.jlm.tokenizer.tiktoken.CharClass.LOWER;
import static dev.jlm.tokenizer.tiktoken.CharClass.NUM;
import static dev.jlm.tokenizer.tiktoken.CharClass.SPACE;
import static dev.jlm.tokenizer.tiktoken.CharClass.UPPER;

/**
 * o200k_base's pre-tokenizer, by hand: the leftmost-first matches of tiktoken's regex, the alternatives
 * <pre>
 * A [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 * B [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 * C \p{N}{1,3}
 * D  ?[^\s\p{L}\p{N}]+[\r\n/]*
 * E \s*[\r\n]+
 * F \s+(?!\S)
 * G \s+
 * </pre>
 * with the backtracking a regex engine does (A's optional prefix, A's upper run giving back a letter that is
 * also "lower"). SplitterRegexTest holds it to the regex over all of Unicode.
 */
final class O200kSplitter {
    private O200kSplitter() {}

    /** The end of the match starting at {@code start} (< end). */
    static int next(CharSequence s, int start, int end) {
        int c0 = CharClass.at(s, start, end), w0 = CharClass.width(s, start, end);
        boolean prefix = (c0 & (LETTER | NUM)) == 0 && !CharClass.isCrLf(s, start);
        int e = -1;                                     // A with, then without, the prefix; then B likewise
        if (prefix) e = caseWord(s, start + w0, end, true);
        if (e < 0) e = caseWord(s, start, end, true);
        if (e < 0 && prefix) e = caseWord(s, start + w0, end, false);
        if (e < 0) e = caseWord(s, start, end, false);
        if (e >= 0) return e + CharClass.contraction(s, e, end);
        if ((c0 & NUM) != 0) {                                                         // C
            int i = start;
            for (int n = 0; n < 3 && i < end && (CharClass.at(s, i, end) & NUM) != 0; n++) i += CharClass.width(s, i, end);
            return i;
        }
        int j = s.charAt(start) == ' ' && start + 1 < end && (CharClass.at(s, start + 1, end) & (SPACE | LETTER | NUM)) == 0
                ? start + 1 : start;
        if ((CharClass.at(s, j, end) & (SPACE | LETTER | NUM)) == 0) {                // D
            int i = CharClass.runNot(s, j, end, SPACE | LETTER | NUM);
            while (i < end && (CharClass.isCrLf(s, i) || s.charAt(i) == '/')) i++;
            return i;
        }
        int ws = CharClass.run(s, start, end, SPACE);                                  // c0 is \s here
        for (int i = ws - 1; i >= start; i--) if (CharClass.isCrLf(s, i)) return i + 1;  // E
        if (ws == end) return ws;                                                      // F at the end
        int last = ws - CharClass.widthBefore(s, ws);
        return last > start ? last : ws;                                               // F, else G
    }

    /** A (lowerTail) or B from i1, without the prefix and the contraction: the end of the word, or -1. */
    private static int caseWord(CharSequence s, int i1, int end, boolean lowerTail) {
        int u = CharClass.run(s, i1, end, UPPER);
        if (!lowerTail) return u > i1 ? CharClass.run(s, u, end, LOWER) : -1;
        if (u < end && (CharClass.at(s, u, end) & LOWER) != 0) return CharClass.run(s, u, end, LOWER);
        for (int k = u; k > i1; ) {                      // the upper run gives back its last "lower" code point
            k -= CharClass.widthBefore(s, k);
            if ((CharClass.at(s, k, end) & LOWER) != 0) return k + CharClass.width(s, k, end);
        }
        return -1;
    }
}
