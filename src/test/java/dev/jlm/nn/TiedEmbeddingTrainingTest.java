package dev.jlm.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.optim.AdamWConfig;
import dev.jlm.optim.ScheduleConfig;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.testing.TokenFiles;
import dev.jlm.tokenizer.BpeTrainer;
import dev.jlm.tokenizer.Tokenizer;
import dev.jlm.train.TrainConfig;
import dev.jlm.train.Trainer;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #29.3: a model with --tie-embeddings trains. Acceptance: "A tied model trained 30 steps on the bundled data starts
 * near ln(V) and ends below an untied model's step-1 loss." Real text (the head of the bundled TinyStories sample, under a
 * BPE trained on it), a small model, the library's Trainer on the CPU.
 */
class TiedEmbeddingTrainingTest {
    static final int VOCAB = 512, STEPS = 30;
    static final ModelConfig SMALL = ModelConfig.builder().vocabSize(VOCAB).contextLength(64).dModel(64).numLayers(2).numHeads(4).build();

    /** The first 256K characters of data/TinyStories-train_head-2MiB.txt as uint16 token ids, under a 512-token BPE trained on them. */
    static Path tokens(Path dir) throws IOException {
        Path data = Path.of(System.getProperty("jlm.root", "."), "data", "TinyStories-train_head-2MiB.txt");
        char[] head = new char[256 * 1024];
        int n = 0;
        try (Reader r = Files.newBufferedReader(data, StandardCharsets.UTF_8)) {
            for (int k; n < head.length && (k = r.read(head, n, head.length - n)) > 0; ) n += k;
        }
        Path text = Files.writeString(dir.resolve("head.txt"), new String(head, 0, n), StandardCharsets.UTF_8);
        var bpe = new BpeTrainer(VOCAB, List.of("<|endoftext|>"), 2).train(List.of(text), (p, d, t) -> {});
        Tokenizer tok = new Tokenizer(bpe.model());
        assertEquals(VOCAB, tok.vocabSize());
        return TokenFiles.write(dir.resolve("train.bin"), tok.encode(Files.readString(text, StandardCharsets.UTF_8)));
    }

    /** The training loss of each of the 30 steps (same seed, so the same init stream and the same batches for both runs). */
    static List<Double> train(Path tokens, Path out, boolean tied) throws IOException {
        TrainConfig c = TrainConfig.builder().model(SMALL.toBuilder().tieEmbeddings(tied).build()).train(tokens).out(out).batchSize(8).steps(STEPS)
                .schedule(ScheduleConfig.builder().lrMax(3e-3).lrMin(3e-4).warmup(3L).cosineSteps((long) STEPS).build())
                .adamw(AdamWConfig.DEFAULT).gradClip(1.0).saveEvery(1000).seed(0)
                .device(Device.CPU).dtype(DType.FLOAT32).threads(2).build();
        List<Double> losses = new ArrayList<>();
        new Trainer(c).run((s, steps, loss, lr, tps, v) -> losses.add(loss));
        assertEquals(STEPS, losses.size());
        return losses;
    }

    /**
     * Why 1.0 nat around ln V: at init the logits of a position are h·eᵥ over the vocab's rows eᵥ, with h the final
     * RMSNorm's output (unit RMS, gain 1: |h|² = D). With the rows drawn at std σ the logits have variance s² = σ²·D, and
     * the expected cross-entropy is about ln V + s²/2. The tied init (the output layer's, σ² = 2/(D+V)) gives s²/2 = D/(D+V),
     * under 1 for every shape (0.11 here); CS336's embedding init (σ = 1) gives s = √D = 8 here, tens of nats above ln V.
     */
    @Test
    void aTiedModelStartsNearLnVAndLearns(@TempDir Path dir) throws IOException {
        Path tokens = tokens(dir);
        List<Double> tied = train(tokens, dir.resolve("tied"), true), untied = train(tokens, dir.resolve("untied"), false);
        double lnV = Math.log(VOCAB);
        String report = String.format(Locale.ROOT, "ln V %.3f; tied step 1 %.3f, step %d %.3f; untied step 1 %.3f, step %d %.3f",
                lnV, tied.getFirst(), STEPS, tied.getLast(), untied.getFirst(), STEPS, untied.getLast());
        System.out.println("TiedEmbeddingTrainingTest: " + report);
        assertEquals(lnV, tied.getFirst(), 1.0, "the tied model's step-1 loss is near ln V: " + report);
        assertTrue(tied.getLast() < tied.getFirst(), "the tied model's loss falls: " + report);
        assertTrue(tied.getLast() < untied.getFirst(), "the tied model ends below the untied model's step-1 loss: " + report);
    }
}
