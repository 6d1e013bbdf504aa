package dev.jlm.tokenizer.tiktoken;

import java.util.Map;

/**
 * One of tiktoken's encodings as data: its rank file (file name, official URL, tiktoken's SHA-256), its
 * pre-tokenization and its special tokens (text → id, in tiktoken's order).
 */
public record EncodingSpec(String name, String rankFile, String url, String sha256, PreTokenization preTokenization,
        Map<String, Integer> specialTokens) {
    /** The regexes of tiktoken's {@code openai_public.py}, each run by a hand-written {@link Splitter}. */
    public enum PreTokenization {
        /** GPT-2's, used by r50k_base and p50k_base. */
        GPT2(Splitter.GPT2),
        /** cl100k_base's. */
        CL100K(Splitter.CL100K),
        /** o200k_base's and o200k_harmony's. */
        O200K(Splitter.O200K);

        private final Splitter splitter;

        PreTokenization(Splitter splitter) {
            this.splitter = splitter;
        }

        Splitter splitter() {
            return splitter;
        }

        /**
         * The end of the pre-token at {@code start}: the splitter's, called statically so that the encoder's loop
         * inlines it even when a program uses several encodings (an interface call there would be megamorphic).
         */
        int next(CharSequence s, int start, int end) {
            switch (this) {
                case CL100K: return Cl100kSplitter.next(s, start, end);
                case O200K: return O200kSplitter.next(s, start, end);
                default: return dev.jlm.tokenizer.PreTokenizer.next(s, start, end);
            }
        }
    }

    public EncodingSpec {
        specialTokens = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(specialTokens));
    }
}
