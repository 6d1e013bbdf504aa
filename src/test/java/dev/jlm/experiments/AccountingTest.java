package dev.jlm.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Oracle: the parameter count of the model actually built. */
class AccountingTest {
    @ParameterizedTest
    @CsvSource({"PRE, SWIGLU, 64", "NONE, SWIGLU, 0", "POST, SILU, 0", "PRE, SILU, 96"})
    void paramCountMatchesBuiltModel(ModelConfig.Norm norm, ModelConfig.Ffn ffn, int dFf) {
        ModelConfig c = ModelConfig.of(101, 16, 32, 3, 4, dFf, 1e4, norm, ModelConfig.Position.ROPE, ffn);
        try (var s = TensorScope.open()) {
            assertEquals(new TransformerLm(c, Device.CPU, DType.FLOAT32).params().count(), new Accounting(c, 1).params());
        }
    }

    /** Oracle: the FLOPs of the matmuls a forward pass of the built model really executes (counted in Tensor.matmul). */
    @ParameterizedTest
    @CsvSource({"PRE, SWIGLU, 1", "NONE, SILU, 3", "POST, SWIGLU, 2"})
    void forwardFlopsAreTheMatmulsTheModelExecutes(ModelConfig.Norm norm, ModelConfig.Ffn ffn, int batch) {
        ModelConfig c = ModelConfig.of(101, 24, 32, 3, 4, 0, 1e4, norm, ModelConfig.Position.ROPE, ffn);
        try (var s = TensorScope.open(); var g = dev.jlm.tensor.NoGrad.enter()) {
            var model = new TransformerLm(c, Device.CPU, DType.FLOAT32);
            var ids = dev.jlm.tensor.Torch.randint(0, 101, Device.CPU, batch, 24);
            dev.jlm.tensor.Tensor.countMatmulFlops(true);
            model.forward(ids);
            long executed = dev.jlm.tensor.Tensor.countMatmulFlops(false);
            assertEquals((double) executed, new Accounting(c, batch).totalForwardFlops(), 0.0);
        }
    }

    /**
     * The handout's GPT-2 XL shape (V 50257, T 1024, L 48, D 1600, H 25, d_ff 6400), worked by hand: parameters
     * 2·50257·1600 + 48·(4·1600² + 3·1600·6400 + 2·1600) + 1600 = 2,127,057,600; forward FLOPs for one 1024-token
     * sequence 48·(2T·4D² + 4T²D + 2T·3DF) + 2TDV = 4.513e12.
     */
    @org.junit.jupiter.api.Test
    void gpt2XlWorkedByHand() {
        ModelConfig xl = ModelConfig.of(50_257, 1024, 1600, 48, 25, 6400, 1e4, ModelConfig.Norm.PRE, ModelConfig.Position.ROPE, ModelConfig.Ffn.SWIGLU);
        Accounting a = new Accounting(xl, 1);
        assertEquals(2_127_057_600L, a.params());
        assertEquals(4.513e12, a.totalForwardFlops(), 0.001e12);
    }
}
