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

    @ParameterizedTest
    @CsvSource({"1", "8"})
    void tinyStoriesModelFlopsClosedForm(int batch) {
        Accounting a = new Accounting(ModelConfig.TINY_STORIES, batch);
        // 2·B·T·(L·(4D² + 3DF + 2TD) + DV) for the TinyStories model
        double b = batch, t = 256, d = 512, f = 1344, v = 10_000, l = 4;
        assertEquals(2 * b * t * (l * (4 * d * d + 3 * d * f + 2 * t * d) + d * v), a.totalForwardFlops(), 1);
        assertEquals(22_696_448L, a.params());   // 2·V·D + L·(4D² + 3DF + 2D) + D
    }
}
