package dev.jlm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * scripts/reference/model_ref.py: an independent PyTorch implementation of the CS336 model (the torch of the shim, TorchPython),
 * run as a child process. The oracle of every test that compares jlm's model with PyTorch's.
 */
public final class PyTorchOracle {
    static final Path SCRIPT = Path.of(System.getProperty("jlm.root", ".")).resolve("scripts/reference/model_ref.py");

    private PyTorchOracle() {}

    /** The PyTorch model's mean loss over the first {@code windows} windows of {@code tokens}, for the model in {@code ckpt}. */
    public static double eval(Path ckpt, Path tokens, int windows) throws Exception {
        String out = run("eval", ckpt.toString(), tokens.toString(), Integer.toString(windows));
        return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow()).get("loss").asDouble();
    }

    /** model_ref.py with these arguments (state-dict, eval, …); its output, after asserting it exited 0. */
    public static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TorchPython.python(), SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "model_ref.py " + String.join(" ", args) + ": " + out);
        return out;
    }
}
