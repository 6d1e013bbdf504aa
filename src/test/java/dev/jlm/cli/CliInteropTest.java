package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.testing.PyTorchOracle;
import dev.jlm.testing.TokenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI with files from other tools: `jlm export` to the HuggingFace layout, `jlm eval` on a PyTorch state dict
 * (written by scripts/reference/model_ref.py, no metadata) with model flags, `jlm train --init-from`. Oracle: the
 * original checkpoint's eval loss.
 */
class CliInteropTest {
    static double loss(CliTrainTest.Run r) throws Exception {
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out()).get("loss").asDouble();
    }

    @Test
    void exportEvalStateDictAndInitFrom(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("train.bin"), 3000, 64, 1), valid = TokenFiles.random(dir.resolve("valid.bin"), 600, 64, 2);
        Path run = dir.resolve("run");
        var t = CliTrainTest.run("train", "--train", train.toString(), "--out", run.toString(), "--vocab-size", "64", "--context-length", "16",
                "--d-model", "32", "--num-layers", "1", "--num-heads", "2", "--rope-theta", "1000", "--batch-size", "4", "--steps", "6",
                "--threads", "1");
        assertEquals(0, t.code(), t.err());
        String last = run.resolve("last.safetensors").toString();
        double reference = loss(CliTrainTest.run("eval", "--checkpoint", last, "--data", valid.toString(), "--windows", "8"));

        Path hf = dir.resolve("hf");
        var ex = CliTrainTest.run("export", "--checkpoint", last, "--out", hf.toString());
        assertEquals(0, ex.code(), ex.err());
        assertEquals(reference, loss(CliTrainTest.run("eval", "--checkpoint", hf.toString(), "--data", valid.toString(), "--windows", "8")), 0.0);
        var again = CliTrainTest.run("export", "--checkpoint", last, "--out", hf.toString());
        assertEquals(1, again.code());
        assertEquals("jlm: --out " + hf + " already holds config.json, model.safetensors; choose a new or empty folder", again.err());

        Path sd = dir.resolve("torch/model.safetensors");
        Files.createDirectories(sd.getParent());
        PyTorchOracle.run("state-dict", last, sd.toString());
        var missing = CliTrainTest.run("eval", "--checkpoint", sd.toString(), "--data", valid.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().endsWith("give --num-heads --context-length --rope-theta, or write them into " + sd.resolveSibling("config.json")),
                missing.err());
        assertEquals(reference, loss(CliTrainTest.run("eval", "--checkpoint", sd.toString(), "--num-heads", "2", "--context-length", "16",
                "--rope-theta", "1000", "--data", valid.toString(), "--windows", "8")), 0.0);

        // fine-tuning from the exported folder: the model config comes from it; a tiny lr keeps the weights (oracle: same loss)
        Path ft = dir.resolve("ft");
        List<String> init = List.of("train", "--train", train.toString(), "--out", ft.toString(), "--init-from", hf.toString(),
                "--batch-size", "4", "--steps", "1", "--lr-max", "1e-12", "--threads", "1");
        var tuned = CliTrainTest.run(init.toArray(String[]::new));
        assertEquals(0, tuned.code(), tuned.err());
        assertEquals(reference, loss(CliTrainTest.run("eval", "--checkpoint", ft.resolve("last.safetensors").toString(), "--data",
                valid.toString(), "--windows", "8")), 1e-6);
        var clash = CliTrainTest.run("train", "--train", train.toString(), "--out", dir.resolve("ft2").toString(), "--init-from", hf.toString(),
                "--d-model", "64");
        assertEquals(1, clash.code());
        assertTrue(clash.err().startsWith("jlm: --d-model 64 disagrees with " + hf.resolve("model.safetensors")), clash.err());
    }
}
