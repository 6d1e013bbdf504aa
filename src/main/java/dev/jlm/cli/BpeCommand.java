package dev.jlm.cli;

import dev.jlm.JlmException;
import dev.jlm.config.Domain;
import dev.jlm.io.AtomicFolder;
import dev.jlm.tokenizer.BpeModel;
import dev.jlm.tokenizer.BpeTrainer;
import dev.jlm.tokenizer.ByteUnicode;
import dev.jlm.tokenizer.TokenizerException;
import dev.jlm.tokenizer.TokenizerFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bpe", header = "Byte-level BPE tokenizers.", subcommands = BpeCommand.Train.class)
final class BpeCommand {
    @Command(name = "train", header = "Train a byte-level BPE tokenizer; writes DIR/vocab.json and DIR/merges.txt (GPT-2 format).",
            showDefaultValues = true)
    static final class Train implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--input", required = true, description = "UTF-8 text file (repeatable)")
        List<Path> inputs;

        @Domain(">= 256") @Option(names = "--vocab-size", required = true, description = "final vocab size, including 256 bytes and special tokens")
        int vocabSize;

        @Option(names = "--special-token", description = "special token (repeatable); never merged, takes the first ids")
        List<String> specials = List.of();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (a new or empty one, else --overwrite);"
                + " vocab.json, merges.txt, special_tokens.txt and tokenizer.json are written as one set")
        Path out;

        @Option(names = "--overwrite", description = "replace the tokenizer in --out; the old folder is moved to DIR.replaced-TIME, not deleted")
        boolean overwrite;

        @Domain("in [1, 4096]") @Option(names = "--threads", description = "pre-tokenization threads (default: all cores)")
        int threads = Runtime.getRuntime().availableProcessors();

        @Override
        public Integer call() throws Exception {
            java.util.Map<Path, Path> seenInputs = new java.util.HashMap<>();
            for (Path p : inputs) {
                dev.jlm.io.Inputs.requireFile(p, "file", "--input");
                if (!Files.isReadable(p)) throw new IllegalArgumentException("--input " + p + ": not readable");
                Path first = seenInputs.putIfAbsent(p.toRealPath(), p);     // its text counted twice: a corpus it is not
                if (first != null) {
                    throw new IllegalArgumentException("--input " + p + " is given twice" + (first.toString().equals(p.toString()) ? "" : " (" + first + " is the same file)"));
                }
            }
            dev.jlm.io.Outputs.requireFolderSet(out, "--out");
            if (!overwrite && Files.isDirectory(out)) {
                try (var s = Files.list(out)) {
                    if (s.findAny().isPresent()) {
                        throw new IllegalArgumentException("--out " + out + " already holds files; choose another folder, or add --overwrite"
                                + " (the old folder is then moved aside, not deleted)");
                    }
                }
            }
            requireSpecials(specials);
            Memory.watch();
            Progress bar = new Progress("MB", 1e6).unit("merge", "merges", 1);
            BpeTrainer trainer;
            try {
                trainer = new BpeTrainer(vocabSize, specials, threads);
            } catch (TokenizerException e) {                  // the library says vocab_size; the user typed --vocab-size
                throw new JlmException(e.getMessage()).naming("vocab_size");
            }
            var result = trainer.train(inputs, (phase, done, total) ->
                    bar.update(phase, done, total, null));
            bar.finishLine();
            BpeModel m = result.model();
            if (m.vocabSize() < vocabSize) {
                spec.commandLine().getErr().printf(Locale.ROOT, "jlm: note: the corpus ran out of pairs to merge: the tokenizer has %,d tokens,"
                        + " not --vocab-size %,d%n", m.vocabSize(), vocabSize);
            }
            Path aside = AtomicFolder.write(out, overwrite, tmp -> TokenizerFiles.write(m, tmp));   // the four files as one set
            if (aside != null) System.out.println("the previous tokenizer in " + out + " was moved to " + aside);
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

        /** --special-token values (bpe train, tokenize): none empty (it would match nothing), none given twice. */
        static void requireSpecials(List<String> specials) {
            Set<String> seen = new HashSet<>();
            for (String sp : specials) {
                if (sp.isEmpty()) throw new IllegalArgumentException("--special-token must not be empty");
                if (!seen.add(sp)) throw new IllegalArgumentException("--special-token " + sp + " is given twice");
            }
        }

        static String printable(byte[] b) {
            String s = new String(b, StandardCharsets.UTF_8);
            return s.contains("\uFFFD") ? ByteUnicode.encode(b) : "\"" + s.replace("\n", "\\n") + "\"";
        }
    }
}
