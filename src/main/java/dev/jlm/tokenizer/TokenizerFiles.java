package dev.jlm.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.JlmException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.jlm.io.AtomicFile;

/**
 * The GPT-2 file format of a tokenizer folder: {@code vocab.json} maps token string (bytes through
 * {@link ByteUnicode}) to id; {@code merges.txt} has one merge per line, "left right", in merge order (a first
 * line starting with "#version" is skipped). Special tokens are stored as their own text, and listed one per line
 * in {@code special_tokens.txt} (jlm's addition, optional when reading). Writes are atomic.
 */
public final class TokenizerFiles {
    public static final String VOCAB = "vocab.json", MERGES = "merges.txt", SPECIALS = "special_tokens.txt";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFiles() {}

    /** Writes DIR/vocab.json, merges.txt, special_tokens.txt and the same tokenizer as DIR/tokenizer.json. */
    public static void write(BpeModel m, Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) throw new JlmException(dir + ": parent folder does not exist");
            Files.createDirectories(dir);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < m.vocab().length; id++) vocab.put(tokenString(m, id), id);
        AtomicFile.write(dir.resolve(VOCAB), out -> {
            try (Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                JSON.writerWithDefaultPrettyPrinter().writeValue(w, vocab);
            }
        });
        AtomicFile.write(dir.resolve(SPECIALS), out -> {
            for (String sp : m.specials()) out.write((sp + "\n").getBytes(StandardCharsets.UTF_8));
        });
        AtomicFile.write(dir.resolve(MERGES), out -> {
            try (Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                for (int[] mg : m.merges()) {
                    w.write(ByteUnicode.encode(m.vocab()[mg[0]]));
                    w.write(' ');
                    w.write(ByteUnicode.encode(m.vocab()[mg[1]]));
                    w.write('\n');
                }
            }
        });
        TokenizerJson.write(m, dir.resolve(TokenizerJson.FILE));
    }

    static String tokenString(BpeModel m, int id) {
        byte[] b = m.vocab()[id];
        String s = new String(b, StandardCharsets.UTF_8);
        return m.specials().contains(s) ? s : ByteUnicode.encode(b);
    }

    /**
     * Reads a tokenizer: a folder with vocab.json + merges.txt (GPT-2's files; special_tokens.txt optional), a
     * folder with only a tokenizer.json, or a HuggingFace tokenizer.json file. {@code specials} are added to the
     * file's own; special tokens missing from the vocab are appended (as the CS336 tests expect).
     */
    public static BpeModel read(Path path, List<String> specials) throws IOException {
        if (Files.isRegularFile(path)) return TokenizerJson.read(path, specials);
        if (!Files.isDirectory(path)) throw new JlmException(path + ": tokenizer not found (expected a folder with vocab.json and merges.txt, or a tokenizer.json)");
        Path vocabFile = path.resolve(VOCAB), mergesFile = path.resolve(MERGES);
        if (!Files.exists(vocabFile) && !Files.exists(mergesFile) && Files.isRegularFile(path.resolve(TokenizerJson.FILE))) {
            return TokenizerJson.read(path.resolve(TokenizerJson.FILE), specials);
        }
        for (Path p : List.of(vocabFile, mergesFile)) if (!Files.isRegularFile(p)) throw new JlmException(p + ": not found");

        if (Files.isRegularFile(path.resolve(SPECIALS))) {
            List<String> merged = new ArrayList<>();
            for (String line : Files.readAllLines(path.resolve(SPECIALS), StandardCharsets.UTF_8)) if (!line.isEmpty()) merged.add(line);
            for (String sp : specials) if (!merged.contains(sp)) merged.add(sp);
            specials = merged;
        }
        Map<String, Integer> vocab = new HashMap<>();
        try (JsonParser p = JSON.createParser(vocabFile.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new JlmException(vocabFile + ": not a JSON object of token → id");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String tok = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw new JlmException(vocabFile + ":" + p.currentLocation().getLineNr() + ": id of \"" + tok + "\" is not an integer");
                }
                vocab.put(tok, p.getIntValue());
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new JlmException(vocabFile + ":" + e.getLocation().getLineNr() + ": malformed JSON: " + e.getOriginalMessage());
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new JlmException(mergesFile + ": not UTF-8 text");
        }
        List<String[]> merges = new ArrayList<>();
        List<String> where = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
            int sp = line.indexOf(' ');
            if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
                throw new JlmException(mergesFile + ":" + (i + 1) + ": expected two tokens separated by one space, got \"" + line + "\"");
            }
            merges.add(new String[] {line.substring(0, sp), line.substring(sp + 1)});
            where.add(mergesFile + ":" + (i + 1));
        }
        return assemble(vocab, merges, where, specials, vocabFile.toString(), "vocab.json");
    }

    /**
     * A model from the two tables of both formats: token string (bytes through {@link ByteUnicode}, or a special
     * token's own text) → id, and merges as pairs of token strings; {@code where[i]} locates merge i in errors.
     */
    static BpeModel assemble(Map<String, Integer> vocab, List<String[]> merges, List<String> where, List<String> specials,
                             String vocabSource, String vocabName) {
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        List<String> allSpecials = new ArrayList<>(specials);
        byte[][] tokens = new byte[size][];
        for (var e : vocab.entrySet()) {
            int id = e.getValue();
            if (id < 0) throw new JlmException(vocabSource + ": negative id " + id + " for \"" + e.getKey() + "\"");
            if (tokens[id] != null) throw new JlmException(vocabSource + ": id " + id + " is used twice");
            byte[] b = specials.contains(e.getKey()) ? null : ByteUnicode.decode(e.getKey());
            if (b == null) {
                b = e.getKey().getBytes(StandardCharsets.UTF_8); // a special token (or added token) stored as text
                if (!allSpecials.contains(e.getKey())) allSpecials.add(e.getKey());
            }
            tokens[id] = b;
        }
        for (int id = 0; id < size; id++) if (tokens[id] == null) throw new JlmException(vocabSource + ": ids are not contiguous: " + id + " is missing");
        List<byte[]> all = new ArrayList<>(List.of(tokens));
        Map<String, Integer> byString = new HashMap<>(vocab);
        for (String s : specials) {
            if (!byString.containsKey(s)) {
                byString.put(s, all.size());
                all.add(s.getBytes(StandardCharsets.UTF_8));
            }
        }
        int[][] pairs = new int[merges.size()][];
        for (int i = 0; i < pairs.length; i++) {
            String[] m = merges.get(i);
            Integer a = byString.get(m[0]), b = byString.get(m[1]);
            if (a == null || b == null) {
                throw new JlmException(where.get(i) + ": token \"" + (a == null ? m[0] : m[1]) + "\" is not in " + vocabName);
            }
            pairs[i] = new int[] {a, b};
        }
        return new BpeModel(all.toArray(byte[][]::new), pairs, allSpecials);
    }
}
