package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.testing.TokenFiles;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `jlm train --config` then `jlm eval`: flags override the file; eval prints JSON equal to the last val loss. */
class CliTrainTest {
    record Run(int code, String out, String err) {}

    /** Runs a command capturing stdout, the command's error writer and the exit code. */
    static Run run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));     // before the CommandLine exists: picocli takes its writer then
        try {
            CommandLine cl = Jlm.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            cl.getOut().flush();
            return new Run(code, out.toString(), err.toString().strip());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void configFileFlagsAndEval(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("train.bin"), 2000, 64, 1), valid = TokenFiles.random(dir.resolve("valid.bin"), 500, 64, 2);
        Path cfg = Files.writeString(dir.resolve("run.json"), """
                {"train": "%s", "valid": "%s", "out": "%s", "vocab_size": 64, "context_length": 16, "d_model": 32,
                 "num_layers": 1, "num_heads": 2, "batch_size": 4, "steps": 50, "eval_every": 3, "eval_windows": 8, "threads": 1}
                """.formatted(train, valid, dir.resolve("run")));
        Run r = run("train", "--config", cfg.toString(), "--steps", "6");   // the flag wins over the file's 50
        assertEquals(0, r.code(), r.err());
        var lines = Files.readAllLines(dir.resolve("run/metrics.jsonl"));
        assertEquals(6, lines.size());
        double lastVal = new ObjectMapper().readTree(lines.get(5)).get("val_loss").asDouble();
        Run e = run("eval", "--checkpoint", dir.resolve("run/last.safetensors").toString(), "--data", valid.toString(), "--windows", "8");
        assertEquals(0, e.code(), e.err());
        var json = new ObjectMapper().readTree(e.out());
        assertEquals(lastVal, json.get("loss").asDouble(), 1e-6);
        assertEquals(8 * 16, json.get("tokens").asLong());

        Run bad = run("train", "--config", cfg.toString(), "--num-heads", "3");
        assertEquals(2, bad.code());                                    // flags that contradict each other: a usage error
        assertEquals("jlm: --d-model 32 is not divisible by --num-heads 3 (see: jlm train --help)", bad.err());
        Path wrong = Files.writeString(dir.resolve("w.json"), "{\"learning_rate\": 1}");
        assertEquals("jlm: --config " + wrong + ": unknown option 'learning_rate'", run("train", "--config", wrong.toString()).err());
        Path notCkpt = Files.writeString(dir.resolve("x.safetensors"), "nope");
        Run ev = run("eval", "--checkpoint", notCkpt.toString(), "--data", valid.toString());
        assertEquals(1, ev.code());
        assertTrue(ev.err().startsWith("jlm: " + notCkpt + ": not a safetensors file"), ev.err());
    }
}
