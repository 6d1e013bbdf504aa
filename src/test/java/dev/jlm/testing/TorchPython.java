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
}
