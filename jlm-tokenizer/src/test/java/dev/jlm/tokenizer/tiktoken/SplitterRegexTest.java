package dev.jlm.tokenizer.tiktoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-written pre-tokenizers against their regexes, run by java.util.regex: tiktoken's patterns as literals (from
 * tiktoken 0.14's openai_public.py), with one change, {@code $} → {@code \z} (Java's {@code $} also matches before a
 * final line terminator; Rust's only at the end), and UNICODE_CHARACTER_CLASS so that \s is Unicode White_Space and
 * (?i) folds as Unicode does (ſ matches s), as in Rust's regex crate. TiktokenParityTest checks that tiktoken agrees.
 */
class SplitterRegexTest {
    static final String CL100K = "'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| ?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+"
            + "|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s";
    static final String O200K = String.join("|",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}", " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*", "\\s*[\\r\\n]+", "\\s+(?!\\S)", "\\s+");
    static final String R50K = "'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s";

    static Pattern java(String tiktokenPattern) {
        return Pattern.compile(tiktokenPattern.replace("$", "\\z"), Pattern.UNICODE_CHARACTER_CLASS);
    }

    static Splitter splitter(String name) {
        return switch (name) {
            case "cl100k" -> Splitter.CL100K;
            case "o200k" -> Splitter.O200K;
            default -> Splitter.GPT2;
        };
    }

    static Pattern pattern(String name) {
        return java(switch (name) {
            case "cl100k" -> CL100K;
            case "o200k" -> O200K;
            default -> R50K;
        });
    }

    @Test
    void classesAreTheRegexClassesForEveryCodePoint() {
        Pattern[] p = {Pattern.compile("\\p{Lu}"), Pattern.compile("\\p{Ll}"), Pattern.compile("\\p{Lt}"), Pattern.compile("\\p{Lm}"),
                Pattern.compile("\\p{Lo}"), Pattern.compile("\\p{M}"), Pattern.compile("\\p{N}"),
                Pattern.compile("\\s", Pattern.UNICODE_CHARACTER_CLASS)};
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            if (Character.isSurrogate((char) c) && c <= 0xFFFF) continue;
            String s = Character.toString(c);
            int want = 0;
            for (int k = 0; k < p.length; k++) if (p[k].matcher(s).matches()) want |= 1 << k;
            if (want != CharClass.of(c)) fail(String.format("U+%04X: regex classes %s, CharClass %s", c, Integer.toBinaryString(want),
                    Integer.toBinaryString(CharClass.of(c))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k", "cl100k", "o200k"})
    void everyCodePointInContextSplitsAsTheRegex(String name) {
        Splitter sp = splitter(name);
        Pattern re = pattern(name);
        String[] around = {"", "a", "A", " ", "'s", "1", "\n", "/", "\u0301", "\u00A0", "x'LL"};
        StringBuilder b = new StringBuilder();
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            if (c >= 0xD800 && c <= 0xDFFF) continue;
            String s = Character.toString(c);
            for (int k = 0; k < around.length; k++) b.append(around[k]).append(s).append(around[(k * 7 + 3) % around.length]).append(s);
            if (b.length() > 20_000 || c == Character.MAX_CODE_POINT) {
                same(name, sp, re, b.toString());
                b.setLength(0);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k", "cl100k", "o200k"})
    void randomTrickyTextSplitsAsTheRegex(String name) {
        Splitter sp = splitter(name);
        Pattern re = pattern(name);
        for (String t : HostileText.samples(30_000, 7)) same(name, sp, re, withoutLoneSurrogates(t).toString());
    }

    /**
     * Encoding skips the U+FFFD fix-up before splitting: a lone surrogate must split as the U+FFFD that replaces it
     * (both are "other" to every class the regexes test), so the splitter's boundaries on the raw text are the regex's
     * on the fixed-up text.
     */
    @ParameterizedTest
    @ValueSource(strings = {"r50k", "cl100k", "o200k"})
    void loneSurrogatesSplitAsReplacementCharacters(String name) {
        Splitter sp = splitter(name);
        Pattern re = pattern(name);
        int withLone = 0;
        for (String t : HostileText.samples(30_000, 11)) {
            String fixed = withoutLoneSurrogates(t).toString();
            if (fixed.equals(t)) continue;
            withLone++;
            same(name, sp, re, fixed);
            int p = 0;
            for (int q; p < t.length(); p = q) {
                q = sp.next(t, p, t.length());
                assertEquals(sp.next(fixed, p, fixed.length()), q, name + ": at char " + p + " of " + escape(t));
            }
        }
        for (String lone : List.of("\uD800", "\uDFFF", "\uDBFF\uDBFF", "\uDC00\uD800")) {
            for (String ctx : List.of("a", " ", "1", "'", "\n", "A", "\u00E9", "\u3000")) {
                String raw = ctx + lone + ctx + lone + ctx, rep = raw.replaceAll("[\uD800-\uDFFF]", "\uFFFD");
                for (int a = 0, q; a < raw.length(); a = q) {
                    q = sp.next(raw, a, raw.length());
                    assertEquals(sp.next(rep, a, rep.length()), q, name + ": " + escape(raw));
                }
            }
        }
        assertTrue(withLone > 100, "the hostile samples hold lone surrogates: " + withLone);
    }

    /** The text with each lone surrogate replaced by U+FFFD (tiktoken's fix-up; the text itself when it has none). */
    static CharSequence withoutLoneSurrogates(CharSequence s) {
        int n = s.length();
        int i = 0;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) i++;
                else break;
            }
        }
        if (i == n) return s;
        StringBuilder b = new StringBuilder(n).append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return b;
    }

    static void same(String name, Splitter sp, Pattern re, String s) {
        List<Integer> want = new ArrayList<>();
        Matcher m = re.matcher(s);
        int at = 0;
        while (m.find()) {
            assertEquals(at, m.start(), name + ": the regex skipped text (not a tiling)");
            want.add(m.end());
            at = m.end();
        }
        int p = 0;
        for (int i = 0; i < want.size(); i++) {
            int q = sp.next(s, p, s.length());
            if (q != want.get(i)) {
                fail(name + ": at char " + p + " the regex ends at " + want.get(i) + ", the splitter at " + q + ": "
                        + escape(s.substring(Math.max(0, p - 10), Math.min(s.length(), Math.max(q, want.get(i)) + 10))));
            }
            p = q;
        }
        assertEquals(s.length(), p, name + ": the splitter did not reach the end");
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> b.append(c >= 32 && c < 127 ? Character.toString(c) : String.format("\\u{%x}", c)));
        return b.append('"').toString();
    }
}
