package dev.jlm.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An OpenAI-compatible HTTP server for one local model: {@code POST /v1/completions} (streamed as server-sent events or
 * not), {@code GET /v1/models}, {@code GET /health}; {@code POST /v1/chat/completions} is refused (a BPE tokenizer carries
 * no chat template). Errors are OpenAI's shape ({@link ApiError}); nothing a client sends gets a 500 or stops the server.
 *
 * <p>The HTTP layer is the JDK's own {@code com.sun.net.httpserver.HttpServer}: a loopback server for a local model needs
 * HTTP/1.1, chunked responses (for the events) and one handler, which it has, and no dependency comes with it; each
 * exchange runs on a virtual thread, so a slow client holds no platform thread. The model is not touched by those threads:
 * every request is a job on the one {@link ModelThread}, through a bounded queue (full: 429). Concurrent requests are
 * decoded together: the model thread batches every active sequence into one forward per token (continuous batching over
 * the KV cache), each as it would decode alone.
 */
public final class Server implements AutoCloseable {
    /**
     * @param host           the address to bind (127.0.0.1 by default: loopback only)
     * @param port           0 takes a free port
     * @param modelName      the model's id in /v1/models and in every response
     * @param maxQueue       requests that may wait for the model (beyond the running one); more are answered 429
     * @param requestTimeout seconds a request may take, queueing included; past it, 504
     * @param maxBodyBytes   a larger request body is answered 413
     * @param shutdownGrace  seconds {@link #close} waits for requests in flight
     * @param maxBatch       sequences decoded together (rows of the KV cache; a request's n choices take n), at least 1
     */
    public record Options(String host, int port, String modelName, int maxQueue, double requestTimeout, long maxBodyBytes,
                          double shutdownGrace, int maxBatch) {
        public Options {
            if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1 (a decoder needs a row), got " + maxBatch);
        }
    }

    private static final long DRAIN = 8L << 20;          // bytes of a refused body read before answering 413
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Options opts;
    private final Tokenizer tok;
    private final int end, contextLength, vocabSize;
    private final ModelThread modelThread;
    private final HttpServer http;
    private final ExecutorService exchanges = Executors.newVirtualThreadPerTaskExecutor();
    private final long created = System.currentTimeMillis() / 1000;
    private volatile boolean closing;

    private Server(Options opts, HttpServer http, Tokenizer tok, String endToken, ModelThread modelThread, TransformerLm model) {
        this.opts = opts;
        this.http = http;
        this.tok = tok;
        this.end = endToken == null || endToken.isEmpty() ? -1 : tok.specialId(endToken);
        this.modelThread = modelThread;
        this.contextLength = model.config().contextLength();
        this.vocabSize = model.config().vocabSize();
        http.createContext("/", this::handle);
        http.setExecutor(exchanges);
        http.start();
    }

