package dev.jlm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The components of a tokenizer.json around its model, read into a {@link Pipeline} or checked and read past; what
 * jlm does not implement is refused by its type name ({@code normalizer Lowercase is not supported …}).
 */
final class HfComponents {
    private HfComponents() {}

    /** True for NFC (alone or in a Sequence), false for none. */
    static boolean normalizer(Path file, JsonNode n) {
        if (absent(n)) return false;
        String type = n.path("type").asText("?");
        if (type.equals("NFC")) return true;
        if (type.equals("Sequence")) {
            boolean nfc = false;
            for (JsonNode step : n.path("normalizers")) nfc |= normalizer(file, step);
            return nfc;
        }
        throw TokenizerJson.unsupported(file, "normalizer " + type);
    }

    /** The pre-tokenizer's splitting steps in order; a ByteLevel (bytes as GPT-2's characters) must be among them. */
    static List<Splitter> preTokenizer(Path file, JsonNode n) {
        if (absent(n)) throw TokenizerJson.unsupported(file, "a missing pre_tokenizer (byte-level BPE has a ByteLevel one)");
        List<Splitter> steps = new ArrayList<>();
        if (!preTokenizer(file, n, steps)) throw TokenizerJson.unsupported(file, "a pre_tokenizer without ByteLevel");
        return steps;
    }

    /** Adds n's steps; true if a ByteLevel was among them. */
    private static boolean preTokenizer(Path file, JsonNode n, List<Splitter> steps) {
        String type = n.path("type").asText("?");
        switch (type) {
            case "Sequence": {
                boolean byteLevel = false;
                for (JsonNode step : n.path("pretokenizers")) byteLevel |= preTokenizer(file, step, steps);
                return byteLevel;
            }
            case "ByteLevel":
                if (n.path("add_prefix_space").asBoolean(false)) throw TokenizerJson.unsupported(file, "pre_tokenizer ByteLevel with add_prefix_space true");
                if (n.path("use_regex").asBoolean(true)) steps.add(Splitter.GPT2);
                return true;
            case "Split":
                steps.add(split(file, n));
                return false;
            case "Digits":
                steps.add(Splitter.digits(n.path("individual_digits").asBoolean(false)));
                return false;
            default:
                throw TokenizerJson.unsupported(file, "pre_tokenizer " + type);
        }
    }

    /** HF's Split: Isolated keeps matches and the text between (invert or not); Removed drops one of them. */
    private static Splitter split(Path file, JsonNode n) {
        String behavior = n.path("behavior").asText("?");
        boolean invert = n.path("invert").asBoolean(false);
        if (!behavior.equals("Isolated") && !behavior.equals("Removed")) {
            throw TokenizerJson.unsupported(file, "pre_tokenizer Split with behavior " + behavior);
        }
        boolean keepMatches = behavior.equals("Isolated") || invert, keepBetween = behavior.equals("Isolated") || !invert;
        JsonNode pattern = n.path("pattern");
        String regex = pattern.path("String").isTextual() ? Pattern.quote(pattern.get("String").asText()) : pattern.path("Regex").asText(null);
        if (regex == null) throw new TokenizerException(file + ": pre_tokenizer Split has no pattern (Regex or String): " + pattern);
        try {
            return keepMatches && keepBetween ? Splitter.regex(regex) : Splitter.regex(regex, keepMatches, keepBetween);
        } catch (PatternSyntaxException e) {
            throw new TokenizerException(file + ": pre_tokenizer Split: the regex does not compile in Java (" + e.getDescription() + " at "
                    + e.getIndex() + "): " + regex);
        }
    }

    /** A post-processor only adds tokens when asked to (add_special_tokens); jlm never asks. Known kinds are read past. */
    static void postProcessor(Path file, JsonNode n) {
        if (absent(n)) return;
        String type = n.path("type").asText("?");
        switch (type) {
            case "ByteLevel", "TemplateProcessing" -> { }
            case "Sequence" -> {
                for (JsonNode step : n.path("processors")) postProcessor(file, step);
            }
            default -> throw TokenizerJson.unsupported(file, "post_processor " + type);
        }
    }

    /** Decoding is the tokens' bytes joined: a ByteLevel decoder (or none). */
    static void decoder(Path file, JsonNode n) {
        if (absent(n)) return;
        String type = n.path("type").asText("?");
        if (type.equals("Sequence")) {
            for (JsonNode step : n.path("decoders")) decoder(file, step);
        } else if (!type.equals("ByteLevel")) {
            throw TokenizerJson.unsupported(file, "decoder " + type);
        }
    }

    private static boolean absent(JsonNode n) {
        return n.isMissingNode() || n.isNull();
    }
}
