package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.config.Settings;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.generate.Generator;
import dev.jlm.generate.Sampler;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.CudaGraph;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", header = "Generate text from a checkpoint, streamed as it is produced; stops at <|endoftext|>.",
        showDefaultValues = true)
final class GenerateCommand implements Callable<Integer>, SettingFlags.Host {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin CheckpointOptions checkpoint;
    @Option(names = "--tokenizer", required = true, paramLabel = "DIR|FILE", description = "the training data's tokenizer: a folder with"
            + " vocab.json + merges.txt (or tokenizer.json), or a HuggingFace tokenizer.json") Path tokenizer;
    @Option(names = "--prompt", defaultValue = "Once upon a time", description = "text to continue") String prompt;
    @Domain("> 0") @Option(names = "--max-tokens", description = "new tokens to generate at most") int maxTokens = 256;
    @Domain(">= 0") @Option(names = "--temperature", description = "softmax temperature; 0 = greedy") double temperature = 0.8;
    @Domain("in (0, 1]") @Option(names = "--top-p", description = "nucleus sampling: keep the most probable tokens up to this mass (not with --temperature 0)") double topP = 0.95;
    @Option(names = "--seed", description = "seed of the sampler (not with --temperature 0)") long seed = 0;
    @Option(names = "--end-token", description = "stop at this special token of the tokenizer ('' = never stop early)") String endToken = "<|endoftext|>";
    @Option(names = "--no-cache", description = "recompute the whole context for every token (for comparison)") boolean noCache;
    static final String WINDOWS = "one of sliding, halve";
    @Domain(WINDOWS) @Option(names = "--window", description = "past the context length T, what a token sees:"
            + " sliding = the last T tokens, as the CS336 reference decoder (each token then costs a forward over T tokens);"
            + " halve = the last T/2, then growing again with the cache (faster, not the reference's output)") String window = "sliding";
    @Option(names = "--ids", description = "print the prompt's and the new tokens' ids as one JSON line instead of text (compare outputs"
            + " by id)") boolean ids;

    /** --device, --dtype, --threads, --kernels, --cuda-graphs: train's settings, as train declares them. */
    final ComputeOptions compute = new ComputeOptions(Set.of("device", "dtype", "threads", "kernels", "cuda_graphs"), Map.of(
            "dtype", "compute dtype (of the KV cache too); the weights stay float32",
            "cuda_graphs", "run each decoding step after the prompt as one replay of a CUDA graph: auto = on a GPU where this libtorch can"
                    + " capture (2.3+), on = required (refused on the CPU), off = eager"));

    @Override
    public java.util.List<SettingFlags> settingFlags() {
        return java.util.List.of(checkpoint.model, compute.flags);
    }

    @Override
    public Integer call() throws Exception {
        CudaGraph.Mode graphs = compute.cudaGraphs();
        try {
            Generator.checkGraphs(graphs, !noCache, compute.device());
        } catch (IllegalArgumentException e) {                 // a usage error, as train's: nothing has started
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        var parsed = spec.commandLine().getParseResult();
        if (temperature == 0) {                                // greedy: the flags of sampling would do nothing
            for (String flag : new String[] {"--top-p", "--seed"}) {
                if (parsed.hasMatchedOption(flag)) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), flag + " is a setting of sampling;"
                            + " --temperature 0 decodes greedily (the most probable token): give a temperature above 0, or drop " + flag);
                }
            }
        }
        Device target = compute.use();
        Sampler sampler = Sampler.of(temperature, topP);
        ModelFiles.Resolved ckpt = checkpoint.resolve();
        ModelConfig c = ckpt.config();
        dev.jlm.nn.MemoryBudget.require(c, 1, false, target);
        Generator.Window policy = Generator.Window.valueOf(dev.jlm.config.Domains.choice(WINDOWS, window).toUpperCase(Locale.ROOT));
        try {
            Generator.checkWindow(policy, c.contextLength());
        } catch (IllegalArgumentException e) {                 // a usage error: nothing has started
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Tokenizer tok = Tokenizer.load(tokenizer, List.of());   // its special tokens come from special_tokens.txt
        var err = spec.commandLine().getErr();
        if (tok.vocabSize() != c.vocabSize()) {
            throw new IllegalArgumentException("--tokenizer " + tokenizer + " has " + tok.vocabSize() + " tokens but the checkpoint's model has vocab size "
                    + c.vocabSize() + ": use the tokenizer the training data was made with");
        }
        int end = tok.specialId(endToken);                     // -1: no such special token, generate to --max-tokens
        if (end < 0 && !endToken.isEmpty() && spec.commandLine().getParseResult().hasMatchedOption("--end-token")) {
            throw new IllegalArgumentException("--end-token '" + endToken + "' is not a special token of " + tokenizer + " (it has: "
                    + (tok.model().specials().isEmpty() ? "none" : String.join(", ", tok.model().specials())) + ")");
        }
        int[] tokenIds = tok.encode(prompt);
        if (tokenIds.length == 0) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--prompt is empty: give the text to continue");
        if (tokenIds.length > c.contextLength()) {
            err.printf(Locale.ROOT, "jlm: the prompt has %d tokens; keeping its last %d (the context length)%n", tokenIds.length, c.contextLength());
            tokenIds = Arrays.copyOfRange(tokenIds, tokenIds.length - c.contextLength(), tokenIds.length);
        }
        Kernels.Choice choice = compute.kernels();
        try (var run = TensorScope.open()) {
            TransformerLm model = Checkpoint.load(ckpt, target, compute.dtype(), choice.kernels());
            try (Generator generator = new Generator(model, !noCache, policy, graphs)) {
                err.println("jlm: generate on " + model.params().device() + ", " + Settings.spell(compute.dtype()) + ", " + InfoCommand.kernels(choice)
                        + (generator.graphed() ? ", a CUDA graph per cached token" : ""));
                if (ids) {
                    int[] prompt = tokenIds;
                    int[] made = generator.generate(tokenIds, maxTokens, sampler, seed, id -> id != end);
                    var json = new java.util.LinkedHashMap<String, int[]>();
                    json.put("prompt", prompt);
                    json.put("ids", made);
                    System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(json));
                    return 0;
                }
                System.out.print(prompt);
                System.out.flush();
                ByteArrayOutputStream pending = new ByteArrayOutputStream();
                long t0 = System.nanoTime();
                int[] out = generator.generate(tokenIds, maxTokens, sampler, seed, id -> {
                    if (id == end || StandardOutput.failed()) return false;     // no one reads on: stop generating
                    pending.writeBytes(tok.model().vocab()[id]);
                    flushComplete(pending);
                    return true;
                });
                System.out.print(new String(pending.toByteArray(), StandardCharsets.UTF_8));
                System.out.println();
                System.out.flush();
                double sec = (System.nanoTime() - t0) / 1e9;
                err.printf(Locale.ROOT, "[%d tokens in %.2f s, %.1f tokens/s%s]%n", out.length, sec, out.length / sec,
                        out.length > 0 && out[out.length - 1] == end ? ", stopped at " + endToken : "");
            }
        }
        return 0;
    }

    /** Prints the longest prefix of {@code buf} that is complete UTF-8, keeps the rest. */
    static void flushComplete(ByteArrayOutputStream buf) {
        byte[] b = buf.toByteArray();
        int cut = Tokenizer.wholeCharacters(b);
        System.out.print(new String(b, 0, cut, StandardCharsets.UTF_8));
        System.out.flush();
        buf.reset();
        buf.write(b, cut, b.length - cut);
    }
}
