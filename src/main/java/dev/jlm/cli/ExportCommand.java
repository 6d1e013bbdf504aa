package dev.jlm.cli;

import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.config.Domain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", header = "Write a checkpoint's model in the HuggingFace layout: DIR/config.json + DIR/model.safetensors.",
        description = {"--format cs336 (the default): the weights keep the CS336 state-dict names (safetensors.torch.load_file loads"
                + " them into a CS336 model); config.json holds the model settings under the CS336 names.",
                "--format llama: a transformers LlamaForCausalLM folder (AutoModelForCausalLM.from_pretrained loads it): HF tensor"
                + " names, q/k rows permuted from CS336's adjacent RoPE pairs to Llama's halves, model_type llama; pre-norm RoPE SwiGLU"
                + " models only. The optimizer state is not exported."})
final class ExportCommand implements Callable<Integer>, SettingFlags.Host {
    @Mixin CheckpointOptions checkpoint;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write: a new or empty one; config.json and"
            + " model.safetensors are written as one set")
    Path out;
    static final String FORMATS = "one of cs336, llama";
    @Domain(FORMATS) @Option(names = "--format", paramLabel = "FORMAT", description = "the folder's layout:"
            + " cs336 (jlm's names and keys) or llama (transformers' LlamaForCausalLM)") String format = "cs336";

    @Override
    public java.util.List<SettingFlags> settingFlags() {
        return java.util.List.of(checkpoint.model);
    }

    @Override
    public Integer call() throws Exception {
        dev.jlm.io.Outputs.requireFolderSet(out, "--out");
        if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                var held = s.map(p -> p.getFileName().toString()).sorted().limit(3).toList();
                if (!held.isEmpty()) {
                    throw new IllegalArgumentException("--out " + out + " already holds " + String.join(", ", held) + "; choose a new or empty folder");
                }
            }
        }
        ModelFiles.Resolved r = checkpoint.resolveOwn();
        dev.jlm.nn.MemoryBudget.requireHeld(Checkpoint.exportBytes(r), "exporting " + r.weights() + " (its weights as stored)");
        if (dev.jlm.config.Domains.choice(FORMATS, format).equals("llama")) dev.jlm.checkpoint.LlamaFolder.export(r, out);
        else Checkpoint.export(r, out);
        System.out.println("wrote " + out.resolve(ModelFiles.CONFIG) + " and " + ModelFiles.WEIGHTS + " (" + r.config().vocabSize()
                + " vocab, d_model " + r.config().dModel() + ", " + r.config().numLayers() + " layers; config from " + r.configSource() + ")");
        return 0;
    }
}
