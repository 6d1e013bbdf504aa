package dev.jlm.tokenizer;

import java.text.Normalizer;
import java.util.List;

/**
 * What happens to the text between special tokens before BPE, and how BPE treats a whole pre-token: HuggingFace's
 * normalizer (none, or NFC), its pre-tokenizer steps in order, and the BPE model's {@code ignore_merges} (a pre-token
 * that is itself in the vocab is that token, whatever the merges would make). {@link #GPT2} is GPT-2's: no normalizer,
 * its regex, merges always.
 *
 * <p>The streaming encoders ({@link Tokenizer#encode(java.io.Reader, java.util.function.IntConsumer)},
 * {@link ParallelEncoder}) cut a text only before a special token and after a newline between two ASCII non-space
 * characters. That cut splits no pre-token of GPT-2's, Llama 3's or Qwen2's pattern, and NFC composes nothing across it
 * (HfFamiliesTest checks the streamed ids); a {@code Split} regex of another family could match across it.
 *
 * @param nfc          normalize each text between special tokens to Unicode NFC first (Qwen2's normalizer)
 * @param splitters    the pre-tokenizer steps; each cuts the pieces of the one before
 * @param ignoreMerges a pre-token found whole in the vocab is that one token (Llama 3's {@code ignore_merges})
 */
public record Pipeline(boolean nfc, List<Splitter> splitters, boolean ignoreMerges) {
    /** GPT-2's: no normalizer, its pre-tokenizer regex (hand-written), BPE merges on every pre-token. */
    public static final Pipeline GPT2 = new Pipeline(false, List.of(Splitter.GPT2), false);

    public Pipeline {
        splitters = List.copyOf(splitters);
    }

    /** True for GPT-2's pipeline, which the trainer and the streaming encoders were written for. */
    boolean isGpt2() {
        return !nfc && !ignoreMerges && splitters.equals(GPT2.splitters);
    }

    /** {@code text} as the splitters see it. */
    String normalize(String text) {
        return nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
    }

    /** Cuts text[from, to) through every splitter in turn and hands the final pieces to {@code out}. */
    void split(CharSequence text, int from, int to, Splitter.Pieces out) {
        split(text, from, to, 0, out);
    }

    private void split(CharSequence text, int from, int to, int step, Splitter.Pieces out) {
        if (step == splitters.size()) {
            out.piece(from, to);
            return;
        }
        splitters.get(step).split(text, from, to, (p, q) -> split(text, p, q, step + 1, out));
    }
}
