package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.checkpoint.Safetensors;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jlm export` writes the model's own config: a --context-length other than the checkpoint's is refused (eval and generate
 * still run a model at another context); for a state dict without config, the given one is the config. Oracles: the
 * refusal's text, and config.json read back as JSON.
 */
class CliExportTest {
    static int contextLength(Path hf) throws Exception {
        return new ObjectMapper().readTree(hf.resolve("config.json").toFile()).get("context_length").asInt();
    }

    @Test
    void exportKeepsTheModelsOwnContextLength(@TempDir Path dir) throws Exception {
        Path data = TokenFiles.random(dir.resolve("t.bin"), 3000, 64, 1), run = dir.resolve("run");
        assertEquals(0, CliTrainTest.run(CliRobustnessTest.train(data, run, "--steps", "2")).code());
        Path last = run.resolve("last.safetensors");

        Path hf = dir.resolve("hf");
        var other = CliTrainTest.run("export", "--checkpoint", last.toString(), "--out", hf.toString(), "--context-length", "128");
        assertEquals(1, other.code(), other.err());
        assertTrue(other.err().startsWith("jlm: --context-length 128 disagrees with " + last + ": context_length is 16 in " + last
                + " (its metadata) (an export keeps the model's own config"), other.err());
        assertFalse(other.err().contains("\n"), other.err());
        assertFalse(Files.exists(hf), "nothing written");

        var same = CliTrainTest.run("export", "--checkpoint", last.toString(), "--out", hf.toString(), "--context-length", "16");
        assertEquals(0, same.code(), same.err());
        assertEquals(16, contextLength(hf));
        var eval = CliTrainTest.run("eval", "--checkpoint", last.toString(), "--data", data.toString(), "--windows", "2", "--context-length", "32");
        assertEquals(0, eval.code(), "eval still runs a model at a longer context: " + eval.err());

        Path sd = dir.resolve("sd.safetensors");                 // a state dict: no config anywhere, the flags are its config
        try (var s = TensorScope.open()) {
            Safetensors.write(sd, Safetensors.read(last, Device.CPU).tensors(), Map.of());
        }
        Path hf2 = dir.resolve("hf2");
        var given = CliTrainTest.run("export", "--checkpoint", sd.toString(), "--out", hf2.toString(), "--num-heads", "2", "--context-length", "64",
                "--rope-theta", "10000");
        assertEquals(0, given.code(), given.err());
        assertEquals(64, contextLength(hf2));
    }
}
