package dev.jlm.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tokenizer's file reads with one-line errors (this module's own; jlm's io package says the same for its files):
 * what a path is when it is not a readable file, and strict JSON — a key given twice is refused, since JSON lets the
 * last one win silently.
 */
final class Reading {
    private static final ObjectMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) ['\"](.*)['\"]");

    private Reading() {}

    /** Null when {@code file} is a readable regular file, else what it is instead ({@code what} names its role). */
    static String problem(Path file, String what) {
        if (Files.isRegularFile(file)) return Files.isReadable(file) ? null : what + " not readable (permission denied)";
        if (Files.isDirectory(file)) return "is a folder, not a " + what;
        return Files.exists(file) ? "is a special file (pipe, device or socket), not a " + what : "no such " + what;
    }

    /** The JSON document in {@code file}, read strictly; any failure is one TokenizerException naming the file and line. */
    static JsonNode json(Path file, String role) throws IOException {
        String problem = problem(file, role + " file");
        if (problem != null) throw new TokenizerException(file + (problem.startsWith("is ") ? " " : ": ") + problem);
        String text;
        try {
            text = Files.readString(file);
        } catch (MalformedInputException e) {
            throw new TokenizerException(file + ": not UTF-8 text (a " + role + " file is JSON)");
        }
        if (text.startsWith("\uFEFF")) throw new TokenizerException(file + ": starts with a byte-order mark (U+FEFF); JSON is UTF-8 without one");
        JsonNode n;
        try {
            n = STRICT.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new TokenizerException(file + ": JSON over the reader's limits (" + firstSentence(e.getOriginalMessage()) + ")");
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            Matcher dup = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
            String what = dup.find() ? dup.group(1) + " is given twice (say it once: JSON's last would win)"
                    : "malformed JSON (" + firstSentence(e.getOriginalMessage()) + ")";
            throw new TokenizerException(file + (at == null || at.getLineNr() < 0 ? "" : ":" + at.getLineNr()) + ": " + what);
        }
        if (n == null || n.isMissingNode()) throw new TokenizerException(file + ": empty, expected JSON");
        return n;
    }

    /** The JSON parser's first sentence, without its advice to a Java programmer ("enable `JsonReadFeature.…` to allow"). */
    static String firstSentence(String m) {
        if (m == null) return "unreadable";
        String one = m.replace('\n', ' ').strip().replaceAll(":? *\\(?(?:enable|disable) `[^`]*` to allow\\)?", "");
        one = one.replaceAll(" *\\(not recognized as one since Feature '[^']*' not enabled for parser\\)", "");
        int cut = one.indexOf(". ");
        String first = cut > 0 ? one.substring(0, cut) : one;
        return first.length() <= 160 ? first : first.substring(0, 160) + "…";
    }
}
