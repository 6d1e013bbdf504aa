package dev.jlm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /v1/completions}, read strictly: each field's type and domain below is checked here, before the
 * request is queued, and a violation is a 400 naming the field. An unknown field is refused with the known ones (a typo
 * must not be ignored); OpenAI fields this server does not implement are accepted only at their no-op values.
 *
 * @param prompts   the prompts, as text or as token ids (exactly one of each pair is non-null)
 * @param maxTokens new tokens per choice at most, ≥ 0 (0 only with echo: the prompt scored, nothing generated)
 * @param seed      the sampler's seed of choice 0 (choice i uses seed + i); null: drawn at random
 */
record CompletionRequest(String model, List<Prompt> prompts, int maxTokens, double temperature, double topP, Long seed,
                         List<String> stop, int n, boolean stream, boolean includeUsage, boolean echo, Integer logprobs) {

    /** One prompt: text (tokenized by the server) or token ids as given. */
    record Prompt(String text, int[] ids) {}

    static final int MAX_N = 16, MAX_CHOICES = 64, MAX_STOP = 4, MAX_LOGPROBS = 5;
    static final Set<String> FIELDS = Set.of("model", "prompt", "max_tokens", "temperature", "top_p", "seed", "stop", "n", "stream",
            "stream_options", "echo", "logprobs", "user", "presence_penalty", "frequency_penalty", "best_of", "logit_bias", "suffix");

    static CompletionRequest parse(JsonNode body, int vocabSize) {
        if (!body.isObject()) throw ApiError.invalid(null, "the body must be a JSON object");
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiError.invalid(f, "unknown field '" + f + "' (known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)) + ")");
            }
        }
        String model = text(body, "model");
        List<Prompt> prompts = prompts(body.get("prompt"), vocabSize);
        boolean echo = bool(body, "echo", false);
        int maxTokens = integer(body, "max_tokens", 16, 0, Integer.MAX_VALUE);
        if (maxTokens == 0 && !echo) throw ApiError.invalid("max_tokens", "max_tokens 0 asks for nothing: it is allowed only with echo (to score the prompt)");
        double temperature = number(body, "temperature", 1.0, 0, 2, "in [0, 2]");
        double topP = number(body, "top_p", 1.0, Double.MIN_VALUE, 1, "in (0, 1]");
        JsonNode seedNode = present(body, "seed");
        Long seed = null;
        if (seedNode != null) {
            if (!seedNode.isIntegralNumber() || !seedNode.canConvertToLong()) throw ApiError.invalid("seed", "seed must be an integer that fits 64 bits, got " + seedNode);
            seed = seedNode.longValue();
        }
        List<String> stop = stop(present(body, "stop"));
        int n = integer(body, "n", 1, 1, MAX_N);
        JsonNode bestOf = present(body, "best_of");
        if (bestOf != null && !(bestOf.isIntegralNumber() && bestOf.asLong() == n)) {
            throw ApiError.invalid("best_of", "best_of is not implemented: leave it out or give n (" + n + "), got " + bestOf);
        }
        if ((long) prompts.size() * n > MAX_CHOICES) {
            throw ApiError.invalid("n", prompts.size() + " prompts × n " + n + " = " + prompts.size() * n + " choices; at most " + MAX_CHOICES + " per request");
        }
        boolean stream = bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode opts = present(body, "stream_options");
        if (opts != null) {
            if (!stream) throw ApiError.invalid("stream_options", "stream_options is only for stream: true");
            if (!opts.isObject()) throw ApiError.invalid("stream_options", "stream_options must be an object");
            for (Iterator<String> it = opts.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("include_usage")) throw ApiError.invalid("stream_options", "unknown field '" + f + "' of stream_options (known: include_usage)");
            }
            includeUsage = bool(opts, "include_usage", false);
        }
        JsonNode lp = present(body, "logprobs");
        Integer logprobs = null;
        if (lp != null) {
            if (lp.isBoolean()) throw ApiError.invalid("logprobs", "logprobs of a completion is an integer in [0, " + MAX_LOGPROBS
                    + "] (the top alternatives per token), got " + lp + " (true/false is the chat API's)");
            logprobs = integer(body, "logprobs", 0, 0, MAX_LOGPROBS);
        }
        text(body, "user");
        zero(body, "presence_penalty");
        zero(body, "frequency_penalty");
        JsonNode bias = present(body, "logit_bias");
        if (bias != null && !(bias.isObject() && bias.isEmpty())) throw ApiError.invalid("logit_bias", "logit_bias is not implemented: leave it out");
        if (present(body, "suffix") != null) throw ApiError.invalid("suffix", "suffix (insertion) is not implemented: leave it out");
        return new CompletionRequest(model, prompts, maxTokens, temperature, topP, seed, stop, n, stream, includeUsage, echo, logprobs);
    }

    /** The field's node, or null when absent or JSON null (OpenAI's clients send null for "not given"). */
    private static JsonNode present(JsonNode body, String f) {
        JsonNode v = body.get(f);
        return v == null || v.isNull() ? null : v;
    }

    private static String text(JsonNode body, String f) {
        JsonNode v = present(body, f);
        if (v == null) return null;
        if (!v.isTextual()) throw ApiError.invalid(f, f + " must be a string, got " + v);
        return v.textValue();
    }

    private static boolean bool(JsonNode body, String f, boolean dflt) {
        JsonNode v = present(body, f);
        if (v == null) return dflt;
        if (!v.isBoolean()) throw ApiError.invalid(f, f + " must be true or false, got " + v);
        return v.booleanValue();
    }

    private static int integer(JsonNode body, String f, int dflt, int min, int max) {
        JsonNode v = present(body, f);
        if (v == null) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiError.invalid(f, f + " must be an integer, got " + v);
        int i = v.intValue();
        if (i < min || i > max) {
            throw ApiError.invalid(f, f + " must be " + (max == Integer.MAX_VALUE ? ">= " + min : "in [" + min + ", " + max + "]") + ", got " + i);
        }
        return i;
    }

    private static double number(JsonNode body, String f, double dflt, double min, double max, String domain) {
        JsonNode v = present(body, f);
        if (v == null) return dflt;
        if (!v.isNumber()) throw ApiError.invalid(f, f + " must be a number, got " + v);
        double d = v.doubleValue();
        if (!(d >= min && d <= max)) throw ApiError.invalid(f, f + " must be " + domain + ", got " + v);
        return d;
    }

    private static void zero(JsonNode body, String f) {
        JsonNode v = present(body, f);
        if (v != null && !(v.isNumber() && v.doubleValue() == 0)) throw ApiError.invalid(f, f + " is not implemented: leave it out or give 0, got " + v);
    }

    private static List<String> stop(JsonNode v) {
        if (v == null) return List.of();
        List<JsonNode> items = new ArrayList<>();
        if (v.isTextual()) items.add(v);
        else if (v.isArray()) v.forEach(items::add);
        else throw ApiError.invalid("stop", "stop must be a string or a list of strings, got " + v);
        if (items.size() > MAX_STOP) throw ApiError.invalid("stop", "stop takes at most " + MAX_STOP + " sequences, got " + items.size());
        List<String> out = new ArrayList<>();
        for (JsonNode s : items) {
            if (!s.isTextual() || s.textValue().isEmpty()) throw ApiError.invalid("stop", "each stop sequence must be a non-empty string, got " + s);
            out.add(s.textValue());
        }
        return List.copyOf(out);
    }

    /** A string, a list of strings, a list of token ids, or a list of lists of token ids (OpenAI's four forms). */
    private static List<Prompt> prompts(JsonNode v, int vocabSize) {
        if (v == null || v.isNull()) throw ApiError.invalid("prompt", "prompt is required");
        if (v.isTextual()) return List.of(textPrompt(v));
        if (!v.isArray() || v.isEmpty()) throw ApiError.invalid("prompt", "prompt must be a string, a non-empty list of strings, or token ids, got " + v);
        if (v.get(0).isIntegralNumber()) return List.of(new Prompt(null, ids(v, vocabSize)));
        List<Prompt> out = new ArrayList<>();
        for (JsonNode p : v) {
            if (p.isTextual()) out.add(textPrompt(p));
            else if (p.isArray()) out.add(new Prompt(null, ids(p, vocabSize)));
            else throw ApiError.invalid("prompt", "each prompt of the list must be a string or a list of token ids, got " + p);
            if (out.size() > MAX_CHOICES) throw ApiError.invalid("prompt", "at most " + MAX_CHOICES + " prompts per request");
        }
        return List.copyOf(out);
    }

    private static Prompt textPrompt(JsonNode p) {
        if (p.textValue().isEmpty()) throw ApiError.invalid("prompt", "the prompt is empty: there is no token to continue from");
        return new Prompt(p.textValue(), null);
    }

    private static int[] ids(JsonNode list, int vocabSize) {
        if (list.isEmpty()) throw ApiError.invalid("prompt", "a prompt of token ids is empty: there is no token to continue from");
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = list.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0 || t.intValue() >= vocabSize) {
                throw ApiError.invalid("prompt", "token id " + t + " at index " + i + " is not in the vocabulary [0, " + vocabSize + ")");
            }
            ids[i] = t.intValue();
        }
        return ids;
    }
}
