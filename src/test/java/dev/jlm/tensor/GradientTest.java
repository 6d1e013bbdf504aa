package dev.jlm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlm.nn.Functional;
import org.junit.jupiter.api.Test;

/** Oracle: central finite differences in float64 for a composed expression. */
class GradientTest {
    static double f(Tensor x, Tensor w) {           // Σ softmax(x @ w)·sin(x @ w) + mean(exp(x)²)
        Tensor h = x.matmul(w);
        return Functional.softmax(h, -1).mul(h.sin()).sum().add(x.exp().pow(2).mean()).item();
    }

    @Test
    void autogradMatchesFiniteDifferences() {
        try (var s = TensorScope.open()) {
            Torch.manualSeed(1);
            Tensor x = Torch.randn(DType.FLOAT64, Device.CPU, 3, 4).requiresGrad(true);
            Tensor w = Torch.randn(DType.FLOAT64, Device.CPU, 4, 5);
            Tensor h = x.matmul(w);
            Functional.softmax(h, -1).mul(h.sin()).sum().add(x.exp().pow(2).mean()).backward();
            double[] grad = x.grad().toDoubleArray();
            double[] base = x.detach().toDoubleArray();
            double eps = 1e-6;
            for (int i = 0; i < base.length; i++) {
                double[] plus = base.clone(), minus = base.clone();
                plus[i] += eps;
                minus[i] -= eps;
                double fd = (f(Torch.fromArray(plus, 3, 4), w) - f(Torch.fromArray(minus, 3, 4), w)) / (2 * eps);
                assertEquals(fd, grad[i], 1e-6, "d/dx[" + i + "]");
            }
        }
    }
}
