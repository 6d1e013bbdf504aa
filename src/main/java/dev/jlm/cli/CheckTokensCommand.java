package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.data.TokenFile;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check-tokens", header = "Read a whole uint16 token file and check every id against a vocab size.",
        description = "train and eval check the ids they read, batch by batch; this reads every id, on demand.")
final class CheckTokensCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "uint16 token file") Path file;
    @Domain("in [1, 65536]") @Option(names = "--vocab-size", required = true, description = "ids must be below it") int vocabSize;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        try (TokenFile t = TokenFile.open(file, vocabSize, "--vocab-size")) {
            t.checkAll();
            System.out.printf(Locale.ROOT, "%s: %,d ids, all below %d (%.1f s)%n", file, t.length(), vocabSize, (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
