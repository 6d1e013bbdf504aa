package dev.jlm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.train.Evaluator;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", header = "Mean cross-entropy of a checkpoint over the windows k·T, k = 0..N-1, of a token file (JSON).",
        showDefaultValues = true)
final class EvalCommand implements Callable<Integer> {
    @Mixin CheckpointOptions checkpoint;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "uint16 token file to evaluate on") Path data;
    @Domain("> 0") @Option(names = "--windows", description = "number of windows of context-length tokens (fewer if the file is shorter)") int windows = 64;
    @Domain("> 0") @Option(names = "--batch-size", description = "windows per forward pass") int batchSize = 16;
    @Domain("cpu or cuda:N") @Option(names = "--device", description = "where to compute") String device = "cpu";
    @Option(names = "--unigram-from", description = "also report the unigram baseline estimated from this token file") Path unigramFrom;
    @Domain(">= 0") @Option(names = "--threads", description = "intra-op threads; 0 = libtorch's default") int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        if (threads > 0) Torch.setNumThreads(threads);
        ModelFiles.Resolved ckpt = checkpoint.resolve();
        ModelConfig c = ckpt.config();
        dev.jlm.train.MemoryBudget.require(c, batchSize, false, Device.parse(device));
        try (TokenFile tokens = TokenFile.open(data); var run = TensorScope.open()) {
            tokens.requireIdsBelow(c.vocabSize(), "the checkpoint's vocab size");
            TransformerLm model = Checkpoint.load(ckpt, Device.parse(device), DType.FLOAT32, Kernels.REFERENCE);
            Evaluator.Result r = Evaluator.evaluate(model, tokens, windows, batchSize);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("loss", r.loss());
            out.put("perplexity", r.perplexity());
            out.put("tokens", r.tokens());
            out.put("windows", r.windows());
            if (unigramFrom != null) {
                try (TokenFile train = TokenFile.open(unigramFrom)) {
                    out.put("unigram_loss", Evaluator.unigramLoss(train, tokens, windows, c.contextLength(), c.vocabSize()));
                }
            }
            System.out.println(new ObjectMapper().writeValueAsString(out));
        }
        return 0;
    }
}
