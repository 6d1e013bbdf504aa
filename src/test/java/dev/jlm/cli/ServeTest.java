package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.nn.Kernels;
import dev.jlm.serve.Server;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.testing.TokenFiles;
import dev.jlm.testing.TorchPython;
import dev.jlm.tokenizer.Tokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jlm serve`'s server, in-process on a free loopback port, with a model trained for 60 steps on corpus.en (vocab 300,
 * context 64). Oracles: the official openai Python client (scripts/reference/openai_client.py), `jlm eval` for the
 * prompt's log-probabilities, OpenAI's documented error shape and status codes, curl for the event framing.
 */
@Timeout(120)
class ServeTest {
    static final String MODEL = "tiny";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final String PROMPT = "It is a truth universally acknowledged";

    @TempDir static Path dir;
    static Path tok, ckpt;
    static Server server;

    @BeforeAll
    static void trainAndServe() throws Exception {
        tok = dir.resolve("tok");
        var bpe = CliTokenizerTest.run("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size", "300",
                "--special-token", "<|endoftext|>", "--out", tok.toString());
        assertEquals(0, bpe.code(), bpe.err());
        Path data = dir.resolve("train.bin");
        var t = CliTrainTest.run("tokenize", "--tokenizer", tok.toString(), "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--out",
                data.toString());
        assertEquals(0, t.code(), t.err());
        var run = CliTrainTest.run("train", "--train", data.toString(), "--valid", data.toString(), "--out", dir.resolve("run").toString(),
                "--vocab-size", "300", "--context-length", "64", "--d-model", "32", "--num-layers", "1", "--num-heads", "2", "--d-ff", "64",
                "--batch-size", "8", "--steps", "60", "--lr-max", "3e-3", "--device", "cpu", "--threads", "1");
        assertEquals(0, run.code(), run.err());
        ckpt = dir.resolve("run/last.safetensors");
        server = start(new Server.Options("127.0.0.1", 0, MODEL, 8, 60, 1 << 20, 10, 16));
    }

    static Server start(Server.Options o) throws Exception {
        var resolved = ModelFiles.resolve(ckpt, Map.of());
        return Server.start(o, () -> Checkpoint.load(resolved, Device.CPU, DType.FLOAT32, Kernels.Choice.AUTO.kernels()),
                Tokenizer.load(tok, List.of()), "<|endoftext|>");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    static HttpResponse<String> post(Server s, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(Server s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The texts of an event stream's chunks, checking its framing: data lines, a blank line after each, [DONE] last. */
    static List<JsonNode> events(String body) throws Exception {
        assertTrue(body.endsWith("data: [DONE]\n\n"), body);
        List<JsonNode> out = new ArrayList<>();
        String[] frames = body.substring(0, body.length() - "data: [DONE]\n\n".length()).split("\n\n", -1);
        assertEquals("", frames[frames.length - 1], "every event ends with a blank line");
        for (int i = 0; i < frames.length - 1; i++) {
            assertTrue(frames[i].startsWith("data: ") && !frames[i].contains("\n"), "one data line per event: " + frames[i]);
            out.add(JSON.readTree(frames[i].substring("data: ".length())));
        }
        return out;
    }

    static String streamedText(List<JsonNode> chunks, int index) {
        StringBuilder b = new StringBuilder();
        for (JsonNode c : chunks) for (JsonNode ch : c.get("choices")) if (ch.get("index").asInt() == index) b.append(ch.get("text").asText());
        return b.toString();
    }

    @Test
    void openaiPythonClientCompletesStreamsAndRaisesTheRightErrors() throws Exception {
        TorchPython.requireModule("openai");
        Process p = new ProcessBuilder(TorchPython.python(), Path.of(System.getProperty("jlm.root", ".")).resolve("scripts/reference/openai_client.py")
                .toString(), server.url(), MODEL, PROMPT).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "openai_client.py: " + out);
        JsonNode r = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(List.of(MODEL), JSON.convertValue(r.get("models"), List.class));
        assertEquals("text_completion", r.get("object").asText());
        String text = r.get("text").asText();
        StringBuilder streamed = new StringBuilder();
        r.get("chunks").forEach(c -> streamed.append(c.asText()));
        assertEquals(text, streamed.toString(), "streamed = whole, greedy");
        int prompt = Tokenizer.load(tok, List.of()).encode(PROMPT).length;
        assertEquals(prompt, r.at("/usage/prompt_tokens").asInt());
        assertEquals(r.at("/usage/prompt_tokens").asInt() + r.at("/usage/completion_tokens").asInt(), r.at("/usage/total_tokens").asInt());
        assertTrue(r.at("/usage/completion_tokens").asInt() <= 12);
        assertEquals("BadRequestError", r.at("/bad_temperature/class").asText(), r.toString());
        assertEquals(400, r.at("/bad_temperature/status").asInt());
        assertEquals("temperature", r.at("/bad_temperature/body/param").asText());
        assertEquals("BadRequestError", r.at("/chat/class").asText());
        assertEquals("no_chat_template", r.at("/chat/body/code").asText());
        assertEquals("NotFoundError", r.at("/other_model/class").asText());
        assertEquals(404, r.at("/other_model/status").asInt());
    }

    /** jlm eval of a token file holding exactly the prompt's ids, at context L − 1: its L − 1 targets are the prompt's tokens 1..L−1. */
    @Test
    void echoedPromptLogprobsSumToMinusEvalLossTimesTokens() throws Exception {
        int[] ids = Tokenizer.load(tok, List.of()).encode(PROMPT);
        int l = ids.length;
        assertTrue(l > 4 && l <= 64, "prompt of " + l + " tokens");
        var r = post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": " + JSON.writeValueAsString(PROMPT)
                + ", \"echo\": true, \"logprobs\": 0, \"max_tokens\": 0}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode c = JSON.readTree(r.body()).at("/choices/0");
        assertEquals(PROMPT, c.get("text").asText());
        JsonNode lp = c.at("/logprobs/token_logprobs");
        assertEquals(l, lp.size());
        assertTrue(lp.get(0).isNull(), "nothing predicts the first token");
        assertEquals(l, c.at("/logprobs/tokens").size());
        assertEquals(l, c.at("/logprobs/text_offset").size());
        assertTrue(c.at("/logprobs/top_logprobs/0").isNull());
        double sum = 0;
        for (int i = 1; i < l; i++) sum += lp.get(i).asDouble();
        assertEquals(l, JSON.readTree(r.body()).at("/usage/prompt_tokens").asInt());
        assertEquals(0, JSON.readTree(r.body()).at("/usage/completion_tokens").asInt());

        Path file = TokenFiles.write(dir.resolve("prompt.bin"), ids);
        var eval = CliTrainTest.run("eval", "--checkpoint", ckpt.toString(), "--data", file.toString(), "--windows", "1", "--context-length",
                Integer.toString(l - 1), "--device", "cpu", "--threads", "1");
        assertEquals(0, eval.code(), eval.err());
        JsonNode e = JSON.readTree(eval.out());
        assertEquals(l - 1, e.get("tokens").asInt());
        double expected = -e.get("loss").asDouble() * (l - 1);
        assertEquals(expected, sum, 1e-4 * Math.abs(expected), "Σ prompt logprobs vs −(eval loss × tokens)");
    }

    /**
     * The request lm-evaluation-harness's local-completions makes to score a continuation: token ids, echo, max_tokens 1,
     * logprobs 1; it reads token_logprobs[ctxlen:-1], so one token past the prompt must be reported (the end token too, where it
     * is the one generated: not forced here).
     */
    @Test
    void anLmEvalLoglikelihoodRequestGetsThePromptAndOneMoreToken() throws Exception {
        int[] ids = Tokenizer.load(tok, List.of()).encode(PROMPT);
        String list = JSON.writeValueAsString(ids);
        JsonNode scored = JSON.readTree(post(server, "/v1/completions", "{\"prompt\": [" + list + "], \"echo\": true, \"logprobs\": 1,"
                + " \"max_tokens\": 0}").body()).at("/choices/0/logprobs/token_logprobs");
        for (int[] prompt : List.of(ids, java.util.Arrays.copyOf(ids, ids.length / 2))) {
            var r = post(server, "/v1/completions", "{\"model\": \"tiny\", \"prompt\": [" + JSON.writeValueAsString(prompt) + "], \"echo\": true,"
                    + " \"logprobs\": 1, \"max_tokens\": 1, \"temperature\": 0, \"seed\": 1234}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode lp = JSON.readTree(r.body()).at("/choices/0/logprobs/token_logprobs");
            assertEquals(prompt.length + 1, lp.size(), r.body());
            for (int i = 1; i < prompt.length; i++) assertEquals(scored.get(i).asDouble(), lp.get(i).asDouble(), 1e-6, "token " + i);
        }
    }

    @Test
    void streamedAndWholeGreedyCompletionsAreIdentical() throws Exception {
        int stops = 0;
        for (String extra : List.of("", ", \"stop\": [\"e \", \"th\"]", ", \"n\": 2, \"echo\": true")) {
            String body = "{\"prompt\": [" + JSON.writeValueAsString(PROMPT) + ", \"The\"], \"max_tokens\": 20, \"temperature\": 0" + extra;
            var whole = post(server, "/v1/completions", body + "}");
            assertEquals(200, whole.statusCode(), whole.body());
            var streamed = post(server, "/v1/completions", body + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
            assertEquals(200, streamed.statusCode(), streamed.body());
            assertEquals("text/event-stream; charset=utf-8", streamed.headers().firstValue("Content-Type").orElse(""));
            List<JsonNode> chunks = events(streamed.body());
            JsonNode w = JSON.readTree(whole.body());
            assertEquals(w.get("choices").size(), chunks.stream().filter(c -> c.get("choices").size() == 1
                    && !c.at("/choices/0/finish_reason").isNull()).count(), "one finish per choice");
            for (JsonNode ch : w.get("choices")) {
                int i = ch.get("index").asInt();
                assertEquals(ch.get("text").asText(), streamedText(chunks, i), extra + " choice " + i);
                String reason = chunks.stream().map(c -> c.get("choices")).filter(cs -> cs.size() == 1 && cs.get(0).get("index").asInt() == i
                        && !cs.get(0).get("finish_reason").isNull()).findFirst().orElseThrow().get(0).get("finish_reason").asText();
                assertEquals(ch.get("finish_reason").asText(), reason);
                if (extra.contains("stop")) {
                    assertTrue(!ch.get("text").asText().contains("th") && !ch.get("text").asText().contains("e "), ch.toString());
                    stops += reason.equals("stop") ? 1 : 0;
                }
            }
            assertEquals(w.get("usage"), chunks.get(chunks.size() - 1).get("usage"), "the usage chunk");
        }
        assertTrue(stops > 0, "a stop sequence ended a choice");
    }

    /**
     * Continuous batching changes no answer: eight different requests (prompts of different lengths, greedy and sampled at
     * several temperatures and top-p, seeds, n, a stop sequence), each sent alone first, then all of them at once, whole and
     * streamed (16 requests decoding together): every one gets exactly the text and finish it got alone.
     */
    @Test
    void concurrentRequestsGetExactlyWhatEachGetsAlone() throws Exception {
        List<String> bodies = List.of(
                "{\"prompt\": " + JSON.writeValueAsString(PROMPT) + ", \"max_tokens\": 24, \"temperature\": 0",
                "{\"prompt\": \"The\", \"max_tokens\": 30, \"temperature\": 1, \"seed\": 7",
                "{\"prompt\": \"A\", \"max_tokens\": 17, \"temperature\": 0.7, \"top_p\": 0.9, \"seed\": 8",
                "{\"prompt\": \"It was the best of times\", \"max_tokens\": 25, \"temperature\": 1.3, \"seed\": 9, \"n\": 3",
                "{\"prompt\": \"We\", \"max_tokens\": 30, \"temperature\": 1, \"seed\": 10, \"stop\": [\"e \"]",
                "{\"prompt\": [\"In\", \"Of the\"], \"max_tokens\": 12, \"temperature\": 0.5, \"seed\": 11",
                "{\"prompt\": \"She said\", \"max_tokens\": 1, \"temperature\": 1, \"seed\": 12",
                "{\"prompt\": \"He\", \"max_tokens\": 40, \"temperature\": 0.9, \"top_p\": 0.5, \"seed\": 13");
        Server roomy = start(new Server.Options("127.0.0.1", 0, MODEL, 32, 60, 1 << 20, 10, 16));    // room for all 16 in the queue
        try {
            concurrentRequests(roomy, bodies);
        } finally {
            roomy.close();
        }
    }

    /** --max-batch 3: 5 requests (9 sequences, sent whole and streamed at once) through 3 rows still each get their solo answer. */
    @Test
    void aSmallBatchQueuesSequencesAndChangesNoAnswer() throws Exception {
        List<String> bodies = List.of(
                "{\"prompt\": \"The\", \"max_tokens\": 20, \"temperature\": 1, \"seed\": 7",
                "{\"prompt\": \"It was the best of times\", \"max_tokens\": 15, \"temperature\": 1.3, \"seed\": 9, \"n\": 3",
                "{\"prompt\": [\"In\", \"Of the\"], \"max_tokens\": 12, \"temperature\": 0.5, \"seed\": 11",
                "{\"prompt\": \"He\", \"max_tokens\": 25, \"temperature\": 0",
                "{\"prompt\": \"A\", \"max_tokens\": 9, \"temperature\": 0.7, \"top_p\": 0.9, \"seed\": 8, \"n\": 2");
        Server narrow = start(new Server.Options("127.0.0.1", 0, MODEL, 32, 60, 1 << 20, 10, 3));
        try {
            concurrentRequests(narrow, bodies);
        } finally {
            narrow.close();
        }
    }

    private static void concurrentRequests(Server target, List<String> bodies) throws Exception {
        List<JsonNode> alone = new ArrayList<>();
        for (String b : bodies) {
            var r = post(target, "/v1/completions", b + "}");
            assertEquals(200, r.statusCode(), r.body());
            alone.add(JSON.readTree(r.body()));
        }
        List<CompletableFuture<HttpResponse<String>>> whole = new ArrayList<>(), streamed = new ArrayList<>();
        for (String b : bodies) {
            whole.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(target.url() + "/v1/completions")).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(b + "}")).build(), HttpResponse.BodyHandlers.ofString()));
            streamed.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(target.url() + "/v1/completions")).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(b + ", \"stream\": true}")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < bodies.size(); i++) {
            var w = whole.get(i).get();
            assertEquals(200, w.statusCode(), w.body());
            JsonNode got = JSON.readTree(w.body());
            assertEquals(alone.get(i).get("choices"), got.get("choices"), bodies.get(i));
            assertEquals(alone.get(i).get("usage"), got.get("usage"), bodies.get(i));
            var s = streamed.get(i).get();
            assertEquals(200, s.statusCode(), s.body());
            List<JsonNode> chunks = events(s.body());
            for (JsonNode ch : alone.get(i).get("choices")) {
                assertEquals(ch.get("text").asText(), streamedText(chunks, ch.get("index").asInt()), "streamed: " + bodies.get(i));
            }
        }
    }

    /**
     * Greedy decoding (the KV cache) and scoring (one full forward, log-softmax) agree: each generated token is its
     * position's most probable one. A seed repeats its samples; choice i of n uses seed + i.
     */
    @Test
    void greedyTokensAreTheirTopLogprobAndSeedsRepeat() throws Exception {
        var r = post(server, "/v1/completions", "{\"prompt\": \"The\", \"max_tokens\": 12, \"temperature\": 0, \"logprobs\": 3,"
                + " \"stop\": \"@@@\"}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode lp = JSON.readTree(r.body()).at("/choices/0/logprobs");
        int n = lp.get("tokens").size();
        assertTrue(n > 0 && n <= 12, lp.toString());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            JsonNode top = lp.get("top_logprobs").get(i);
            String best = top.fieldNames().next();
            assertEquals(lp.get("tokens").get(i).asText(), best, "token " + i + ": " + top);
            assertEquals(lp.get("token_logprobs").get(i).asDouble(), top.get(best).asDouble(), 0.0);
            double mass = 0;
            for (JsonNode v : top) mass += Math.exp(v.asDouble());
            assertTrue(mass <= 1 + 1e-5, top.toString());
            text.append(lp.get("tokens").get(i).asText());
        }
        assertEquals(JSON.readTree(r.body()).at("/choices/0/text").asText(), text.toString().replaceFirst("<\\|endoftext\\|>$", ""),
                "the tokens spell the text (and the end token, where it ended the choice)");
        String sampled = "{\"prompt\": \"The\", \"max_tokens\": 12, \"temperature\": 1, \"seed\": 41, \"n\": 2}";
        JsonNode a = JSON.readTree(post(server, "/v1/completions", sampled).body()), b = JSON.readTree(post(server, "/v1/completions", sampled).body());
        assertEquals(a.get("choices"), b.get("choices"), "the same seed, the same samples");
        JsonNode c = JSON.readTree(post(server, "/v1/completions", sampled.replace("\"seed\": 41, \"n\": 2", "\"seed\": 42")).body());
        assertEquals(a.at("/choices/1/text"), c.at("/choices/0/text"), "choice 1 of seed 41 is choice 0 of seed 42");
    }

    /** Each refusal, with its status and OpenAI's error shape: {"error": {"message", "type", "param", "code"}}. */
    @Test
    void everyBadRequestIsRefusedInOpenAisShape() throws Exception {
        record Bad(String method, String path, String body, int status, String param) {}
        String huge = "{\"prompt\": \"" + "a".repeat((1 << 20) + 10) + "\"}";
        List<Bad> cases = List.of(
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\",", 400, null),                                   // bad JSON
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"prompt\": \"y\"}", 400, null),                 // a key twice
                new Bad("POST", "/v1/completions", "[1, 2]", 400, null),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"temprature\": 0}", 400, "temprature"),         // unknown field
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"temperature\": 2.5}", 400, "temperature"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"top_p\": 0}", 400, "top_p"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"n\": 0}", 400, "n"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 0}", 400, "max_tokens"),        // 0 without echo
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": \"5\"}", 400, "max_tokens"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"stream\": 1}", 400, "stream"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"logprobs\": 6}", 400, "logprobs"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"stop\": [\"\"]}", 400, "stop"),
                new Bad("POST", "/v1/completions", "{\"prompt\": [1, 300]}", 400, "prompt"),                             // id past the vocab
                new Bad("POST", "/v1/completions", "{\"prompt\": \"\"}", 400, "prompt"),
                new Bad("POST", "/v1/completions", "{\"max_tokens\": 3}", 400, "prompt"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"presence_penalty\": 1}", 400, "presence_penalty"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"model\": \"gpt-4\"}", 404, "model"),
                new Bad("POST", "/v1/completions", "{\"prompt\": \"" + "the ".repeat(80) + "\"}", 400, "prompt"),       // past the context
                new Bad("POST", "/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 64}", 400, "prompt"),             // 1 + 64 > 64
                new Bad("POST", "/v1/completions", huge, 413, null),
                new Bad("POST", "/v1/chat/completions", "{\"messages\": []}", 400, null),
                new Bad("GET", "/v1/completions", null, 405, null),
                new Bad("POST", "/v1/models", "{}", 405, null),
                new Bad("GET", "/v1/nothing", null, 404, null),
                new Bad("GET", "/", null, 404, null));
        for (Bad b : cases) {
            var r = b.method().equals("GET") ? get(server, b.path()) : post(server, b.path(), b.body());
            String what = b.method() + " " + b.path() + " " + (b.body() == null ? "" : b.body().substring(0, Math.min(80, b.body().length())));
            assertEquals(b.status(), r.statusCode(), what + " → " + r.body());
            JsonNode e = JSON.readTree(r.body());
            assertEquals(1, e.size(), what);
            JsonNode err = e.get("error");
            assertNotNull(err, what);
            assertEquals(List.of("message", "type", "param", "code"), fieldNames(err), what);
            assertTrue(err.get("message").asText().length() > 10, what);
            assertEquals("invalid_request_error", err.get("type").asText(), what);
            assertEquals(b.param() == null ? "null" : b.param(), b.param() == null ? err.get("param").toString() : err.get("param").asText(), what);
        }
        var past = post(server, "/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 64}");
        assertTrue(JSON.readTree(past.body()).at("/error/message").asText().contains("context length is 64 tokens, but 1 tokens of prompt + 64 of"
                + " max_tokens = 65"), past.body());
        assertEquals(200, get(server, "/health").statusCode(), "none of that hurt the server");
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aFullQueueIs429AndATimeLimitIs504() throws Exception {
        Server one = start(new Server.Options("127.0.0.1", 0, MODEL, 1, 60, 1 << 20, 10, 16));
        try {
            String slow = "{\"prompt\": \"The\", \"max_tokens\": 60, \"n\": 16, \"temperature\": 1, \"seed\": 1";
            // the first holds all 16 rows: streamed, and running once its first chunk is here (no race with the others)
            var first = HTTP.send(HttpRequest.newBuilder(URI.create(one.url() + "/v1/completions")).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(slow + ", \"stream\": true}")).build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, first.statusCode());
            var lines = first.body().iterator();
            while (lines.hasNext() && !lines.next().startsWith("data: {")) { }
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sent.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(one.url() + "/v1/completions")).timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(slow + "}")).build(), HttpResponse.BodyHandlers.ofString()));
            }
            int ok = 0, full = 0;
            for (var f : sent) {
                var r = f.get();
                if (r.statusCode() == 200) ok++;
                else {
                    assertEquals(429, r.statusCode(), r.body());
                    assertEquals("queue_full", JSON.readTree(r.body()).at("/error/code").asText());
                    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
                    full++;
                }
            }
            String last = "";
            while (lines.hasNext()) {
                String line = lines.next();
                if (!line.isEmpty()) last = line;
            }
            assertEquals("data: [DONE]", last, "the running request finished");
            assertTrue(ok >= 1 && full >= 1, ok + " answered, " + full + " refused: one runs, one waits, the rest are refused");
        } finally {
            one.close();
        }
        Server hasty = start(new Server.Options("127.0.0.1", 0, MODEL, 4, 1e-9, 1 << 20, 10, 16));
        try {
            var r = post(hasty, "/v1/completions", "{\"prompt\": \"The\", \"max_tokens\": 5}");
            assertEquals(504, r.statusCode(), r.body());
            assertEquals("timeout", JSON.readTree(r.body()).at("/error/code").asText());
            var s = post(hasty, "/v1/completions", "{\"prompt\": \"The\", \"max_tokens\": 5, \"stream\": true}");
            assertEquals(200, s.statusCode());
            assertTrue(s.body().startsWith("data: {\"error\": {") || s.body().startsWith("data: {\"error\":{"), s.body());
            assertEquals(200, get(hasty, "/health").statusCode());
        } finally {
            hasty.close();
        }
    }

    /** What SIGTERM's hook does: close() lets the request in flight finish, then stops listening. */
    @Test
    void closeLetsTheRequestInFlightFinish() throws Exception {
        Server s = start(new Server.Options("127.0.0.1", 0, MODEL, 4, 60, 1 << 20, 30, 16));
        String url = s.url();
        var inFlight = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/completions")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"prompt\": \"The\", \"max_tokens\": 60, \"n\": 16, \"seed\": 3}")).build(), HttpResponse.BodyHandlers.ofString());
        for (long t0 = System.nanoTime(); JSON.readTree(get(s, "/health").body()).get("running").asInt() == 0; Thread.sleep(5)) {
            assertTrue(System.nanoTime() - t0 < 30e9, "the request never started");
        }
        assertTrue(!inFlight.isDone(), "in flight when close() begins");
        s.close();
        var r = inFlight.get();
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(16, JSON.readTree(r.body()).get("choices").size());
        assertTrue(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).handle((ok, failed) -> failed != null).get(), "no longer listening");
    }

    /** `jlm serve` as a child process: one line on stdout once ready; SIGTERM lets the request in flight finish, then it exits. */
    @Test
    void sigtermFinishesTheRequestInFlightThenExits() throws Exception {
        try (var child = dev.jlm.testing.ServeChild.start(List.of("--checkpoint", ckpt.toString(), "--tokenizer", tok.toString(),
                "--threads", "1", "--model-name", MODEL), dir.resolve("serve.err"))) {
            Process p = child.process();
            String url = child.url();
            var inFlight = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/completions")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"prompt\": \"The\", \"max_tokens\": 60, \"n\": 16, \"seed\": 3}")).build(), HttpResponse.BodyHandlers.ofString());
            for (long t0 = System.nanoTime(); ; Thread.sleep(5)) {
                var h = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                if (JSON.readTree(h.body()).get("running").asInt() == 1) break;
                assertTrue(System.nanoTime() - t0 < 30e9, "the request never started");
            }
            p.destroy();                                                     // SIGTERM
            var r = inFlight.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(16, JSON.readTree(r.body()).get("choices").size());
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "exited");
            assertEquals(128 + 15, p.exitValue(), "ended by SIGTERM");
        }
    }

    /** What `jlm serve` checks before it loads anything: one line, exit 1 or 2, nothing printed on stdout. */
    @Test
    void theCommandRefusesBadSettingsBeforeLoading() throws Exception {
        var end = CliTrainTest.run("serve", "--checkpoint", ckpt.toString(), "--tokenizer", tok.toString(), "--end-token", "<|none|>");
        assertEquals(1, end.code(), end.err());
        assertEquals("jlm: --end-token '<|none|>' is not a special token of " + tok + " (it has: <|endoftext|>)", end.err());
        var name = CliTrainTest.run("serve", "--checkpoint", ckpt.toString(), "--tokenizer", tok.toString(), "--model-name", " ");
        assertEquals(2, name.code(), name.err());
        assertTrue(name.err().startsWith("jlm: --model-name must not be empty"), name.err());
        var port = CliTrainTest.run("serve", "--checkpoint", ckpt.toString(), "--tokenizer", tok.toString(), "--port", "65536");
        assertEquals(2, port.code(), port.err());
        assertTrue(port.err().startsWith("jlm: --port must be in [0, 65535], got 65536"), port.err());
        long models = modelThreads();
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            var busy = CliTrainTest.run("serve", "--checkpoint", ckpt.toString(), "--tokenizer", tok.toString(), "--port",
                    Integer.toString(taken.getLocalPort()), "--threads", "1");
            assertEquals(1, busy.code(), busy.err());
            assertEquals("jlm: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use (--port 0 takes a free port)",
                    busy.err());
            assertEquals("", busy.out());
        }
        assertEquals(models, modelThreads(), "the refused server's model thread ended");
        var failed = org.junit.jupiter.api.Assertions.assertThrows(dev.jlm.JlmException.class, () -> Server.start(new Server.Options("127.0.0.1", 0,
                MODEL, 1, 1, 1, 1, 1), () -> {
                    throw new dev.jlm.JlmException("the loader failed");
                }, Tokenizer.load(tok, List.of()), ""));
        assertEquals("the loader failed", failed.getMessage());
        assertEquals(models, modelThreads(), "a model that failed to load leaves no thread");
        for (var r : List.of(end, name, port)) assertEquals("", r.out());
    }

    /** A client that leaves mid-stream stops its decoding: the model is free long before the whole request would have ended. */
    @Test
    void aClientThatLeavesMidStreamFreesTheModel() throws Exception {
        String body = "{\"prompt\": [\"The\", \"A\", \"It\", \"We\"], \"max_tokens\": 60, \"n\": 16, \"seed\": 5, \"stream\": %s}";
        long t0 = System.nanoTime();
        assertEquals(200, post(server, "/v1/completions", body.formatted("false")).statusCode());
        double whole = (System.nanoTime() - t0) / 1e9;
        URI u = URI.create(server.url());
        byte[] json = body.formatted("true").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        double freed;
        try (var socket = new java.net.Socket(u.getHost(), u.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + json.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(json);
            socket.getOutputStream().flush();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.startsWith("data: "); ) assertTrue(!line.startsWith("HTTP/1.1 4"), line);
            t0 = System.nanoTime();
        }                                                                    // the client leaves after its first event
        while (JSON.readTree(get(server, "/health").body()).get("running").asInt() == 1) {
            assertTrue(System.nanoTime() - t0 < 60e9, "the model is still decoding for a client that left");
            Thread.sleep(2);
        }
        freed = (System.nanoTime() - t0) / 1e9;
        assertTrue(freed < whole / 2, "freed " + freed + " s after the client left; the whole request takes " + whole + " s");
    }

    static long modelThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("jlm-model")).count();
    }

    @Test
    void curlSeesServerSentEventFraming() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(curl), "not run: no curl");
        Process p = new ProcessBuilder(curl.toString(), "-sN", "--max-time", "60", "-H", "Content-Type: application/json", "-d",
                "{\"prompt\": \"The\", \"max_tokens\": 8, \"temperature\": 0, \"stream\": true}", server.url() + "/v1/completions")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Matcher m = Pattern.compile("(data: \\{[^\\n]*\\}\\n\\n)+data: \\[DONE\\]\\n\\n").matcher(out);
        assertTrue(m.matches(), out);
        List<JsonNode> chunks = events(out);
        for (JsonNode c : chunks) assertEquals("text_completion", c.get("object").asText());
        var whole = post(server, "/v1/completions", "{\"prompt\": \"The\", \"max_tokens\": 8, \"temperature\": 0}");
        assertEquals(JSON.readTree(whole.body()).at("/choices/0/text").asText(), streamedText(chunks, 0));
    }
}
