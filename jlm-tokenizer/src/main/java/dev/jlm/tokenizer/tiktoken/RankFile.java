package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A tiktoken rank file ({@code .tiktoken}): one line per token, {@code base64(bytes) SP rank}. Read into
 * {@code tokens[rank]} (a rank absent from the file is a null hole); the file's SHA-256 is checked against the one
 * tiktoken expects ({@code expected_hash} in tiktoken's {@code openai_public.py}).
 */
public final class RankFile {
    private RankFile() {}

    /**
     * The tokens by rank of the rank file {@code name} (for messages) read from {@code in}; refused by name when its
     * SHA-256 is not {@code sha256} (null skips the check) or a line is malformed.
     */
    public static byte[][] read(InputStream in, String name, String sha256) throws IOException {
        byte[] data = in.readAllBytes();
        if (sha256 != null) {
            String got = sha256(data);
            if (!got.equalsIgnoreCase(sha256)) {
                throw new TokenizerException(name + ": SHA-256 " + got + " is not tiktoken's " + sha256 + " (a different or damaged rank file)");
            }
        }
        return parse(data, name);
    }

    /** The tokens by rank of a rank file's bytes. */
    static byte[][] parse(byte[] data, String name) {
        byte[][] tokens = new byte[Math.max(16, data.length / 8)][];
        int max = -1, line = 0;
        Base64.Decoder b64 = Base64.getDecoder();
        for (int p = 0; p < data.length; ) {
            int eol = p;
            while (eol < data.length && data[eol] != '\n') eol++;
            line++;
            if (eol > p) {
                int sp = p;
                while (sp < eol && data[sp] != ' ') sp++;
                int rank = parseRank(data, sp + 1, eol);
                if (sp == eol || rank < 0) throw new TokenizerException(name + ": line " + line + " is not 'base64 rank'");
                byte[] token;
                try {
                    token = b64.decode(Arrays.copyOfRange(data, p, sp));
                } catch (IllegalArgumentException e) {
                    throw new TokenizerException(name + ": line " + line + ": " + e.getMessage());
                }
                if (rank >= tokens.length) tokens = Arrays.copyOf(tokens, Math.max(rank + 1, tokens.length * 2));
                if (tokens[rank] != null) throw new TokenizerException(name + ": line " + line + ": rank " + rank + " appears twice");
                tokens[rank] = token;
                max = Math.max(max, rank);
            }
            p = eol + 1;
        }
        if (max < 0) throw new TokenizerException(name + ": no tokens");
        return Arrays.copyOf(tokens, max + 1);
    }

    private static int parseRank(byte[] d, int from, int to) {
        if (to > from && d[to - 1] == '\r') to--;
        if (from >= to || to - from > 9) return -1;
        int v = 0;
        for (int i = from; i < to; i++) {
            if (d[i] < '0' || d[i] > '9') return -1;
            v = v * 10 + (d[i] - '0');
        }
        return v;
    }

    /** Lower-case hex SHA-256 of {@code data}. */
    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
