package dev.jlm.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `jlm serve ARGS --port 0` in a child JVM ({@link ChildJvm}): it prints one line on stdout once the model is loaded,
 * {@code listening on http://127.0.0.1:PORT}, and the URL is read from it. Closing it kills the process.
 */
public record ServeChild(Process process, String url) implements AutoCloseable {
    static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:(\\d+))");

    /** Starts the server, its stderr into {@code stderr}, and waits up to 60 s for its line; fails with what it said otherwise. */
    public static ServeChild start(List<String> args, Path stderr) throws Exception {
        List<String> all = new ArrayList<>(List.of("serve"));
        all.addAll(args);
        all.addAll(List.of("--port", "0"));
        Process p = new ProcessBuilder(ChildJvm.jlm(all)).redirectError(stderr.toFile()).start();
        try {
            var stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return stdout.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(60, TimeUnit.SECONDS);
            Matcher m = LISTENING.matcher(line == null ? "" : line);
            if (!m.matches()) throw new AssertionError("jlm serve said '" + line + "', not 'listening on …': " + Files.readString(stderr));
            return new ServeChild(p, m.group(1));
        } catch (Exception | AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
