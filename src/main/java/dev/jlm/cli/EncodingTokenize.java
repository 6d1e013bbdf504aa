package dev.jlm.cli;

import dev.jlm.JlmException;
import dev.jlm.data.TokenFileWriter;
import dev.jlm.io.Inputs;
import dev.jlm.io.Outputs;
import dev.jlm.tokenizer.tiktoken.Encoding;
import dev.jlm.tokenizer.tiktoken.Encodings;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code jlm tokenize --encoding NAME}: one of OpenAI's encodings on a text or a file, the ids printed (--ids), shown
 * with their pieces, or written to a uint16 token file (--out), which refuses an id past 65,535 by number.
 */
final class EncodingTokenize {
    private EncodingTokenize() {}

    private static final int UINT16_IDS = 65_536;

    static int run(String name, Path rankFile, List<String> specials, Path input, String text, Path out, boolean ids) throws IOException {
        Encodings.spec(name);                                                   // an unknown name, before any file is read
        if (text != null && out != null) {
            throw new IllegalArgumentException("--out " + out + " is for --input: --text shows its ids and writes no token file");
        }
        if (input != null && out == null && !ids) throw new IllegalArgumentException("--input needs --out FILE or --ids");
        if (rankFile != null) Inputs.requireFile(rankFile, "file", "--rank-file");
        if (input != null) Inputs.requireFile(input, "file", "--input");
        if (out != null) {
            Map<String, Path> inputs = new LinkedHashMap<>(Map.of("--input", input));
            if (rankFile != null) inputs.put("--rank-file", rankFile);
            Outputs.requireFile(out, "--out", inputs);
        }
        Encoding enc = rankFile != null ? Encodings.load(name, rankFile) : Encodings.get(name);
        for (String s : specials) {
            if (!enc.specialTokens().containsKey(s)) throw new IllegalArgumentException("--special-token " + s + " is not one of " + name + "'s");
        }
        String s = text != null ? text : readText(input);
        int[] got = enc.encode(s, Set.copyOf(specials));
        if (ids) return printIds(got);
        if (out == null) return show(enc, got, s);
        for (int id : got) {
            if (id >= UINT16_IDS) {
                throw new JlmException("--out " + out + ": " + name + " gave token id " + id + ", past 65,535, which a uint16 token file"
                        + " cannot hold (use --ids, or r50k_base/p50k_base)");
            }
        }
        try (TokenFileWriter w = new TokenFileWriter(out, UINT16_IDS)) {
            w.write(got);
            w.commit();
        }
        System.out.printf(Locale.ROOT, "wrote %s: %,d ids (uint16) of %s%n", out, got.length, name);
        return 0;
    }

    /** The ids as one JSON array on one line. */
    static int printIds(int[] ids) {
        StringBuilder b = new StringBuilder(ids.length * 6 + 2).append('[');
        for (int i = 0; i < ids.length; i++) b.append(i == 0 ? "" : ",").append(ids[i]);
        System.out.println(b.append(']'));
        return 0;
    }

    /** A file's text; bad UTF-8 is refused naming the file. */
    static String readText(Path input) throws IOException {
        Inputs.requireFile(input, "file", "--input");
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(input))).toString();
        } catch (CharacterCodingException e) {
            throw new JlmException("--input " + input + " is not UTF-8 text");
        }
    }

    private static int show(Encoding enc, int[] ids, String text) {
        StringBuilder pieces = new StringBuilder();
        for (int id : ids) {
            pieces.append(pieces.isEmpty() ? "" : " | ").append(new String(enc.token(id), StandardCharsets.UTF_8).replace("\n", "\\n"));
        }
        System.out.println("ids:    " + java.util.Arrays.toString(ids));
        System.out.println("pieces: " + pieces);
        System.out.printf(Locale.ROOT, "%d tokens for %d bytes (%s)%n", ids.length, text.getBytes(StandardCharsets.UTF_8).length, enc.name());
        return 0;
    }
}
