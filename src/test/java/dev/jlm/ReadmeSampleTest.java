package dev.jlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.data.BatchSampler;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.ScheduleConfig;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.testing.TokenFiles;
import dev.jlm.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's one code sample is this test's code, compiled and run: the README's block must equal the region below. */
class ReadmeSampleTest {
    static final Path ROOT = Path.of(System.getProperty("jlm.root", "."));

    @Test
    void readmeSampleIsThisCodeAndItTrains(@TempDir Path dir) throws Exception {
        int[] ids = new int[4096];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 7;                   // a sequence a model can learn in a few steps
        Path tokens = TokenFiles.write(dir.resolve("train.bin"), ids);
        long steps = 40;
        double first = Double.NaN, last = Double.NaN;
        try (TokenFile data = TokenFile.open(tokens)) {
            // README:begin
            try (var run = TensorScope.open()) {                             // the run's lifetime: parameters, AdamW moments
                ModelConfig config = ModelConfig.builder().vocabSize(256).contextLength(32).dModel(64).numLayers(2).numHeads(4).build();
                TransformerLm model = new TransformerLm(config, Device.CPU, DType.FLOAT32, Kernels.FUSED);
                AdamW opt = new AdamW(model.params().named(), AdamWConfig.DEFAULT);
                ScheduleConfig lr = ScheduleConfig.builder().lrMax(3e-3).build().resolved(steps);
                BatchSampler batches = new BatchSampler(data, 8, config.contextLength(), Device.CPU, 0);
                for (long step = 1; step <= steps; step++) {
                    try (var s = TensorScope.open()) {                       // each step's temporaries, freed in one downcall
                        Trainer.StepResult r = Trainer.step(model, opt, batches.next(), lr.lr(step - 1), 1.0);
                        System.out.printf("step %d  loss %.3f  grad norm %.3f%n", step, r.loss(), r.gradNorm());
                        // README:end
                        if (step == 1) first = r.loss();
                        last = r.loss();
                        // README:resume
                    }
                }
            }
            // README:stop
        }
        assertTrue(last < first / 2, "the sample trains: loss " + first + " → " + last);
        assertEquals(sample(Files.readString(ROOT.resolve("src/test/java/dev/jlm/ReadmeSampleTest.java"))), readmeBlock());
    }

    /** The lines between README:begin and README:stop, without the lines between README:end and README:resume, dedented. */
    static String sample(String source) {
        List<String> lines = source.lines().toList();
        StringBuilder out = new StringBuilder();
        boolean in = false;
        int indent = -1;
        for (String l : lines) {
            String t = l.strip();
            if (t.equals("// README:begin") || t.equals("// README:resume")) { in = true; continue; }
            if (t.equals("// README:end") || t.equals("// README:stop")) { in = false; continue; }
            if (!in) continue;
            if (indent < 0) indent = l.length() - l.stripLeading().length();
            out.append(l.substring(Math.min(indent, l.length() - l.stripLeading().length()))).append('\n');
        }
        return out.toString();
    }

    /** The README's ```java block. */
    static String readmeBlock() throws Exception {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(ROOT.resolve("README.md")));
        assertTrue(m.find(), "the README has a java sample");
        String block = m.group(1);
        assertTrue(!m.find(), "the README has one java sample");
        return block;
    }
}
