package dev.jlm.tensor;

import static dev.jlm.bindings.jlm_h.*;

import dev.jlm.JlmException;
import dev.jlm.bindings.jlm_h;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds and loads the shim once per process, checks it matches the bindings, and turns status codes into
 * exceptions. Search order: -Djlm.native=PATH, then $JLM_NATIVE, then build/native/libjlm.so under the
 * working directory or -Djlm.root.
 */
final class Native {
    private static volatile String loadedPath;

    private Native() {}

    static String path() {
        ensureLoaded();
        return loadedPath;
    }

    static void ensureLoaded() {
        if (loadedPath == null) load();
    }

    private static synchronized void load() {
        if (loadedPath != null) return;
        Path path = locate();
        try {
            System.load(path.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw new JlmException("cannot load the jlm shim " + path + ": " + e.getMessage()
                    + " (rebuild it against the installed libtorch: scripts/build-native)", e);
        }
        String built = string(jlm_header_sha256());
        if (!built.equals(jlm_h.HEADER_SHA256)) {
            throw new JlmException("the jlm shim " + path + " was built from another jlm.h (" + built.substring(0, 12)
                    + ") than these bindings (" + jlm_h.HEADER_SHA256.substring(0, 12)
                    + "): rebuild it with scripts/build-native");
        }
        loadedPath = path.toString();
    }

    private static Path locate() {
        String prop = System.getProperty("jlm.native");
        if (prop != null && !prop.isBlank()) return require(Path.of(prop), "-Djlm.native");
        String env = System.getenv("JLM_NATIVE");
        if (env != null && !env.isBlank()) return require(Path.of(env), "$JLM_NATIVE");
        Path root = Path.of(System.getProperty("jlm.root", "."));
        return require(root.resolve("build/native/libjlm.so"), "the default build folder");
    }

    private static Path require(Path p, String source) {
        if (!Files.isRegularFile(p)) {
            throw new JlmException("jlm shim not found at " + p.toAbsolutePath() + " (from " + source
                    + "): build it with scripts/build-native, or point -Djlm.native / JLM_NATIVE at libjlm.so");
        }
        return p;
    }

    static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.reinterpret(Long.MAX_VALUE).getString(0);
    }

    static String lastError() {
        return string(jlm_last_error());
    }

    /** A handle-returning call: NULL means failure, with the message on this thread. */
    static MemorySegment check(MemorySegment handle, String op) {
        if (handle.equals(MemorySegment.NULL)) throw new TorchException(op, lastError());
        return handle;
    }

    /** A status-returning call: 0 is success. */
    static void check(int status, String op) {
        if (status != 0) throw new TorchException(op, lastError());
    }
}
