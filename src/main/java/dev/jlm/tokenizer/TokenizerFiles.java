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
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.jlm.io.AtomicFile;
import dev.jlm.io.AtomicFolder;

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

    /**
     * Writes DIR/vocab.json, merges.txt, special_tokens.txt and the same tokenizer as DIR/tokenizer.json, as one set
     * (see {@link AtomicFolder}): a folder already holding files is refused unless {@code replace}, and then moved aside;
     * returns where it went (or null).
     */
    public static Path write(BpeModel m, Path dir, boolean replace) throws IOException {
        try {
            return AtomicFolder.write(dir, replace, tmp -> writeFiles(m, tmp));
        } catch (JlmException e) {
            if (e.getMessage().endsWith("already holds files")) {
                throw new JlmException(e.getMessage() + " (" + String.join(", ", names(dir)) + "): choose another folder, or replace the"
                        + " tokenizer with overwrite (the old folder is then moved aside, not deleted)").naming("overwrite");
            }
            throw e;
        }
    }

    private static java.util.List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            var n = s.map(p -> p.getFileName().toString()).sorted().toList();
            return n.size() <= 4 ? n : java.util.List.of(n.get(0), n.get(1), n.get(2), "…");
        }
    }

    private static void writeFiles(BpeModel m, Path dir) throws IOException {
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
                w.write("#version: 0.2\n");                             // GPT-2's first line; HF's slow tokenizer skips it
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
        if (!Files.isDirectory(path)) {
            throw new JlmException(path + ": " + (Files.exists(path) ? "not a regular file or folder" : "no such tokenizer")
                    + " (expected a folder with vocab.json and merges.txt, or a tokenizer.json)");
        }
        Path vocabFile = path.resolve(VOCAB), mergesFile = path.resolve(MERGES);
        if (!Files.exists(vocabFile) && !Files.exists(mergesFile) && Files.isRegularFile(path.resolve(TokenizerJson.FILE))) {
            return TokenizerJson.read(path.resolve(TokenizerJson.FILE), specials);
        }
        for (Path p : List.of(vocabFile, mergesFile)) {
            if (!Files.isRegularFile(p)) {
                String problem = dev.jlm.io.Inputs.problem(p, "tokenizer file");
                throw new JlmException(p + (problem.startsWith("is ") ? " " : ": ") + problem + " (a tokenizer folder holds " + VOCAB + " and " + MERGES + ")");
            }
        }

        if (Files.isRegularFile(path.resolve(SPECIALS))) {
            List<String> merged = new ArrayList<>();
            List<String> lines;
            try {
                lines = Files.readAllLines(path.resolve(SPECIALS), StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException e) {
                throw new JlmException(path.resolve(SPECIALS) + ": not UTF-8 text");
            }
            for (String line : lines) if (!line.isEmpty() && !merged.contains(line)) merged.add(line);
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
                if (vocab.put(tok, p.getIntValue()) != null) {          // JSON would let the last id win: the file says two things
                    throw new JlmException(vocabFile + ":" + p.currentLocation().getLineNr() + ": token \"" + tok + "\" is given twice");
                }
            }
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new JlmException(vocabFile + ": JSON over the reader's limits (" + dev.jlm.io.JsonFiles.firstSentence(e.getOriginalMessage()) + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new JlmException(vocabFile + (at == null ? "" : ":" + at.getLineNr()) + ": malformed JSON (" + dev.jlm.io.JsonFiles.firstSentence(e.getOriginalMessage()) + ")");
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
        BpeModel m = assemble(vocab, merges, where, specials, vocabFile.toString(), "vocab.json");
        Path json = path.resolve(TokenizerJson.FILE);
        if (Files.exists(json)) {                                // beside them (bpe train writes both): read too, never passed over
            BpeModel other = TokenizerJson.read(json, specials);
            if (!Arrays.deepEquals(m.vocab(), other.vocab()) || !Arrays.deepEquals(m.merges(), other.merges())
                    || !new java.util.HashSet<>(m.specials()).equals(new java.util.HashSet<>(other.specials()))) {
                throw new JlmException(path + ": " + TokenizerJson.FILE + " and " + VOCAB + " + " + MERGES + " are different tokenizers (jlm writes"
                        + " them as one set); give --tokenizer the one file you mean, or remove the other");
            }
        }
        return m;
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
