package dev.jlm.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.JlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * JSON read by jlm (configs, grids, tokenizers, metrics): any failure — no such file, a folder, malformed text, a
 * document over the parser's limits (nesting depth, string length) — is one {@link JlmException} naming the source.
 */
public final class JsonFiles {
    /** A key given twice is refused: JSON allows it (the last wins), and jlm reads a file as written or not at all. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final java.util.regex.Pattern DUPLICATE = java.util.regex.Pattern.compile("Duplicate (?:field|Object property) ['\"](.*)['\"]");

    private JsonFiles() {}

    /** The JSON document in {@code file}; {@code role} says what the file is for ("--config", "grid"), in messages. */
    public static JsonNode read(Path file, String role) throws IOException {
        if (Files.isDirectory(file)) throw new JlmException(file + ": is a folder, not a " + role + " file");
        if (!Files.exists(file)) throw new JlmException(file + ": no such " + role + " file");
        if (!Files.isRegularFile(file)) throw new JlmException(file + ": not a regular file (a " + role + " file is a JSON file)");
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new JlmException(file + ": no such " + role + " file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new JlmException(file + ": not UTF-8 text (a " + role + " file is JSON)");
        }
    }

    /** The JSON document in {@code text}, read from {@code source}; an empty text is an error too. */
    public static JsonNode parse(String text, String source) {
        if (text.startsWith("\uFEFF")) throw new JlmException(source + ": starts with a byte-order mark (U+FEFF); JSON is UTF-8 without one");
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || n.isMissingNode()) throw new JlmException(source + ": empty, expected JSON");
            return n;
        } catch (StreamConstraintsException e) {
            throw new JlmException(source + ": JSON over the reader's limits (" + firstSentence(e.getOriginalMessage()) + ")");
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            boolean lines = text.indexOf('\n') >= 0;              // a one-line text's source already says where it is
            var dup = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
            if (dup.find()) throw new JlmException(source + (at == null || at.getLineNr() < 0 || !lines ? "" : ":" + at.getLineNr()) + ": "
                    + dup.group(1) + " is given twice (say it once: JSON's last would win)");
            throw new JlmException(source + (at == null || at.getLineNr() < 0 || !lines ? "" : ":" + at.getLineNr()) + ": malformed JSON ("
                    + firstSentence(e.getOriginalMessage()) + ")");
        }
    }

    /**
     * The parser's first sentence, without its advice to a Java programmer (": enable `JsonReadFeature.…` to allow",
     * "Feature 'ALLOW_COMMENTS' not enabled for parser"): what is wrong with the text, not how to change jlm's reader.
     */
    public static String firstSentence(String m) {
        if (m == null) return "unreadable";
        String one = m.replace('\n', ' ').strip()
                .replaceAll(":? *\\(?(?:enable|disable) `[^`]*` to allow\\)?", "")
                .replaceAll(" *\\(not recognized as one since Feature '[^']*' not enabled for parser\\)", "");
        int cut = one.indexOf(". ");
        one = cut > 0 ? one.substring(0, cut) : one;
        return one.length() > 160 ? one.substring(0, 160) + "…" : one;
    }
}
