package dev.jlm.cli;

import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.config.Domain;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.serve.Server;
import dev.jlm.tensor.Device;
import dev.jlm.tokenizer.Tokenizer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", header = "Serve a checkpoint over an OpenAI-compatible HTTP API (/v1/completions, /v1/models, /health).",
        showDefaultValues = true, description = "Prints 'listening on http://HOST:PORT' once the model is loaded. Concurrent requests are"
                + " decoded together on one model thread (continuous batching, up to 16 sequences a step); SIGTERM lets the requests in flight finish, then exits.")
final class ServeCommand implements Callable<Integer>, SettingFlags.Host {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin CheckpointOptions checkpoint;
    @Option(names = "--tokenizer", required = true, paramLabel = "DIR|FILE", description = "the training data's tokenizer: a folder with"
            + " vocab.json + merges.txt (or tokenizer.json), or a HuggingFace tokenizer.json") Path tokenizer;
    @Option(names = "--host", paramLabel = "HOST", description = "the address to listen on (loopback by default; another address exposes the model)") String host = "127.0.0.1";
    @Domain("in [0, 65535]") @Option(names = "--port", paramLabel = "PORT", description = "the port; 0 takes a free one (the line printed says which)") int port = 8000;
    @Option(names = "--model-name", paramLabel = "NAME", description = "the model's id in /v1/models and in responses (default: the checkpoint's file or folder"
            + " name)") String modelName;
    @Option(names = "--end-token", paramLabel = "TOKEN", description = "a choice ends at this special token of the tokenizer ('' = only at max_tokens or a stop"
            + " sequence)") String endToken = "<|endoftext|>";
    @Domain("> 0") @Option(names = "--max-queue", paramLabel = "N", description = "requests that may wait for the model; more are answered 429") int maxQueue = 64;
    @Domain("> 0") @Option(names = "--request-timeout", paramLabel = "SECONDS", description = "seconds a request may take, waiting included; past it, 504") double requestTimeout = 600;
    @Domain("> 0") @Option(names = "--max-body-bytes", paramLabel = "BYTES", description = "a larger request body is answered 413") long maxBodyBytes = 1 << 20;
    @Domain("in [1, 1024]") @Option(names = "--max-batch", paramLabel = "N", description = "sequences decoded together, each in its own"
            + " KV-cache row (a request's n choices take n); more wait in the queue") int maxBatch = 16;
    @Domain(">= 0") @Option(names = "--shutdown-grace", paramLabel = "SECONDS", description = "on SIGTERM, seconds to let requests in flight finish") double shutdownGrace = 30;
    /** --device, --dtype, --threads, --kernels: train's settings, as train declares them. */
    final ComputeOptions compute = new ComputeOptions(Set.of("device", "dtype", "threads", "kernels"),
            Map.of("dtype", "compute dtype (of the KV cache too); the weights stay float32, the logits and logprobs are float32"));

    @Override
    public List<SettingFlags> settingFlags() {
        return List.of(checkpoint.model, compute.flags);
    }

    @Override
    public Integer call() throws Exception {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--host " + host + " is not an address this machine can resolve");
        }
        if (modelName != null && modelName.isBlank()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--model-name must not be empty");
        }
        Device target = compute.use();
        ModelFiles.Resolved ckpt = checkpoint.resolve();
        ModelConfig c = ckpt.config();
        dev.jlm.nn.MemoryBudget.require(c, 1, false, target);             // the weights, one prefill's activations
        if (target.equals(Device.CPU)) {                                  // and the decoder's KV cache of --max-batch rows
            dev.jlm.nn.MemoryBudget.requireHeld(dev.jlm.nn.MemoryBudget.needBytes(c, 1, false)
                    + dev.jlm.nn.KvCache.bytes(c, maxBatch, compute.dtype()), "serving with --max-batch " + maxBatch
                    + " (its KV cache beside the model; a smaller --max-batch needs less)");
        }
        Tokenizer tok = Tokenizer.load(tokenizer, List.of());
        if (tok.vocabSize() != c.vocabSize()) {
            throw new IllegalArgumentException("--tokenizer " + tokenizer + " has " + tok.vocabSize() + " tokens but the checkpoint's model has vocab size "
                    + c.vocabSize() + ": use the tokenizer the training data was made with");
        }
        if (!endToken.isEmpty() && tok.specialId(endToken) < 0 && spec.commandLine().getParseResult().hasMatchedOption("--end-token")) {
            throw new IllegalArgumentException("--end-token '" + endToken + "' is not a special token of " + tokenizer + " (it has: "
                    + (tok.model().specials().isEmpty() ? "none" : String.join(", ", tok.model().specials())) + ")");
        }
        Kernels.Choice choice = compute.kernels();
        String name = modelName != null ? modelName : defaultName(checkpoint.checkpoint);
        var opts = new Server.Options(host, port, name, maxQueue, requestTimeout, maxBodyBytes, shutdownGrace, maxBatch);
        Server server = Server.start(opts, () -> Checkpoint.load(ckpt, target, compute.dtype(), choice.kernels()), tok, endToken);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("jlm-serve-shutdown").unstarted(() -> {
            try {
                server.close();                                    // the requests in flight finish first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }));
        spec.commandLine().getErr().println("jlm: serving " + name + " (context " + c.contextLength() + ", vocab " + c.vocabSize() + ") on "
                + target + ", " + dev.jlm.config.Settings.spell(compute.dtype()) + ", " + InfoCommand.kernels(choice) + "; up to " + maxBatch
                + " sequences decoded together");
        System.out.println("listening on " + server.url());
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** A checkpoint's name: its file name without .safetensors, or its folder's name. */
    static String defaultName(Path checkpoint) {
        String f = checkpoint.toAbsolutePath().normalize().getFileName().toString();
        return f.endsWith(".safetensors") ? f.substring(0, f.length() - ".safetensors".length()) : f;
    }
}
