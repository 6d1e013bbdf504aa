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
    }

    private static String tokenString(BpeModel m, int id) {
        byte[] b = m.vocab()[id];
        String s = new String(b, StandardCharsets.UTF_8);
        return m.specials().contains(s) ? s : ByteUnicode.encode(b);
    }

    /** Reads DIR/vocab.json and DIR/merges.txt; special tokens missing from the vocab are appended. */
    public static BpeModel read(Path dir, List<String> specials) throws IOException {
        Path vocabFile = dir.resolve(VOCAB), mergesFile = dir.resolve(MERGES);
        if (!Files.isDirectory(dir)) throw new JlmException(dir + ": tokenizer folder not found (expected vocab.json and merges.txt)");
        for (Path p : List.of(vocabFile, mergesFile)) if (!Files.isRegularFile(p)) throw new JlmException(p + ": not found");

        if (Files.isRegularFile(dir.resolve(SPECIALS))) {
            List<String> merged = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve(SPECIALS), StandardCharsets.UTF_8)) if (!line.isEmpty()) merged.add(line);
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
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        List<String> allSpecials = new ArrayList<>(specials);
        byte[][] tokens = new byte[size][];
        for (var e : vocab.entrySet()) {
            int id = e.getValue();
            if (id < 0) throw new JlmException(vocabFile + ": negative id " + id + " for \"" + e.getKey() + "\"");
            if (tokens[id] != null) throw new JlmException(vocabFile + ": id " + id + " is used twice");
            byte[] b = specials.contains(e.getKey()) ? null : ByteUnicode.decode(e.getKey());
            if (b == null) {
                b = e.getKey().getBytes(StandardCharsets.UTF_8); // a special token (or added token) stored as text
                if (!allSpecials.contains(e.getKey())) allSpecials.add(e.getKey());
            }
            tokens[id] = b;
        }
        for (int id = 0; id < size; id++) if (tokens[id] == null) throw new JlmException(vocabFile + ": ids are not contiguous: " + id + " is missing");
        // special tokens missing from the vocab are appended (as the CS336 tests expect)
        List<byte[]> all = new ArrayList<>(List.of(tokens));
        Map<String, Integer> byString = new HashMap<>(vocab);
        for (String s : specials) {
            if (!byString.containsKey(s)) {
                byString.put(s, all.size());
                all.add(s.getBytes(StandardCharsets.UTF_8));
            }
        }
        List<int[]> merges = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new JlmException(mergesFile + ": not UTF-8 text");
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
            int sp = line.indexOf(' ');
            if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
                throw new JlmException(mergesFile + ":" + (i + 1) + ": expected two tokens separated by one space, got \"" + line + "\"");
            }
            Integer a = byString.get(line.substring(0, sp)), b = byString.get(line.substring(sp + 1));
            if (a == null || b == null) {
                throw new JlmException(mergesFile + ":" + (i + 1) + ": token \"" + (a == null ? line.substring(0, sp) : line.substring(sp + 1))
                        + "\" is not in vocab.json");
            }
            merges.add(new int[] {a, b});
        }
        return new BpeModel(all.toArray(byte[][]::new), merges.toArray(int[][]::new), allSpecials);
    }
}
