package dev.jlm.cli;

import dev.jlm.config.Domain;
import dev.jlm.data.TokenFileWriter;
import dev.jlm.io.Inputs;
import dev.jlm.io.Outputs;
import dev.jlm.tokenizer.ParallelEncoder;
import dev.jlm.tokenizer.Tokenizer;
import dev.jlm.tokenizer.TokenizerFiles;
import dev.jlm.tokenizer.TokenizerJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tokenize", header = "Encode a text file into a uint16 token file, or show how a text is tokenized"
        + " (by a jlm/HF tokenizer or one of OpenAI's encodings).",
        showDefaultValues = true)
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--tokenizer", paramLabel = "DIR|FILE", description = "a folder with vocab.json + merges.txt"
            + " (or tokenizer.json), or a HuggingFace tokenizer.json")
    Path dir;

    @Option(names = "--encoding", paramLabel = "NAME", description = "one of OpenAI's encodings (tiktoken's ids): r50k_base,"
            + " p50k_base, cl100k_base, o200k_base, o200k_harmony")
    String encoding;

    @Option(names = "--rank-file", paramLabel = "FILE", description = "the encoding's .tiktoken rank file (default: JLM_TIKTOKEN_DIR"
            + " or the class path)")
    Path rankFile;

    @Option(names = "--ids", description = "print the ids as one JSON array")
    boolean ids;

    @Option(names = "--special-token", description = "special token (repeatable), in addition to DIR/special_tokens.txt")
    List<String> specials = List.of();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--input", description = "UTF-8 text file to encode (with --out)")
        Path input;

        @Option(names = "--text", description = "a text to show as ids and pieces")
        String text;
    }

    @Option(names = "--out", description = "output token file: raw little-endian uint16 ids")
    Path out;

    @Domain("in [1, 4096]") @Option(names = "--threads", description = "encoding threads (default: all cores)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        BpeCommand.Train.requireSpecials(specials);
        if ((dir == null) == (encoding == null)) {
            throw new IllegalArgumentException(dir == null ? "give --tokenizer DIR|FILE or --encoding NAME"
                    : "--tokenizer and --encoding exclude each other: give one");
        }
        if (rankFile != null && encoding == null) throw new IllegalArgumentException("--rank-file is for --encoding");
        if (ids && out != null) throw new IllegalArgumentException("--ids prints the ids; --out " + out + " writes them: give one");
        if (encoding != null) return EncodingTokenize.run(encoding, rankFile, specials, source.input, source.text, out, ids);
        if (source.text != null && out != null) {
            throw new IllegalArgumentException("--out " + out + " is for --input: --text shows its ids and pieces and writes no token file");
        }
        if (ids) {
            Tokenizer t = Tokenizer.load(dir, specials);
            return EncodingTokenize.printIds(t.encode(source.text != null ? source.text : EncodingTokenize.readText(source.input)));
        }
        if (source.text != null) return show(Tokenizer.load(dir, specials), source.text);
        if (out == null) throw new IllegalArgumentException("--out is required with --input (or --ids)");
        Path in = source.input;
        Inputs.requireFile(in, "file", "--input");
        Map<String, Path> inputs = new LinkedHashMap<>(Map.of("--input", in));
        if (!Files.isDirectory(dir)) inputs.put("--tokenizer", dir);
        else for (String f : List.of(TokenizerFiles.VOCAB, TokenizerFiles.MERGES, TokenizerFiles.SPECIALS, TokenizerJson.FILE)) inputs.put("--tokenizer's " + f, dir.resolve(f));
        Outputs.requireFile(out, "--out", inputs);
        Tokenizer tok = Tokenizer.load(dir, specials);
        long size = Files.size(in);
        Progress bar = new Progress("MB", 1e6);
        long t0 = System.nanoTime();
        long ids;
        try (TokenFileWriter w = new TokenFileWriter(out, tok.vocabSize())) {
            new ParallelEncoder(tok, threads).encode(in, (chunk, bytesDone) -> {
                w.write(chunk);
                bar.update("tokenize", bytesDone, size, String.format(Locale.ROOT, "%,d ids", w.count()));
            });
            w.commit();
            ids = w.count();
        }
        bar.finishLine();
        double sec = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "wrote %s: %,d ids (uint16), %.2f bytes/token, %.1f MB/s on %d threads (%.2f s)%n",
                out, ids, ids == 0 ? 0.0 : (double) size / ids, size / 1e6 / sec, threads, sec);
        return 0;
    }

    private static int show(Tokenizer tok, String text) {
        int[] ids = tok.encode(text);
        StringBuilder pieces = new StringBuilder();
        for (int id : ids) {
            byte[] b = tok.model().vocab()[id];
            pieces.append(pieces.isEmpty() ? "" : " | ").append(new String(b, StandardCharsets.UTF_8).replace("\n", "\\n"));
        }
        System.out.println("ids:    " + java.util.Arrays.toString(ids));
        System.out.println("pieces: " + pieces);
        System.out.printf(Locale.ROOT, "%d tokens for %d bytes%n", ids.length, text.getBytes(StandardCharsets.UTF_8).length);
        return 0;
    }
}
