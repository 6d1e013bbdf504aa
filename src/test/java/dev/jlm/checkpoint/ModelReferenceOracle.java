package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;

/** scripts/reference/model_ref.py's eval: the independent PyTorch model's mean loss over the first N windows. */
final class ModelReferenceOracle {
    private ModelReferenceOracle() {}

    static double eval(Path ckpt, Path tokens, int windows) throws Exception {
        Path root = Path.of(System.getProperty("jlm.root", "."));
        Process p = new ProcessBuilder("/usr/bin/python3", root.resolve("scripts/reference/model_ref.py").toString(), "eval",
                ckpt.toString(), tokens.toString(), Integer.toString(windows)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow()).get("loss").asDouble();
    }
}
