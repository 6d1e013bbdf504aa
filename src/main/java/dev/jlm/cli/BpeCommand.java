package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.tokenizer.BpeModel;
import dev.jlm.tokenizer.BpeTrainer;
import dev.jlm.tokenizer.ByteUnicode;
import dev.jlm.tokenizer.TokenizerFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bpe", header = "Byte-level BPE tokenizers.", subcommands = BpeCommand.Train.class)
final class BpeCommand {
    @Command(name = "train", header = "Train a byte-level BPE tokenizer; writes DIR/vocab.json and DIR/merges.txt (GPT-2 format).",
            showDefaultValues = true)
    static final class Train implements Callable<Integer> {
        @Option(names = "--input", required = true, description = "UTF-8 text file (repeatable)")
        List<Path> inputs;

        @Domain(">= 256") @Option(names = "--vocab-size", required = true, description = "final vocab size, including 256 bytes and special tokens")
        int vocabSize;

        @Option(names = "--special-token", description = "special token (repeatable); never merged, takes the first ids")
        List<String> specials = List.of();

        @Option(names = "--out", required = true, description = "output folder")
        Path out;

        @Domain(">= 1") @Option(names = "--threads", description = "pre-tokenization threads (default: all cores)")
        int threads = Runtime.getRuntime().availableProcessors();

        @Override
        public Integer call() throws Exception {
            for (Path p : inputs) {
                if (!Files.isRegularFile(p)) throw new IllegalArgumentException("--input " + p + ": no such file");
                if (!Files.isReadable(p)) throw new IllegalArgumentException("--input " + p + ": not readable");
            }
            Path parent = out.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) throw new IllegalArgumentException("--out " + out + ": folder " + parent + " does not exist");
            Memory.watch();
            Progress bar = new Progress("MB", 1e6).unit("merge", "merges", 1);
            var result = new BpeTrainer(vocabSize, specials, threads).train(inputs, (phase, done, total) ->
                    bar.update(phase, done, total, null));
            bar.finishLine();
            BpeModel m = result.model();
            TokenizerFiles.write(m, out);
            var s = result.stats();
            byte[] longest = m.longestToken();
            System.out.printf(Locale.ROOT, "wrote %s/vocab.json (%,d tokens) and merges.txt (%,d merges)%n", out, m.vocabSize(), m.merges().length);
            System.out.printf(Locale.ROOT, "pre-tokenize + count: %.2f s (%.1f MB/s, %,d distinct pre-tokens, %d threads)%n",
                    s.pretokenizeSeconds(), s.corpusBytes() / 1e6 / s.pretokenizeSeconds(), s.distinctPreTokens(), threads);
            System.out.printf(Locale.ROOT, "merges:               %.2f s%n", s.mergeSeconds());
            System.out.printf(Locale.ROOT, "peak memory:          %s%n", Memory.peakRss());
            System.out.printf(Locale.ROOT, "longest token:        %d bytes: %s%n", longest.length, printable(longest));
            return 0;
        }

        static String printable(byte[] b) {
            String s = new String(b, StandardCharsets.UTF_8);
            return s.contains("\uFFFD") ? ByteUnicode.encode(b) : "\"" + s.replace("\n", "\\n") + "\"";
        }
    }
}
