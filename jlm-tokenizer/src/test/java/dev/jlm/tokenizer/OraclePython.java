package dev.jlm.tokenizer;

/**
 * The Python holding the tokenizer oracles (-Djlm.python: the project venv, where scripts/setup installs tiktoken, HF
 * tokenizers and the regex module). Debian's own Python (the libtorch 1.13 lane) has none of them: there a test that
 * needs one is skipped, saying so; anywhere else a missing oracle fails the test.
 */
public final class OraclePython {
    private OraclePython() {}

    public static String python() {
        return System.getProperty("jlm.python", "python3");
    }

    /** Returns when {@code module} imports in {@link #python()}; else skips (Debian's Python) or fails, saying why. */
    public static void requireModule(String module) throws Exception {
        Process p = new ProcessBuilder(python(), "-c", "import " + module).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() == 0) return;
        org.junit.jupiter.api.Assumptions.assumeFalse(python().startsWith("/usr/bin/"),
                "not run: " + python() + " (Debian's Python) has no " + module + "; the default lane's venv runs this test");
        org.junit.jupiter.api.Assertions.fail(python() + " cannot import " + module + " (run scripts/setup, which installs it): " + out);
    }
}
