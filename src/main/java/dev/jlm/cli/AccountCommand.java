package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.nn.Accounting;
import dev.jlm.nn.ModelConfig;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "account", header = "Parameter count, memory and forward FLOPs by component of a model configuration.",
        showDefaultValues = true)
final class AccountCommand implements Callable<Integer>, SettingFlags.Host {
    final ModelOptions model = new ModelOptions();
    @Domain("> 0") @Option(names = "--batch-size", description = "sequences per step, for the activation memory and FLOPs") long batch = 1;

    @Override
    public java.util.List<SettingFlags> settingFlags() {
        return java.util.List.of(model.flags);
    }

    @Override
    public Integer call() throws Exception {
        ModelConfig c = model.config();
        Accounting a = new Accounting(c, batch);
        System.out.printf(Locale.ROOT, "model: vocab %d, context %d, d_model %d, %d layers, %d heads, d_ff %d, %s/%s/%s%n", c.vocabSize(),
                c.contextLength(), c.dModel(), c.numLayers(), c.numHeads(), c.dFf(), c.norm(), c.position(), c.ffn());
        System.out.printf(Locale.ROOT, "parameters: %,d (%.1f M)%n%n", a.params(), a.params() / 1e6);
        System.out.println("| memory (float32) | bytes |\n|---|---|");
        double total = 0;
        for (Map.Entry<String, Double> e : a.memoryBytes().entrySet()) {
            System.out.printf(Locale.ROOT, "| %s | %s |%n", e.getKey(), human(e.getValue()));
            total += e.getValue();
        }
        System.out.printf(Locale.ROOT, "| total | %s |%n%n", human(total));
        System.out.printf(Locale.ROOT, "| forward FLOPs (batch %d × %d tokens) | FLOPs | share |%n|---|---|---|%n", batch, c.contextLength());
        double f = a.totalForwardFlops();
        for (Map.Entry<String, Double> e : a.forwardFlops().entrySet()) {
            System.out.printf(Locale.ROOT, "| %s | %.3g | %.1f%% |%n", e.getKey(), e.getValue(), 100 * e.getValue() / f);
        }
        System.out.printf(Locale.ROOT, "| total forward | %.3g | |%n| training step (≈ 3× forward) | %.3g | |%n", f, 3 * f);
        return 0;
    }

    static String human(double bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
