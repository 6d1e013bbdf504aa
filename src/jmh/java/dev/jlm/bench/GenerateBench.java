package dev.jlm.bench;

import dev.jlm.generate.Generator;
import dev.jlm.generate.Sampler;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Decoding speed of `jlm generate`'s path (Generator with a KV cache, fused kernels as `jlm generate` uses) on a model
 * with random weights — MODEL tinystories (the CS336 model) or demo (scripts/demo's) — a PROMPT-token prompt, then
 * NEW tokens, greedy or top-p 0.9 at temperature 1; best of 3 runs after one warm-up. Past the context, the window
 * policy of the Python peer (scripts/reference/model_ref.py generate): re-prefill the last half. Prints JSON like it.
 * GRAPHS is `jlm generate --cuda-graphs` (auto, on, off), or compare: auto, then off, reported as tokens_per_s and
 * eager_tokens_per_s. Usage: GenerateBench THREADS PROMPT NEW greedy|topp [tinystories|demo] [DEVICE] [GRAPHS]
 */
public final class GenerateBench {
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]), promptLen = Integer.parseInt(args[1]), newTokens = Integer.parseInt(args[2]);
        String mode = args[3];
        int repeats = 3;
        String modelName = args.length > 4 ? args[4] : "tinystories";
        Device device = Device.parse(args.length > 5 ? args[5] : "cpu");
        Torch.setNumThreads(threads);
        ModelConfig c = modelName.equals("demo")
                ? ModelConfig.builder().vocabSize(4096).contextLength(128).dModel(128).numLayers(4).numHeads(4).dFf(384).build()
                : ModelConfig.TINY_STORIES;
        Sampler sampler = mode.equals("greedy") ? Sampler.of(0, 1) : Sampler.of(1.0, 0.9);
        int[] prompt = new SplittableRandom(1).ints(promptLen, 0, c.vocabSize()).toArray();
        try (var run = TensorScope.open()) {
            Torch.manualSeed(0);
            TransformerLm model = new TransformerLm(c, device, DType.FLOAT32, dev.jlm.nn.Kernels.FUSED);
            String graphs = args.length > 6 ? args[6] : "auto";
            boolean compare = graphs.equals("compare");
            CudaGraph.Mode first = compare ? CudaGraph.Mode.AUTO : CudaGraph.Mode.valueOf(graphs.toUpperCase(Locale.ROOT));
            double[] best;
            boolean graphed;
            try (Generator gen = new Generator(model, true, Generator.Window.HALVE, first)) {
                best = seconds(gen, prompt, newTokens, sampler, repeats);
                graphed = gen.replayedGraphs();                // what ran, not what was asked for
            }
            String eager = "";
            if (compare) {
                try (Generator gen = new Generator(model, true, Generator.Window.HALVE, CudaGraph.Mode.OFF)) {
                    double[] off = seconds(gen, prompt, newTokens, sampler, repeats);
                    eager = String.format(Locale.ROOT, ", \"eager_tokens_per_s\": %.1f", off[1] / off[0]);
                }
            }
            System.out.printf(Locale.ROOT, "{\"model\": \"%s\", \"device\": \"%s\", \"threads\": %d, \"mode\": \"%s\", \"prompt\": %d, \"new_tokens\": %d, \"cuda_graphs\": %b, \"seconds\": %.4f, \"tokens_per_s\": %.1f%s}%n",
                    modelName, device, threads, mode, promptLen, (int) best[1], graphed, best[0], best[1] / best[0], eager);
        }
    }

    /** {best seconds of {@code repeats} runs after one warm-up, tokens made}. */
    private static double[] seconds(Generator gen, int[] prompt, int newTokens, Sampler sampler, int repeats) {
        double best = Double.MAX_VALUE;
        int made = 0;
        for (int i = -1; i < repeats; i++) {
            long t0 = System.nanoTime();
            made = gen.generate(prompt, newTokens, sampler, 7, id -> true).length;
            double s = (System.nanoTime() - t0) / 1e9;
            if (i >= 0) best = Math.min(best, s);
        }
        return new double[] {best, made};
    }
}
