package example;

import dev.jlm.JlmException;
import dev.jlm.data.BatchSampler;
import dev.jlm.data.TokenFile;
import dev.jlm.generate.Generator;
import dev.jlm.generate.Sampler;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.optim.AdamW;
import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.ScheduleConfig;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.tokenizer.BpeModel;
import dev.jlm.tokenizer.BpeTrainer;
import dev.jlm.tokenizer.Tokenizer;
import dev.jlm.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * jlm as a library, start to end: train a byte-level BPE tokenizer on a text file, train a small Transformer LM on its
 * tokens for a few steps on the CPU, then sample a story. Usage: {@code TrainAndGenerate TEXT_FILE [STEPS]}.
 * Exits 1 if the loss did not fall (the run learned nothing), 2 on bad arguments or a missing native shim.
 */
public final class TrainAndGenerate {
    static final String END = "<|endoftext|>";

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) fail(2, "usage: TrainAndGenerate TEXT_FILE [STEPS]");
        Path text = Path.of(args[0]);
        if (!Files.isRegularFile(text)) fail(2, text + ": no such file (the first argument is a text file to learn from)");
        long steps = args.length > 1 ? parseSteps(args[1]) : 150;
        try {
            run(text, steps);
        } catch (JlmException e) {       // jlm's errors are one line, e.g. "jlm shim not found at ... (from $JLM_NATIVE)"
            fail(2, e.getMessage());
        }
    }

    static void run(Path text, long steps) throws IOException {
        // 1. A tokenizer: 512 tokens (256 bytes, the special token, 255 merges), trained on the text itself.
        BpeModel bpe = new BpeTrainer(512, List.of(END), 1).train(List.of(text), (phase, done, total) -> {}).model();
        Tokenizer tokenizer = new Tokenizer(bpe);
        int[] ids = tokenizer.encode(Files.readString(text));
        System.out.printf("tokenizer: %d tokens; %s: %,d tokens%n", tokenizer.vocabSize(), text.getFileName(), ids.length);

        try (TokenFile data = TokenFile.ofIds(ids, tokenizer.vocabSize());
             var run = TensorScope.open()) {                  // the run's lifetime: parameters and AdamW moments
            // 2. A model and its optimizer: 2 layers, d_model 64, a context of 64 tokens; seeded, so a run repeats.
            Torch.manualSeed(0);
            ModelConfig config = ModelConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(64)
                    .dModel(64).numLayers(2).numHeads(4).build();
            TransformerLm model = new TransformerLm(config, Device.CPU, DType.FLOAT32, Kernels.FUSED);
            AdamW optimizer = new AdamW(model.params().named(), AdamWConfig.DEFAULT);
            ScheduleConfig lr = ScheduleConfig.builder().lrMax(3e-3).build().resolved(steps);   // warm-up, cosine decay
            BatchSampler batches = new BatchSampler(data, 16, config.contextLength(), Device.CPU, 0);

            // 3. Training: each step's temporaries live in the step's scope and are freed when it closes.
            double first = Double.NaN, last = Double.NaN;
            for (long step = 1; step <= steps; step++) {
                try (var s = TensorScope.open()) {
                    Trainer.StepResult r = Trainer.step(model, optimizer, batches.next(), lr.lr(step - 1), 1.0);
                    if (step == 1 || step % 25 == 0 || step == steps) {      // reading the loss waits for the step
                        last = r.loss();
                        if (step == 1) first = last;
                        System.out.printf("step %4d  loss %.3f%n", step, last);
                    }
                }
            }

            // 4. Generation: temperature 0.8, top-p 0.95, seeded; stop at the end-of-text token.
            String prompt = "Once upon a time";
            int end = tokenizer.specialId(END);
            try (Generator generator = new Generator(model, true)) {
                int[] story = generator.generate(tokenizer.encode(prompt), 48, Sampler.of(0.8, 0.95), 1, id -> id != end);
                System.out.println(prompt + tokenizer.decode(story).replace(END, ""));
            }
            if (!(last < first - 1.0)) fail(1, String.format("the loss did not fall: %.3f -> %.3f", first, last));
            System.out.printf("example: ok (loss %.3f -> %.3f in %d steps)%n", first, last, steps);
        }
    }

    static long parseSteps(String s) {
        try {
            long n = Long.parseLong(s);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        fail(2, "STEPS must be a whole number >= 1, got '" + s + "'");
        return 0;
    }

    static void fail(int status, String message) {
        System.err.println("example: " + message);
        System.exit(status);
    }
}
