package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.TokenizerException;
import dev.jlm.tokenizer.SpecialTokens;
import dev.jlm.tokenizer.Tokenizer;
import dev.jlm.tokenizer.Tokenizer.IntList;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One of OpenAI's encodings (tiktoken's {@code Encoding}): text ↔ token ids, with tiktoken's ids exactly. Immutable
 * and thread-safe: share one instance ({@link Encodings#get}). Text is pre-tokenized by the encoding's regex (a
 * hand-written {@link Splitter}), each pre-token's UTF-8 bytes merged by rank ({@link RankBpe}); lone surrogates
 * are encoded as U+FFFD, as tiktoken does.
 */
public final class Encoding {
    /** An encoding that stopped early: {@code ids}, and {@code end}, the chars of the text they cover. */
    public record Prefix(int[] ids, int end) {}

    private final EncodingSpec spec;
    private final byte[][] tokens;       // by id; null where no token has the id
    private final RankBpe bpe;
    private final EncodingSpec.PreTokenization splitter;
    private final SpecialTokens allSpecials;
    private final Map<String, Integer> specialIds;
    private final Map<Set<String>, SpecialTokens> finders = new ConcurrentHashMap<>();
    private final int vocabSize;

    /** The encoding {@code spec} with the tokens of its rank file by rank (see {@link RankFile}). */
    public Encoding(EncodingSpec spec, byte[][] ranks) {
        this.spec = spec;
        this.bpe = new RankBpe(ranks, spec.rankFile());
        this.splitter = spec.preTokenization();
        this.specialIds = spec.specialTokens();
        int n = ranks.length;
        for (var e : specialIds.entrySet()) {
            int id = e.getValue();
            if (id < ranks.length && ranks[id] != null) {
                throw new TokenizerException(spec.name() + ": special token " + e.getKey() + " has id " + id + ", which is an ordinary token's");
            }
            n = Math.max(n, id + 1);
        }
        tokens = Arrays.copyOf(ranks, n);
        for (var e : specialIds.entrySet()) tokens[e.getValue()] = e.getKey().getBytes(StandardCharsets.UTF_8);
        vocabSize = n;
        allSpecials = new SpecialTokens(List.copyOf(specialIds.keySet()));
    }

    public String name() {
        return spec.name();
    }

    public EncodingSpec spec() {
        return spec;
    }

    /** One past the largest id (tiktoken's {@code n_vocab}). */
    public int vocabSize() {
        return vocabSize;
    }

    /** The special tokens, text → id. */
    public Map<String, Integer> specialTokens() {
        return specialIds;
    }

    /** The text as ordinary text: special tokens' text is encoded like any other (tiktoken's {@code encode_ordinary}). */
    public int[] encodeOrdinary(CharSequence text) {
        return encode(text, Set.of(), Set.of());
    }

    /** {@link #encode(CharSequence, Set)} with no special token allowed: text that is a special token is refused. */
    public int[] encode(CharSequence text) {
        return encode(text, Set.of());
    }

    /**
     * tiktoken's {@code encode(text, allowed_special=allowed)}: the allowed special tokens become their ids; the text of
     * any other special token is refused (disallowed by default).
     */
    public int[] encode(CharSequence text, Set<String> allowed) {
        if (allowed.isEmpty()) return encode(text, allowed, specialIds.keySet());
        Set<String> disallowed = new java.util.HashSet<>(specialIds.keySet());
        disallowed.removeAll(allowed);
        return encode(text, allowed, disallowed);
    }

    /**
     * tiktoken's {@code encode(text, allowed_special, disallowed_special)}: text of a disallowed special token anywhere is
     * refused naming it; allowed special tokens become their ids; other special tokens' text is ordinary text.
     */
    public int[] encode(CharSequence text, Set<String> allowed, Set<String> disallowed) {
        for (String s : allowed) if (!specialIds.containsKey(s)) throw new TokenizerException(name() + " has no special token " + s);
        if (!disallowed.isEmpty()) {
            SpecialTokens d = finder(disallowed);
            int at = d.nextStart(text, 0, text.length());
            if (at < text.length()) {
                throw new TokenizerException("the text holds the disallowed special token " + d.get(d.matchAt(text, at, text.length()))
                        + " at char " + at + " (allow it to encode it as a special token, or encode it as ordinary text)");
            }
        }
        IntList out = new IntList(Math.max(16, text.length() / 3));
        run(text, finder(allowed), Integer.MAX_VALUE, out);
        return out.toArray();
    }

    /** The number of tokens of {@link #encodeOrdinary} (special tokens' text counted as text). */
    public int countTokens(CharSequence text) {
        return encodeOrdinary(text).length;
    }

    /**
     * The ordinary encoding of the longest prefix of whole pre-tokens whose ids number at most {@code maxTokens}:
     * the ids, and the char where it stopped (text.length() when all of it fit).
     */
    public Prefix encode(CharSequence text, int maxTokens) {
        if (maxTokens < 0) throw new TokenizerException("maxTokens must be >= 0, not " + maxTokens);
        IntList out = new IntList(16);
        int end = run(text, finder(Set.of()), maxTokens, out);
        return new Prefix(out.toArray(), end);
    }

    private SpecialTokens finder(Set<String> specials) {
        if (specials.isEmpty()) return NO_SPECIALS;
        if (specials == specialIds.keySet() || (specials.size() == specialIds.size() && specials.containsAll(specialIds.keySet()))) {
            return allSpecials;
        }
        if (finders.size() > 64) finders.clear();                         // bounded: callers with ever-new sets
        return finders.computeIfAbsent(Set.copyOf(specials), s -> new SpecialTokens(List.copyOf(s)));
    }

    private static final SpecialTokens NO_SPECIALS = new SpecialTokens(Collections.emptyList());

    /**
     * Encodes s, special tokens found by {@code specials}, until the next pre-token would pass {@code max} ids; the end.
     * A lone surrogate needs no fix-up first: it splits as the U+FFFD replacing it would, and encodes as U+FFFD.
     */
    private int run(CharSequence s, SpecialTokens specials, int max, IntList out) {
        int end = s.length();
        byte[] buf = new byte[64];
        int[] scratch = new int[64];
        for (int i = 0; i < end; ) {
            int segEnd = specials.nextStart(s, i, end);
            for (int p = i; p < segEnd; ) {
                int q = splitter.next(s, p, segEnd);
                int whole = bpe.rankAscii(s, p, q);                     // most pre-tokens: short, ASCII, one token
                if (whole >= 0) {
                    if (out.size() + 1 > max) return p;
                    out.add(whole);
                    p = q;
                    continue;
                }
                int len = Utf16.maxUtf8(q - p);
                if (len > buf.length) {
                    buf = new byte[Math.max(len, buf.length * 2)];
                    scratch = new int[buf.length];
                }
                int nb = Utf16.encodeUtf8(s, p, q, buf);
                int n = whole == TokenTable.NOT_ASCII ? bpe.encode(buf, 0, nb, scratch, 0) : bpe.encodeParts(buf, 0, nb, scratch, 0);
                if (out.size() + n > max) return p;
                out.add(scratch, n);
                p = q;
            }
            if (segEnd == end) break;
            int k = specials.matchAt(s, segEnd, end);
            if (out.size() + 1 > max) return segEnd;
            out.add(specialIds.get(specials.get(k)));
            i = segEnd + specials.get(k).length();
        }
        return end;
    }

    /** The bytes of these ids (tiktoken's {@code decode_bytes}); an id that is no token is refused by number. */
    public byte[] decodeBytes(int[] ids) {
        for (int id : ids) token(id);
        return Tokenizer.concat(tokens, ids);
    }

    /** The text of these ids; bytes that are not UTF-8 become U+FFFD (tiktoken's {@code decode}). */
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** The bytes of one token. */
    public byte[] token(int id) {
        if (id < 0 || id >= tokens.length || tokens[id] == null) throw new TokenizerException(name() + ": no token has id " + id);
        return tokens[id];
    }
}
