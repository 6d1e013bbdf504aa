package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.PreTokenizer;

/**
 * A pre-tokenizer written by hand for one of tiktoken's regexes: {@link #next} returns the end (exclusive, in chars)
 * of the regex's match that starts at {@code start} in s[.., end), where {@code end} is where the regex's text ends
 * (its {@code $}). Every position starts a match for these regexes, so the matches tile the text.
 */
@FunctionalInterface
interface Splitter {
    int next(CharSequence s, int start, int end);

    /** r50k_base and p50k_base: GPT-2's regex, which {@link PreTokenizer} already runs. */
    Splitter GPT2 = PreTokenizer::next;
    /** cl100k_base's regex. */
    Splitter CL100K = Cl100kSplitter::next;
    /** o200k_base's (and o200k_harmony's) regex. */
    Splitter O200K = O200kSplitter::next;
}
