package dev.jlm.tokenizer.tiktoken;

/** The Python with the oracles (-Djlm.python: the project venv, which has tiktoken and the regex module). */
final class Python {
    private Python() {}

    static String python() {
        return System.getProperty("jlm.python", "python3");
    }

    /** Fails, saying so, when {@code module} does not import in {@link #python()}. */
    static void requireModule(String module) throws Exception {
        Process p = new ProcessBuilder(python(), "-c", "import " + module).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) org.junit.jupiter.api.Assertions.fail(python() + " cannot import " + module + " (run scripts/setup): " + out);
    }
}
