package dev.jlm.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPT-2 file format of a tokenizer folder: {@code vocab.json} maps token string (bytes through
 * {@link ByteUnicode}) to id; {@code merges.txt} has one merge per line, "left right", in merge order (a first
 * line starting with "#version" is skipped). Special tokens are stored as their own text, and listed one per line
 * in {@code special_tokens.txt} (jlm's addition, optional when reading).
 */
public final class TokenizerFiles {
    public static final String VOCAB = "vocab.json", MERGES = "merges.txt", SPECIALS = "special_tokens.txt";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerFiles() {}

    /**
     * Writes DIR/vocab.json, merges.txt, special_tokens.txt and the same tokenizer as DIR/tokenizer.json into the
     * folder {@code dir} (made if missing), each file flushed to disk. Files of those names already there are replaced
     * one by one: to replace a tokenizer as one set, write into a fresh folder and rename it (jlm's {@code bpe train}
     * does, with its AtomicFolder).
     */
    public static void write(BpeModel m, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < m.vocab().length; id++) vocab.put(tokenString(m, id), id);
        writeSynced(dir.resolve(VOCAB), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(vocab));
        StringBuilder specials = new StringBuilder();
        for (String sp : m.specials()) specials.append(sp).append('\n');
        writeSynced(dir.resolve(SPECIALS), specials.toString().getBytes(StandardCharsets.UTF_8));
        StringBuilder merges = new StringBuilder("#version: 0.2\n");     // GPT-2's first line; HF's slow tokenizer skips it
        for (int[] mg : m.merges()) {
            merges.append(ByteUnicode.encode(m.vocab()[mg[0]])).append(' ').append(ByteUnicode.encode(m.vocab()[mg[1]])).append('\n');
        }
        writeSynced(dir.resolve(MERGES), merges.toString().getBytes(StandardCharsets.UTF_8));
        TokenizerJson.write(m, dir.resolve(TokenizerJson.FILE));
    }

    /** Writes {@code bytes} to {@code file} (created or truncated) and forces them to the disk before returning. */
    static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
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
    public static TokenizerSpec read(Path path, List<String> specials) throws IOException {
        if (Files.isRegularFile(path)) return TokenizerJson.read(path, specials);
        if (!Files.isDirectory(path)) {
            throw new TokenizerException(path + ": " + (Files.exists(path) ? "not a regular file or folder" : "no such tokenizer")
                    + " (expected a folder with vocab.json and merges.txt, or a tokenizer.json)");
        }
        Path vocabFile = path.resolve(VOCAB), mergesFile = path.resolve(MERGES);
        if (!Files.exists(vocabFile) && !Files.exists(mergesFile) && Files.isRegularFile(path.resolve(TokenizerJson.FILE))) {
            return TokenizerJson.read(path.resolve(TokenizerJson.FILE), specials);
        }
        for (Path p : List.of(vocabFile, mergesFile)) {
            if (!Files.isRegularFile(p)) {
                String problem = Reading.problem(p, "tokenizer file");
                throw new TokenizerException(p + (problem.startsWith("is ") ? " " : ": ") + problem + " (a tokenizer folder holds " + VOCAB + " and " + MERGES + ")");
            }
        }

        if (Files.isRegularFile(path.resolve(SPECIALS))) {
            List<String> merged = new ArrayList<>();
            List<String> lines;
            try {
                lines = Files.readAllLines(path.resolve(SPECIALS), StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException e) {
                throw new TokenizerException(path.resolve(SPECIALS) + ": not UTF-8 text");
            }
            for (String line : lines) if (!line.isEmpty() && !merged.contains(line)) merged.add(line);
            for (String sp : specials) if (!merged.contains(sp)) merged.add(sp);
            specials = merged;
        }
        Map<String, Integer> vocab = new HashMap<>();
        try (JsonParser p = JSON.createParser(vocabFile.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new TokenizerException(vocabFile + ": not a JSON object of token → id");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String tok = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw new TokenizerException(vocabFile + ":" + p.currentLocation().getLineNr() + ": id of \"" + tok + "\" is not an integer");
                }
                if (vocab.put(tok, p.getIntValue()) != null) {          // JSON would let the last id win: the file says two things
                    throw new TokenizerException(vocabFile + ":" + p.currentLocation().getLineNr() + ": token \"" + tok + "\" is given twice");
                }
            }
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new TokenizerException(vocabFile + ": JSON over the reader's limits (" + Reading.firstSentence(e.getOriginalMessage()) + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new TokenizerException(vocabFile + (at == null ? "" : ":" + at.getLineNr()) + ": malformed JSON (" + Reading.firstSentence(e.getOriginalMessage()) + ")");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(mergesFile, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new TokenizerException(mergesFile + ": not UTF-8 text");
        }
        List<String[]> merges = new ArrayList<>();
        List<String> where = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
            int sp = line.indexOf(' ');
            if (sp <= 0 || sp == line.length() - 1 || line.indexOf(' ', sp + 1) >= 0) {
                throw new TokenizerException(mergesFile + ":" + (i + 1) + ": expected two tokens separated by one space, got \"" + line + "\"");
            }
            merges.add(new String[] {line.substring(0, sp), line.substring(sp + 1)});
            where.add(mergesFile + ":" + (i + 1));
        }
        BpeModel m = assemble(vocab, merges, where, specials, vocabFile.toString(), "vocab.json");
        Path json = path.resolve(TokenizerJson.FILE);
        if (Files.exists(json)) {                                // beside them (bpe train writes both): read too, never passed over
            TokenizerSpec read = TokenizerJson.read(json, specials);
            BpeModel other = read.model();
            if (!read.pipeline().isGpt2() || !Arrays.deepEquals(m.vocab(), other.vocab()) || !Arrays.deepEquals(m.merges(), other.merges())
                    || !new java.util.HashSet<>(m.specials()).equals(new java.util.HashSet<>(other.specials()))) {
                throw new TokenizerException(path + ": " + TokenizerJson.FILE + " and " + VOCAB + " + " + MERGES + " are different tokenizers (jlm writes"
                        + " them as one set); give --tokenizer the one file you mean, or remove the other");
            }
        }
        return new TokenizerSpec(m, Pipeline.GPT2);
    }

    /**
     * A model from the two tables of both formats: token string (bytes through {@link ByteUnicode}, or a special
     * token's own text) → id, and merges as pairs of token strings; {@code where[i]} locates merge i in errors.
     */
    static BpeModel assemble(Map<String, Integer> vocab, List<String[]> merges, List<String> where, List<String> specials,
                             String vocabSource, String vocabName) {
        return assemble(vocab, merges, where, specials, vocabSource, vocabName, false);
    }

    /**
     * As above; with {@code unusedIds}, an id no token has (GPT-4o's tokenizer.json leaves 199998 and 199999 free) is
     * an empty token: BPE never makes it, and it decodes to nothing, as HF skips an id it does not know.
     */
    static BpeModel assemble(Map<String, Integer> vocab, List<String[]> merges, List<String> where, List<String> specials,
                             String vocabSource, String vocabName, boolean unusedIds) {
        int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        List<String> allSpecials = new ArrayList<>(specials);
        byte[][] tokens = new byte[size][];
        for (var e : vocab.entrySet()) {
            int id = e.getValue();
            if (id < 0) throw new TokenizerException(vocabSource + ": negative id " + id + " for \"" + e.getKey() + "\"");
            if (tokens[id] != null) throw new TokenizerException(vocabSource + ": id " + id + " is used twice");
            byte[] b = specials.contains(e.getKey()) ? null : ByteUnicode.decode(e.getKey());
            if (b == null) {
                b = e.getKey().getBytes(StandardCharsets.UTF_8); // a special token (or added token) stored as text
                if (!allSpecials.contains(e.getKey())) allSpecials.add(e.getKey());
            }
            tokens[id] = b;
        }
        for (int id = 0; id < size; id++) {
            if (tokens[id] != null) continue;
            if (!unusedIds) throw new TokenizerException(vocabSource + ": ids are not contiguous: " + id + " is missing");
            tokens[id] = new byte[0];
        }
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
                throw new TokenizerException(where.get(i) + ": token \"" + (a == null ? m[0] : m[1]) + "\" is not in " + vocabName);
            }
            pairs[i] = new int[] {a, b};
        }
        return new BpeModel(all.toArray(byte[][]::new), pairs, allSpecials);
    }
}
