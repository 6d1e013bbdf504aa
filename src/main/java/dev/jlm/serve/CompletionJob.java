package dev.jlm.serve;

import dev.jlm.generate.BatchDecoder;
import dev.jlm.generate.Sampler;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.Torch;
import dev.jlm.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One completion request on the model thread: for each prompt, n choices, each a sequence of the {@link BatchDecoder}
 * (decoded alongside every other request's, each as {@code jlm generate} decodes it alone), its text cut at the first stop sequence or the end token, and
 * handed out as {@link Event}s while it grows (a stop sequence's possible beginning is held back until it is decided). With
 * {@code logprobs}, the choice's tokens (the prompt's too with echo) are scored by one forward pass: log-softmax of the
 * logits in float32, the numbers {@code jlm eval}'s cross-entropy is the negative mean of.
 */
final class CompletionJob implements ModelThread.Job {
    sealed interface Event permits Text, Finish, Done, Failed {}

    /** More text of choice {@code index}. */
    record Text(int index, String text) implements Event {}

    /** Choice {@code index} ended: "stop" (a stop sequence or the end token) or "length" (max_tokens). */
    record Finish(int index, String reason, Map<String, Object> logprobs) implements Event {}

    /** Every choice ended. */
    record Done(int promptTokens, int completionTokens) implements Event {}

    record Failed(ApiError error) implements Event {}

    /** Thrown inside decoding to end it: the deadline passed, or the client left. */
    private static final class Abandoned extends RuntimeException {
        Abandoned(String why) {
            super(why, null, false, false);
        }
    }

    final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletionRequest req;
    private final List<int[]> prompts;
    private final Tokenizer tok;
    private final int end;
    private final long deadlineNanos;
    private final double timeoutSeconds;
    volatile boolean cancelled;
    // The model thread's own state:
    private Sampler sampler;                 // null until started
    private long seed0;
    private int started, ended;              // choices admitted to the decoder, and those that ended
    private int promptTokens, completionTokens;
    private boolean failed;
    private final Map<BatchDecoder.Sequence, Choice> decoding = new IdentityHashMap<>();

    /** {@code prompts}: each prompt's ids, already checked against the context; {@code end}: the end token's id, or −1. */
    CompletionJob(CompletionRequest req, List<int[]> prompts, Tokenizer tok, int end, long deadlineNanos, double timeoutSeconds) {
        this.req = req;
        this.prompts = prompts;
        this.tok = tok;
        this.end = end;
        this.deadlineNanos = deadlineNanos;
        this.timeoutSeconds = timeoutSeconds;
    }

    private int choices() {
        return prompts.size() * req.n();
    }

    @Override
    public boolean pending() {
        return !failed && started < choices();
    }

    @Override
    public boolean done() {
        return (failed || started == choices()) && ended == started;
    }

    /** Admits choice {@code started}: index p·n + j decodes prompt p with seed seed0 + index, as one request alone would. */
    @Override
    public BatchDecoder.Sequence admitNext(BatchDecoder decoder) {
        if (sampler == null) {
            checkTime();
            sampler = Sampler.of(req.temperature(), req.topP());
            seed0 = req.seed() != null ? req.seed() : ThreadLocalRandom.current().nextLong();
            for (int[] p : prompts) promptTokens += p.length;
        }
        int index = started;
        Choice c = new Choice(index, prompts.get(index / req.n()));
        started++;
        try {
            BatchDecoder.Sequence s = decoder.admit(c.prompt, req.maxTokens(), sampler, seed0 + index, c::onToken);
            decoding.put(s, c);
            return s;
        } catch (RuntimeException e) {
            ended++;
            throw e;
        }
    }

    @Override
    public void ended(TransformerLm model, BatchDecoder.Sequence s) {
        ended++;
        Choice c = decoding.remove(s);
        if (failed) return;
        if (s.failure() != null) {
            fail(s.failure());
            return;
        }
        int[] made = s.tokens();
        completionTokens += made.length;
        c.finish(model, made);
        if (done()) events.add(new Done(promptTokens, completionTokens));
    }

    @Override
    public void fail(Throwable why) {
        if (failed) return;
        failed = true;
        events.add(new Failed(switch (why) {
            case ApiError e -> e;
            case Abandoned a -> new ApiError(504, "timeout_error", null, "timeout", a.getMessage());
            case dev.jlm.JlmException j -> new ApiError(500, "server_error", null, null, "the model failed on this request: " + j.getMessage());
            default -> new ApiError(500, "server_error", null, null, "internal error (a bug in jlm serve): " + why);
        }));
    }

    private void checkTime() {
        if (failed) throw new Abandoned("another choice of the request failed");
        if (cancelled) throw new Abandoned("the client went away");
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new Abandoned("the request ran past the time limit of " + timeoutSeconds + " s (--request-timeout)");
        }
    }

    /** One choice's text as it grows: cut at the first stop sequence or the end token, handed out as it is decided. */
    private final class Choice {
        final int index;
        final int[] prompt;
        final String promptText;
        final int longestStop = req.stop().stream().mapToInt(String::length).max().orElse(0);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int emitted;             // chars of the text handed out
        int cut = -1;            // where a stop sequence begins, once one is found
        boolean endToken;

        Choice(int index, int[] prompt) {
            this.index = index;
            this.prompt = prompt;
            this.promptText = tok.decode(prompt);
            if (req.echo()) events.add(new Text(index, promptText));
        }

        /** Takes a new id; false once the choice is complete (the end token, or a stop sequence found). */
        boolean onToken(int id) {
            checkTime();
            if (id == end) {
                endToken = true;
                return false;
            }
            bytes.writeBytes(tok.model().vocab()[id]);
            String text = completeUtf8(bytes.toByteArray());
            int hit = firstStop(text, Math.max(0, emitted - longestStop));
            int upTo = hit >= 0 ? hit : Math.max(emitted, text.length() - Math.max(0, longestStop - 1));
            if (upTo > emitted && Character.isHighSurrogate(text.charAt(upTo - 1))) upTo--;    // never half a character
            if (upTo > emitted) events.add(new Text(index, text.substring(emitted, upTo)));
            emitted = Math.max(emitted, upTo);
            if (hit >= 0) cut = hit;
            return hit < 0;
        }

        /** The rest of the text, then its Finish (with logprobs where asked: one forward pass on the model thread). */
        void finish(TransformerLm model, int[] made) {
            String text = new String(bytes.toByteArray(), StandardCharsets.UTF_8);     // the whole of it, an unfinished character as U+FFFD
            if (cut >= 0) text = text.substring(0, cut);
            else {
                int hit = firstStop(text, Math.max(0, emitted - longestStop));
                if (hit >= 0) text = text.substring(0, cut = hit);
            }
            if (text.length() > emitted) events.add(new Text(index, text.substring(emitted)));
            String reason = endToken || cut >= 0 ? "stop" : "length";
            Map<String, Object> logprobs = null;
            if (req.logprobs() != null) {
                int[] kept = keptTokens(made, text.length());
                logprobs = logprobs(model, prompt, kept, req.echo() ? 0 : promptText.length(), req.logprobs());
            }
            events.add(new Finish(index, reason, logprobs));
        }
    }

    private int firstStop(String text, int from) {
        int best = -1;
        for (String s : req.stop()) {
            int i = text.indexOf(s, from);
            if (i >= 0 && (best < 0 || i < best)) best = i;
        }
        return best;
    }

    /**
     * The generated tokens whose text begins inside the returned text, and the end token where it ended the choice (OpenAI
     * reports it, and lm-evaluation-harness drops the last reported token); those past a stop sequence are not.
     */
    private int[] keptTokens(int[] made, int textChars) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int n = 0;
        for (int id : made) {
            if (id == end) {
                n++;
                break;
            }
            if (completeUtf8(b.toByteArray()).length() >= textChars) break;
            b.writeBytes(tok.model().vocab()[id]);
            n++;
        }
        return Arrays.copyOf(made, n);
    }

    /**
     * OpenAI's legacy logprobs of {@code prompt} (with echo) and {@code completion}: tokens, token_logprobs (null for the very
     * first token, which nothing predicts), top_logprobs (the {@code top} most probable tokens and the chosen one) and
     * text_offset (chars from the start of the prompt's text).
     */
    private Map<String, Object> logprobs(TransformerLm model, int[] prompt, int[] completion, int textBase, int top) {
        int[] all = Arrays.copyOf(prompt, prompt.length + completion.length);
        System.arraycopy(completion, 0, all, prompt.length, completion.length);
        int from = textBase == 0 ? 0 : prompt.length;           // the first token reported
        int len = all.length, v = model.config().vocabSize();
        float[] chosen;
        long[] topIds = new long[0];
        float[] topValues = new float[0];
        try (var g = NoGrad.enter(); var s = dev.jlm.tensor.TensorScope.open()) {
            Tensor ids = Torch.fromArray(Arrays.stream(all).asLongStream().toArray(), 1, len).to(model.params().device());
            Tensor logits = model.forward(ids).select(0, 0);                                 // (T, V) float32
            Tensor logp = logits.sub(logits.logsumexp(true, 1));                             // (T, V) log-softmax
            Tensor rows = logp.narrow(0, 0, len - 1);                                        // row i predicts token i + 1
            Tensor next = Torch.fromArray(Arrays.stream(all, 1, len).asLongStream().toArray(), len - 1).to(model.params().device());
            chosen = len > 1 ? rows.gather(1, next.unsqueeze(1)).reshape(-1).toFloatArray() : new float[0];
            if (top > 0 && len > 1) {
                Tensor order = rows.argsort(1, true).narrow(1, 0, Math.min(top, v));       // (T−1, k)
                topIds = order.toLongArray();
                topValues = rows.gather(1, order).reshape(-1).toFloatArray();
            }
        }
        List<String> tokens = new ArrayList<>();
        List<Double> tokenLogprobs = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        ByteArrayOutputStream before = new ByteArrayOutputStream();
        for (int i = 0; i < len; i++) {
            if (i >= from) {
                tokens.add(piece(all[i]));
                offsets.add(completeUtf8(before.toByteArray()).length());
                if (i == 0) {
                    tokenLogprobs.add(null);
                    tops.add(null);
                } else {
                    tokenLogprobs.add((double) chosen[i - 1]);
                    Map<String, Double> m = new LinkedHashMap<>();
                    int k = topIds.length / (len - 1);
                    for (int j = 0; j < k; j++) m.putIfAbsent(piece((int) topIds[(i - 1) * k + j]), (double) topValues[(i - 1) * k + j]);
                    m.putIfAbsent(piece(all[i]), (double) chosen[i - 1]);
                    tops.add(m);
                }
            }
            before.writeBytes(tok.model().vocab()[all[i]]);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tokens", tokens);
        out.put("token_logprobs", tokenLogprobs);
        out.put("top_logprobs", tops);
        out.put("text_offset", offsets);
        return out;
    }

    private String piece(int id) {
        return new String(tok.model().vocab()[id], StandardCharsets.UTF_8);
    }

    /** The text of the longest prefix of {@code b} that is whole UTF-8 characters. */
    static String completeUtf8(byte[] b) {
        return new String(b, 0, Tokenizer.wholeCharacters(b), StandardCharsets.UTF_8);
    }
}
