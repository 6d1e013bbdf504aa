package dev.jlm.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Python whose torch is the shim's libtorch (scripts/setup records it; scripts/test passes it as -Djlm.python): every
 * PyTorch oracle and every torchrun a test starts comes from the same torch as the code under test.
 */
public final class TorchPython {
    private TorchPython() {}

    /** The interpreter: a project venv's python for a pip torch, /usr/bin/python3 for Debian's python3-torch. */
    public static String python() {
        return System.getProperty("jlm.python", "/usr/bin/python3");
    }

    /** That torch's torchrun: beside the interpreter (a venv's bin/, or /usr/bin). */
    public static String torchrun() {
        Path beside = Path.of(python()).resolveSibling("torchrun");
        return Files.isExecutable(beside) ? beside.toString() : "torchrun";
    }

    /**
     * Holds when {@code module} imports in {@link #python()}. A project venv (the default lane) must have it (scripts/setup
     * installs the oracles there): missing, the test fails saying so. Debian's python3 (the 1.13 lane) has no such
     * packages: there the test is not run (a JUnit assumption, reported as skipped, never as a pass).
     */
    public static void requireModule(String module) throws Exception {
        Process p = new ProcessBuilder(python(), "-c", "import " + module).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() == 0) return;
        org.junit.jupiter.api.Assumptions.assumeFalse(python().startsWith("/usr/bin/"),
                "not run: " + python() + " (Debian's Python) has no " + module + "; the default lane's venv runs this test");
        org.junit.jupiter.api.Assertions.fail(python() + " cannot import " + module + " (run scripts/setup, which installs it): " + out);
    }
}
