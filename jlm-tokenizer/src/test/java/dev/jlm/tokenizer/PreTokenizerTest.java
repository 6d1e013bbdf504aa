package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Oracle: java.util.regex running GPT-2's pattern with Unicode classes (\s = White_Space). */
class PreTokenizerTest {
    /** GPT-2's pre-tokenization pattern as the CS336 handout gives it (tiktoken's PAT), pinned here, not read from the code under test. */
    static final Pattern GPT2 = Pattern.compile("'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    static List<String> regex(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = GPT2.matcher(s);
        while (m.find()) out.add(m.group());
        return out;
    }

    static List<String> scanner(String s) {
        List<String> out = new ArrayList<>();
        for (int p = 0; p < s.length(); ) {
            int q = PreTokenizer.next(s, p, s.length());
            out.add(s.substring(p, q));
            p = q;
        }
        return out;
    }

    @Test
    void randomTextSplitsLikeTheRegex() {
        Random rnd = new Random(42);
        String alphabet = "aZé日😀1٣²'sldvtmre \t\n\r\u00a0\u2003\u3000\u0085.,!?-_\"'\u0301\u200d";
        int[] cps = alphabet.codePoints().toArray();
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(24);
            for (int i = 0; i < n; i++) sb.appendCodePoint(cps[rnd.nextInt(cps.length)]);
            String s = sb.toString();
            assertEquals(regex(s), scanner(s), () -> "text: " + s.codePoints().mapToObj(c -> String.format("U+%04X", c)).toList());
        }
    }

    @Test
    void everyCodePointBelowU30000ClassifiesLikeTheRegex() {
        for (int c = 0; c < 0x30000; c++) {
            if (!Character.isValidCodePoint(c) || (c >= 0xD800 && c <= 0xDFFF)) continue;
            String s = "a" + Character.toString(c) + " b" + Character.toString(c) + Character.toString(c) + "\n";
            assertEquals(regex(s), scanner(s), String.format("U+%04X", c));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"corpus.en", "tinystories_sample.txt", "german.txt", "address.txt"})
    void realTextSplitsLikeTheRegex(String name) throws Exception {
        String text = Files.readString(Fixtures.path(name), StandardCharsets.UTF_8);
        assertEquals(regex(text), scanner(text));
    }
}
