package dev.jlm.tokenizer.tiktoken;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Text that tests a pre-tokenizer's corners: Unicode classes, case changes, contractions, digits, runs, bad UTF-16. */
final class HostileText {
    private HostileText() {}

    /** Hand-picked corners, then seeded random strings drawn from a pool of tricky code points and from all of Unicode. */
    static List<String> samples(int random, long seed) {
        List<String> t = new ArrayList<>(List.of(
                "a\u00A0b", "  \u00A0 x", "x\u00A0\u00A0 y", "\u00A0", "日本\u3000語 \u3000\u3000x", "\u3000",
                "e\u0301 cafe\u0301s", "\u0301\u0301abc", "A\u0308x \u0308X", "ab\u0301C\u0301d", " \u0301", ".\u0301a",
                "CamelCaseWordsHTTPServer", "iPhoneXSMax getHTTPResponseCode", "\u01C5ungla \u01C5A \u01C5", "ΣΊΣΥΦΟΣ σίσυφος",
                "a/b/c", "path//to///x", "1/2 /3", "!/\n/", "x.?/\r\n/y", " ./", "http://a.b/c?d=e&f",
                "1234567890", "x12345y", "\u0661\u0662\u0663\u0664\u0665", "\u216B\u216C 12\u00BD", "3.14159 -2e10",
                "I'M WE'LL it'S don't ca'Nt you'Re X'VE 'd 'll 'S", "don'\u017F \u017F's", "O'Neil's", "''s",
                "a\uD800b", "\uDC00", "x\uD83D", "\uD83D\uDC4D\uD83C\uDFFD \uD83C\uDDFA\uD83C\uDDF8", "\uDBFF\uDFFF\uD800\uDC00",
                "a\r\n\r\n b", "  \n  \n", " \t\n x", "x   ", "  ", "\n", "\r", "\t\tx", "x \n\n\n ", " \r\n",
                "<|endoftext|>", "hello<|endoftext|>world <|fim_prefix|>x<|endofprompt|>", "<|start|>user<|message|>hi<|end|>",
                "<|reserved_200500|><|endoftext", "\u0000\u0001\u007F\u0085\u2028\u2029\u200B\uFEFF\uFFFD",
                "ǅǈǋǲ ᾈᾉ", "ʰʲʷ ˆˇ", "中文字符 かなカナ 한국어", "\u0E01\u0E34\u0E19 \u0915\u094D\u0937", "\uD835\uDC00\uD835\uDC1A"));
        Random r = new Random(seed);
        int[] pool = {'a', 'Z', 'q', 'Q', ' ', ' ', '\n', '\r', '\t', '\'', 's', 'S', 't', 'l', 'L', 'v', 'e', 'r', 'd', 'm',
                '0', '7', '.', '/', '-', '!', '\u00A0', '\u3000', '\u0301', '\u0308', '\u01C5', '\u02B0', '\u4E2D', '\u0661', '\u216B',
                '\u00BD', '\u2028', '\u0085', '\u017F', 0x1F44D, 0x1D400, '\uD800', '\uDC00', '\u00E9', '\u00C9', '\u0E34', '\u094D'};
        for (int k = 0; k < random; k++) {
            StringBuilder b = new StringBuilder();
            int len = 1 + r.nextInt(40);
            boolean wide = k % 3 == 0;
            for (int i = 0; i < len; i++) b.appendCodePoint(wide && r.nextInt(3) == 0 ? r.nextInt(0x110000) : pool[r.nextInt(pool.length)]);
            t.add(b.toString());
        }
        return t;
    }

    /** 1 MB runs of one character each (letters, spaces, digits, newlines, a CJK letter, a mark). */
    static List<String> longRuns() {
        List<String> t = new ArrayList<>();
        for (String c : List.of("a", "A", " ", "1", "\n", "\u4E2D", "\u0301", ".", "aB")) t.add(c.repeat((1 << 20) / c.length()));
        return t;
    }
}