    /**
     * Binds the address (a port in use is refused before anything loads), loads the model on the model thread
     * ({@code loader} runs there: its tensors are that thread's), then answers. The tokenizer must be the model's (the same
     * vocabulary size); {@code endToken} (a special token, or empty) ends a choice.
     */
    public static Server start(Options opts, java.util.concurrent.Callable<TransformerLm> loader, Tokenizer tok, String endToken)
            throws Exception {
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(opts.host(), opts.port()), 64);
        } catch (java.net.BindException e) {
            throw new dev.jlm.JlmException("cannot listen on " + opts.host() + ":" + opts.port() + ": " + e.getMessage()
                    + (opts.port() == 0 ? "" : " (--port 0 takes a free port)"), e);
        }
        ModelThread mt = new ModelThread(loader, opts.maxQueue(), opts.maxBatch());
        try {
            return new Server(opts, http, tok, endToken, mt, mt.awaitReady());
        } catch (Exception e) {
            mt.close();
            try {
                http.stop(0);                                      // never started: only its socket to close
            } catch (RuntimeException ignored) {
                // the socket is closed with the process
            }
            throw e;
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** http://HOST:PORT, as a client reaches it. */
    public String url() {
        String h = http.getAddress().getHostString();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
    }

    /**
     * Stops listening, lets the requests in flight finish (up to the grace period), then the queued jobs, then frees the
     * model. Idempotent.
     */
    @Override
    public synchronized void close() throws InterruptedException {
        if (closing && exchanges.isShutdown()) return;
        closing = true;
        http.stop((int) Math.ceil(opts.shutdownGrace()));  // closes the listener; waits for the exchanges in flight
        modelThread.close();
        exchanges.shutdown();
        exchanges.awaitTermination(5, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ routing

    private void handle(HttpExchange ex) {
        try (ex) {
            try {
                route(ex);
            } catch (ApiError e) {
                send(ex, e.status, e.body());
            } catch (IOException e) {
                // the client went away: nothing to answer
            } catch (RuntimeException e) {
                System.err.println("jlm serve: internal error (a bug) on " + ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + e);
                send(ex, 500, new ApiError(500, "server_error", null, null, "internal error (a bug in jlm serve): " + e).body());
            }
        } catch (IOException ignored) {
            // the answer could not be written: the client went away
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath(), method = ex.getRequestMethod();
        switch (path) {
            case "/v1/completions" -> {
                allow(ex, "POST");
                completions(ex);
            }
            case "/v1/chat/completions" -> {
                allow(ex, "POST");
                throw new ApiError(400, "invalid_request_error", null, "no_chat_template", "this model's tokenizer has no chat template"
                        + " (a byte-level BPE vocabulary and merges, no chat_template), so chat messages cannot be turned into a prompt:"
                        + " use POST /v1/completions with a text prompt");
            }
            case "/v1/models" -> {
                allow(ex, "GET");
                send(ex, 200, Map.of("object", "list", "data", List.of(modelCard())));
            }
            case "/health" -> {
                allow(ex, "GET");
                if (closing) send(ex, 503, Map.of("status", "shutting down"));
                else send(ex, 200, Map.of("status", "ok", "model", opts.modelName(), "running", modelThread.running() ? 1 : 0, "waiting",
                        modelThread.waiting()));
            }
            default -> {
                if (path.equals("/v1/models/" + opts.modelName())) {
                    allow(ex, "GET");
                    send(ex, 200, modelCard());
                    return;
                }
                throw new ApiError(404, "invalid_request_error", null, "not_found", "no such endpoint: " + method + " " + path
                        + " (this server has POST /v1/completions, GET /v1/models, GET /health)");
            }
        }
    }

    private static void allow(HttpExchange ex, String method) {
        if (ex.getRequestMethod().equalsIgnoreCase(method)) return;
        ex.getResponseHeaders().set("Allow", method);
        throw new ApiError(405, "invalid_request_error", null, "method_not_allowed", ex.getRequestMethod() + " " + ex.getRequestURI().getPath()
                + " is not allowed: use " + method);
    }

    private Map<String, Object> modelCard() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", opts.modelName());
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "jlm");
        m.put("max_model_len", contextLength);
        return m;
    }

    // ------------------------------------------------------------------ completions

    private void completions(HttpExchange ex) throws IOException {
        long arrived = System.nanoTime();
        JsonNode body = readJson(ex);
        CompletionRequest req = CompletionRequest.parse(body, vocabSize);
        if (req.model() != null && !req.model().equals(opts.modelName())) {
            throw new ApiError(404, "invalid_request_error", "model", "model_not_found", "the model '" + req.model() + "' does not exist here:"
                    + " this server has '" + opts.modelName() + "'");
        }
        if (req.stream() && req.logprobs() != null) {
            throw ApiError.invalid("logprobs", "logprobs with stream is not implemented: ask without stream");
        }
        Tokenizer mine = tok.copy();                                        // a tokenizer's cache is one thread's
        List<int[]> prompts = new ArrayList<>();
        for (CompletionRequest.Prompt p : req.prompts()) {
            int[] ids = p.ids() != null ? p.ids() : mine.encode(p.text());
            if (ids.length == 0) throw ApiError.invalid("prompt", "the prompt has no tokens");
            if (ids.length + req.maxTokens() > contextLength) {
                throw new ApiError(400, "invalid_request_error", "prompt", "context_length_exceeded", "this model's context length is "
                        + contextLength + " tokens, but " + ids.length + " tokens of prompt + " + req.maxTokens() + " of max_tokens = "
                        + (ids.length + req.maxTokens()) + " were asked for: shorten the prompt or lower max_tokens");
            }
            prompts.add(ids);
        }
        long deadline = arrived + (long) (opts.requestTimeout() * 1e9);
        CompletionJob job = new CompletionJob(req, prompts, mine, end, deadline, opts.requestTimeout());
        if (closing) throw new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
        if (!modelThread.offer(job)) {
            ex.getResponseHeaders().set("Retry-After", "1");
            throw new ApiError(429, "rate_limit_error", null, "queue_full", "the queue is full (" + opts.maxQueue()
                    + " requests waiting for the model, --max-queue): retry later");
        }
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long createdAt = System.currentTimeMillis() / 1000;
        if (req.stream()) stream(ex, job, req, id, createdAt, deadline);
        else whole(ex, job, req, id, createdAt, deadline);
    }

    /** The next event; past the deadline (and a margin for the job to notice it itself), a timeout. */
    private CompletionJob.Event next(CompletionJob job, long deadline) {
        try {
            long left = deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            CompletionJob.Event e = job.events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (e != null) return e;
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        job.cancelled = true;
        return new CompletionJob.Failed(new ApiError(504, "timeout_error", null, "timeout", "the request ran past the time limit of "
                + opts.requestTimeout() + " s (--request-timeout)"));
    }

    private void whole(HttpExchange ex, CompletionJob job, CompletionRequest req, String id, long createdAt, long deadline) throws IOException {
        int choices = req.prompts().size() * req.n();
        StringBuilder[] text = new StringBuilder[choices];
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < choices; i++) text[i] = new StringBuilder();
        for (int i = 0; i < choices; i++) out.add(null);
        while (true) {
            switch (next(job, deadline)) {
                case CompletionJob.Text t -> text[t.index()].append(t.text());
                case CompletionJob.Finish f -> out.set(f.index(), choice(f.index(), text[f.index()].toString(), f.logprobs(), f.reason()));
                case CompletionJob.Failed f -> throw f.error();
                case CompletionJob.Done d -> {
                    Map<String, Object> r = head(id, createdAt);
                    r.put("choices", out);
                    r.put("usage", usage(d));
                    send(ex, 200, r);
                    return;
                }
            }
        }
    }

    /** Server-sent events: one {@code data: {json}} per piece of text and per finished choice, then {@code data: [DONE]}. */
    private void stream(HttpExchange ex, CompletionJob job, CompletionRequest req, String id, long createdAt, long deadline) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream os = ex.getResponseBody();
        try {
            while (true) {
                Map<String, Object> chunk = head(id, createdAt);
                switch (next(job, deadline)) {
                    case CompletionJob.Text t -> chunk.put("choices", List.of(choice(t.index(), t.text(), null, null)));
                    case CompletionJob.Finish f -> chunk.put("choices", List.of(choice(f.index(), "", null, f.reason())));
                    case CompletionJob.Failed f -> {
                        event(os, JSON.writeValueAsString(f.error().body()));   // the openai clients raise it
                        return;
                    }
                    case CompletionJob.Done d -> {
                        if (req.includeUsage()) {
                            chunk.put("choices", List.of());
                            chunk.put("usage", usage(d));
                            event(os, JSON.writeValueAsString(chunk));
                        }
                        event(os, "[DONE]");
                        return;
                    }
                }
                event(os, JSON.writeValueAsString(chunk));
            }
        } catch (IOException e) {
            job.cancelled = true;                                  // the client left: the model stops at its next token
            throw e;
        }
    }

    private static void event(OutputStream os, String data) throws IOException {
        os.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
    }

    private Map<String, Object> head(String id, long createdAt) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("object", "text_completion");
        r.put("created", createdAt);
        r.put("model", opts.modelName());
        return r;
    }

    private static Map<String, Object> choice(int index, String text, Map<String, Object> logprobs, String finish) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("index", index);
        c.put("text", text);
        c.put("logprobs", logprobs);
        c.put("finish_reason", finish);
        return c;
    }

    private static Map<String, Object> usage(CompletionJob.Done d) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", d.promptTokens());
        u.put("completion_tokens", d.completionTokens());
        u.put("total_tokens", d.promptTokens() + d.completionTokens());
        return u;
    }

    // ------------------------------------------------------------------ bodies

    private JsonNode readJson(HttpExchange ex) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > opts.maxBodyBytes()) throw tooLarge(ex);
            } catch (NumberFormatException e) {
                throw ApiError.invalid(null, "Content-Length is not a number: " + declared);
            }
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, opts.maxBodyBytes() + 1));
            if (body.length > opts.maxBodyBytes()) throw tooLarge(ex);
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null || n.isMissingNode()) throw ApiError.invalid(null, "the body is empty: a JSON object is expected");
            return n;
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * 413, with the connection closed after it (the rest of the body is not read); up to {@link #DRAIN} bytes of it are read
     * first, so that a client still sending sees the answer instead of a reset connection.
     */
    private ApiError tooLarge(HttpExchange ex) {
        try {
            InputStream in = ex.getRequestBody();
            byte[] buf = new byte[64 << 10];
            for (long left = DRAIN; left > 0; ) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) break;
                left -= r;
            }
        } catch (IOException e) {
            // the client went away: the connection closes either way
        }
        ex.getResponseHeaders().set("Connection", "close");
        return new ApiError(413, "invalid_request_error", null, "request_too_large", "the request body is larger than " + opts.maxBodyBytes()
                + " bytes (--max-body-bytes)");
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }
}
