package dev.jlm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.tensor.DType;
import dev.jlm.tensor.Profiler;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Oracle: the elements of the model actually built (its tensors' numel, not its declarations). */
class AccountingTest {
    @ParameterizedTest
    @CsvSource({"PRE, SWIGLU, 64", "NONE, SWIGLU, 0", "POST, SILU, 0", "PRE, SILU, 96"})
    void paramCountMatchesBuiltModel(ModelConfig.Norm norm, ModelConfig.Ffn ffn, int dFf) {
        ModelConfig c = ModelConfig.builder().vocabSize(101).contextLength(16).dModel(32).numLayers(3).numHeads(4).dFf(dFf).norm(norm).ffn(ffn).build();
        try (var s = TensorScope.open()) {
            long elements = 0;
            for (var t : new TransformerLm(c, Device.CPU, DType.FLOAT32).params().named().values()) elements += t.numel();
            assertEquals(elements, new Accounting(c, 1).params());
        }
    }

    /** Oracle: the FLOPs of the matrix products a forward pass of the built model really executes, as libtorch's profiler counts them. */
    @ParameterizedTest
    @CsvSource({"PRE, SWIGLU, 1", "NONE, SILU, 3", "POST, SWIGLU, 2"})
    void forwardFlopsAreTheMatmulsTheModelExecutes(ModelConfig.Norm norm, ModelConfig.Ffn ffn, int batch, @TempDir Path dir) throws Exception {
        ModelConfig c = ModelConfig.builder().vocabSize(101).contextLength(24).dModel(32).numLayers(3).numHeads(4).norm(norm).ffn(ffn).build();
        Path events = dir.resolve("events.tsv");
        try (var s = TensorScope.open(); var g = dev.jlm.tensor.NoGrad.enter()) {
            var model = new TransformerLm(c, Device.CPU, DType.FLOAT32);
            var ids = dev.jlm.tensor.Torch.randint(0, 101, Device.CPU, batch, 24);
            Profiler.start(true, false);
            model.forward(ids);
            Profiler.stop(events);
        }
        long executed = 0;                                   // push lines: push, thread, handle, ns, seq, flops, gpu_ns, name
        for (String line : Files.readAllLines(events)) {
            String[] f = line.split("\t", 8);
            if (f[0].equals("push") && List.of("aten::mm", "aten::bmm", "aten::addmm", "aten::baddbmm").contains(f[7])) executed += Long.parseLong(f[5]);
        }
        assertTrue(executed > 0, "the profiler counted no matrix products");
        assertEquals((double) executed, new Accounting(c, batch).totalForwardFlops(), 0.0);
    }

    /**
     * The handout's GPT-2 XL shape (V 50257, T 1024, L 48, D 1600, H 25, d_ff 6400), worked by hand: parameters
     * 2·50257·1600 + 48·(4·1600² + 3·1600·6400 + 2·1600) + 1600 = 2,127,057,600; forward FLOPs for one 1024-token
     * sequence 48·(2T·4D² + 4T²D + 2T·3DF) + 2TDV = 4.513e12.
     */
    @Test
    void gpt2XlWorkedByHand() {
        ModelConfig xl = ModelConfig.builder().vocabSize(50_257).contextLength(1024).dModel(1600).numLayers(48).numHeads(25).dFf(6400).build();
        Accounting a = new Accounting(xl, 1);
        assertEquals(2_127_057_600L, a.params());
        assertEquals(4.513e12, a.totalForwardFlops(), 0.001e12);
    }
}
