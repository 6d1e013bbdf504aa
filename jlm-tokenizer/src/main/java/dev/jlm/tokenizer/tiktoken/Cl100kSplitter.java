package dev.jlm.tokenizer.tiktoken;

import static dev.jlm.tokenizer.tiktoken.CharClass.LETTER;
import static dev.jlm.tokenizer.tiktoken.CharClass.NUM;
import static dev.jlm.tokenizer.tiktoken.CharClass.SPACE;

/**
 * cl100k_base's pre-tokenizer, by hand: the matches of tiktoken's regex
 * <pre>'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s</pre>
 * tried in that order at each position. SplitterRegexTest holds it to the regex over all of Unicode.
 */
final class Cl100kSplitter {
    private Cl100kSplitter() {}

    /** The end of the match starting at {@code start} (< end). */
    static int next(CharSequence s, int start, int end) {
        int k = CharClass.contraction(s, start, end);
        if (k > 0) return start + k;
        int c0 = CharClass.at(s, start, end), w0 = CharClass.width(s, start, end);
        // [^\r\n\p{L}\p{N}]?+\p{L}++
        if ((c0 & LETTER) != 0) return CharClass.run(s, start, end, LETTER);
        boolean prefix = (c0 & NUM) == 0 && !CharClass.isCrLf(s, start);
        if (prefix && start + w0 < end && (CharClass.at(s, start + w0, end) & LETTER) != 0) return CharClass.run(s, start + w0, end, LETTER);
        // \p{N}{1,3}+
        if ((c0 & NUM) != 0) {
            int i = start;
            for (int n = 0; n < 3 && i < end && (CharClass.at(s, i, end) & NUM) != 0; n++) i += CharClass.width(s, i, end);
            return i;
        }
        // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
        int j = s.charAt(start) == ' ' && start + 1 < end ? start + 1 : start;
        if ((CharClass.at(s, j, end) & (SPACE | LETTER | NUM)) == 0) {
            int i = CharClass.runNot(s, j, end, SPACE | LETTER | NUM);
            while (i < end && CharClass.isCrLf(s, i)) i++;
            return i;
        }
        // the rest start with whitespace (c0 is \s here)
        int ws = CharClass.run(s, start, end, SPACE);
        if (ws == end) return ws;                                         // \s++$
        for (int i = ws - 1; i >= start; i--) if (CharClass.isCrLf(s, i)) return i + 1; // \s*[\r\n]
        int last = ws - CharClass.widthBefore(s, ws);                     // \s+(?!\S)
        return last > start ? last : start + w0;                          // \s
    }
}
