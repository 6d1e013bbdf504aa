package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jlm generate` end to end on a tokenizer trained on corpus.en and an (untrained) model of its vocab size. */
class CliGenerateTest {
    @Test
    void generatesWithEitherTokenizerFormatAndRejectsAMismatchedOne(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tok");
        var trained = CliTokenizerTest.run("bpe", "train", "--input", CliTokenizerTest.fixture("corpus.en").toString(), "--vocab-size",
                "300", "--special-token", "<|endoftext|>", "--out", tok.toString());
        assertEquals(0, trained.code(), trained.err());
        Path ok = dir.resolve("ok.safetensors"), wrong = dir.resolve("wrong.safetensors");
        try (var s = TensorScope.open()) {
            Torch.manualSeed(1);
            for (var e : Map.of(ok, 300, wrong, 512).entrySet()) {
                var c = ModelConfig.builder().vocabSize(e.getValue()).contextLength(8).dModel(16).numLayers(1).numHeads(2).build();
                Checkpoint.save(e.getKey(), new TransformerLm(c, Device.CPU, DType.FLOAT32), null, 0, Map.of());
            }
        }
        String[] args = {"generate", "--checkpoint", ok.toString(), "--tokenizer", tok.toString(), "--prompt",
                "the quick brown fox jumps over the lazy dog and keeps running", "--max-tokens", "20", "--seed", "4", "--end-token", ""};
        CliTrainTest.Run a = CliTrainTest.run(args);
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().startsWith("the quick brown fox"), a.out());
        assertTrue(a.err().contains("keeping its last 8"), a.err());   // the prompt is longer than the context (8)
        args[4] = tok.resolve("tokenizer.json").toString();             // HuggingFace's format: the same tokenizer
        assertEquals(a.out(), CliTrainTest.run(args).out());
        args[args.length - 1] = "<|none|>";                              // an end token the tokenizer lacks is refused, not ignored
        CliTrainTest.Run none = CliTrainTest.run(args);
        assertEquals(1, none.code());
        assertEquals("jlm: --end-token '<|none|>' is not a special token of " + args[4] + " (it has: <|endoftext|>)", none.err());
        CliTrainTest.Run cpuGraphs = CliTrainTest.run("generate", "--checkpoint", ok.toString(), "--tokenizer", tok.toString(), "--device", "cpu",
                "--cuda-graphs", "on");
        assertEquals(2, cpuGraphs.code());
        assertTrue(cpuGraphs.err().startsWith("jlm: --cuda-graphs on needs a GPU, and this runs on cpu: leave --cuda-graphs at auto, or choose"
                + " --device cuda:N"), cpuGraphs.err());
        assertEquals("", cpuGraphs.out());
        args[args.length - 1] = "";
        String[] off = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--cuda-graphs", "off")).toArray(String[]::new);
        assertEquals(a.out(), CliTrainTest.run(off).out(), "--cuda-graphs off on the CPU: the same text");
        CliTrainTest.Run m = CliTrainTest.run("generate", "--checkpoint", wrong.toString(), "--tokenizer", tok.toString());
        assertEquals(1, m.code());
        assertTrue(m.err().contains("has 300 tokens but the checkpoint's model has vocab size 512"), m.err());
    }
}
