package dev.jlm.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.testing.PythonCsv;
import dev.jlm.testing.TokenFiles;
import dev.jlm.train.RunLog;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SweepTest {
    static final String TINY = "\"vocab_size\": 64, \"context_length\": 8, \"d_model\": 16, \"num_layers\": 1, \"num_heads\": 2, \"threads\": 1";

    /** A second sweep (or train) into a folder a sweep is writing is refused before it writes anything there. */
    @Test
    void aSweepHoldsItsFolder(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 2000, 64, 1), out = dir.resolve("sw");
        Path spec = Files.writeString(dir.resolve("s.json"), """
                {"base": {"train": "%s", "steps": 2, "batch_size": 2, %s}, "grid": {"lr_max": [0.001]}}""".formatted(train, TINY));
        try (var held = dev.jlm.train.RunFolder.lock(out)) {                 // what a running sweep holds
            var e = assertThrows(JlmException.class, () -> new Sweep(spec, out).run(l -> { }));
            assertEquals("out " + out + " is in use by another jlm train or sweep, which holds " + out.resolve(".lock")
                    + ": wait for it to finish, or train into another folder", e.getMessage());
            try (var s = Files.list(out)) {
                assertEquals(List.of(out.resolve(".lock")), s.toList(), "nothing written beside the lock");
            }
        }
        new Sweep(spec, out).run(l -> { });                                  // released: the same sweep runs
        assertTrue(Files.isRegularFile(out.resolve("summary.csv")));
    }

    @Test
    void gridExpandsRunsTrainsEachOnceAndSummarizes(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 2000, 64, 1);
        Path spec = Files.writeString(dir.resolve("s.json"), """
                {"base": {"train": "%s", "steps": 3, %s},
                 "grid": {"lr_max": [0.001, 0.01], "batch_size": [2]},
                 "runs": {"base": {}, "post": {"norm": "post"}}}""".formatted(train, TINY));
        Sweep sweep = new Sweep(spec, dir.resolve("sw"));
        List<String> names = sweep.plan().stream().map(Sweep.Run::name).toList();
        assertEquals(List.of("base_lr_max=0.001_batch_size=2", "base_lr_max=0.01_batch_size=2", "post_lr_max=0.001_batch_size=2",
                "post_lr_max=0.01_batch_size=2"), names);
        Sweep.Run post = sweep.plan().get(3);
        assertEquals("post", post.settings().get("norm").asText());
        assertEquals(0.01, post.config().schedule().lrMax());
        assertEquals(dir.resolve("sw/post_lr_max=0.01_batch_size=2"), post.config().out());

        List<String> log = new ArrayList<>();
        sweep.run(log::add);
        assertEquals(4, log.stream().filter(l -> l.startsWith("== ")).count(), String.join("\n", log));
        sweep.run(log::add);                           // finished runs are not run again
        assertEquals(4, log.stream().filter(l -> l.startsWith("== ")).count(), String.join("\n", log));
        String csv = Files.readString(dir.resolve("sw/summary.csv"));
        assertTrue(csv.startsWith("run,final_val_loss,best_val_loss,final_train_loss,tokens,wall_s,diverged,error\r\n"), csv);
        var last = RunLog.read(dir.resolve("sw/base_lr_max=0.001_batch_size=2")).rows().getLast();   // the summary is the run's own log
        assertEquals(String.format(Locale.ROOT, "base_lr_max=0.001_batch_size=2,,,%.4f,48,%.1f,no,", last.trainLoss(), last.wallSeconds()),
                csv.split("\r\n")[1]);

        Path png = dir.resolve("c.png");
        Plot.write(List.of(RunLog.read(dir.resolve("sw/base_lr_max=0.001_batch_size=2"))), png, "t", null);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1400, img.getWidth());
        int colors = (int) java.util.stream.IntStream.range(0, img.getWidth() * img.getHeight())
                .map(i -> img.getRGB(i % img.getWidth(), i / img.getWidth())).distinct().count();
        assertTrue(colors > 4, "the figure draws curves, not a blank canvas");
    }

    /** The whole description is checked before the first run: nothing is created for any of these. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"base\": {\"train\": TRAIN}, \"gird\": {\"lr_max\": [1]}}                  | unknown key 'gird'",
            "{\"base\": [1, 2]}                                                      | base must be a JSON object",
            "{\"base\": {\"train\": TRAIN}, \"grid\": {\"lr_max\": 0.1}}                  | grid.lr_max must be a non-empty list",
            "{\"base\": {\"train\": TRAIN, \"lr_maks\": 0.1}}                             | unknown setting 'lr_maks'",
            "{\"base\": {\"train\": TRAIN, \"steps\": \"ten\"}}                           | steps must be an integer",
            "{\"base\": {\"train\": TRAIN, \"steps\": 0}}                                 | steps must be > 0",
            "{\"base\": {\"train\": TRAIN}, \"grid\": {\"norm\": [\"pre\", \"sideways\"]}}  | norm: expected one of pre, post, none",
            "{\"base\": {\"train\": TRAIN, \"out\": \"elsewhere\"}}                       | 'out' is set by the sweep itself",
            "{\"base\": {\"train\": TRAIN}, \"runs\": {\"../run1copy\": {}}}              | run name '../run1copy' is not a plain folder name",
            "{\"base\": {\"train\": TRAIN}, \"runs\": {\"..\": {}}}                       | run name '..' is not a plain folder name",
            "{\"base\": {\"train\": TRAIN}, \"runs\": {\"a b\": {}}}                      | run name 'a b' is not a plain folder name",
            "{\"base\": {\"train\": TRAIN}, \"runs\": {\"-x\": {}}}                       | run name '-x' is not a plain folder name",
            "{\"base\": {\"train\": TRAIN}, \"runs\": {\"Base\": {}, \"base\": {}}}       | runs Base and base differ only in case",
            "{\"base\": {\"train\": TRAIN}, \"runs\": {\"summary.csv\": {}}}             | a run named summary.csv would be the sweep's own",
            "{\"base\": {\"train\": TRAIN}, \"grid\": {\"valid\": [\"v/a.bin\", \"v_a.bin\"]}}         | two runs are named valid=v_a.bin",
            "{\"base\": {\"train\": TRAIN}, \"grid\": {\"valid\": [\"a,b.bin\", \"a b.bin\"]}}       | two runs are named valid=a_b.bin",
            "{\"base\": {\"train\": TRAIN, \"lr_max\": 0.1, \"lr-max\": 0.2}}             | base: lr_max is given twice ('lr_max' and 'lr-max')",
            "{\"base\": {\"train\": TRAIN, \"lr_max\": 0.1, \"lr_max\": 0.2}}             | lr_max is given twice",
            "{\"base\": {\"train\": TRAIN}, \"grid\": {\"lr_max\": [1]}, \"runs\": {\"a\": {\"lr-max\": 2}}} | runs.a sets lr_max, which the grid varies",
            "{\"base\": {\"train\": TRAIN, \"lr_max\": null}}                             | lr_max must be a number, got null",
            "{\"base\": {\"train\": TRAIN, \"valid\": null}}                              | valid must be a non-empty path, got null",
            "{\"base\": {\"train\": TRAIN, \"schedule\": \"cosine\", \"decay_steps\": 5}} | decay_steps is a setting of schedule wsd",
            "{\"base\": {\"train\": TRAIN, \"lr_min\": 0.1, \"lr_max\": 0.01}}            | lr_min 0.1 is above lr_max 0.01",
            "{\"base\": {\"train\": TRAIN, \"d_model\": 30, \"num_heads\": 4}}          | d_model 30 is not divisible by num_heads 4",
            "{\"base\": {\"train\": TRAIN, \"eval_every\": 5}}                        | eval_every sets how validation loss is measured on valid, which is not given",
            "{\"base\": {\"train\": TRAIN}, \"grid\": {\"eval_windows\": [8, 16]}}     | eval_windows sets how validation loss is measured on valid"})
    void aBadDescriptionIsRefusedWhole(String json, String expected, @TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 2000, 64, 1);
        // TRAIN: the token file, and a tiny short run (the settings the case does not give), so that a case this test gets wrong ends fast
        StringBuilder tiny = new StringBuilder("\"" + train + "\"");
        for (String kv : (TINY + ", \"steps\": 2").split(", ")) if (!json.contains(kv.substring(0, kv.indexOf(':')))) tiny.append(", ").append(kv);
        Path spec = Files.writeString(dir.resolve("s.json"), json.replace("TRAIN", tiny));
        Path out = dir.resolve("sw");
        var e = assertThrows(JlmException.class, () -> new Sweep(spec, out).run(l -> { }));
        assertTrue(e.getMessage().startsWith(spec + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected.strip()), e.getMessage());
        assertFalse(Files.exists(out), "nothing is written before the description is whole");
        assertTrue(Files.exists(train));
    }

    /**
     * summary.csv is RFC 4180 whatever the machine's locale: read back by Python's csv module (the oracle), every field is the
     * one written — a message with commas, quotes and a line break, numbers with a decimal point under a German locale.
     */
    @Test
    void theSummaryCsvReadsBackInPythonsCsvModule(@TempDir Path dir) throws Exception {
        Locale was = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            Path ok = Files.createDirectories(dir.resolve("sw/ok")), bad = Files.createDirectories(dir.resolve("sw/bad"));
            Files.writeString(ok.resolve("metrics.jsonl"), """
                    {"step":1,"tokens":64,"wall_s":0.25,"train_loss":4.5,"lr":0.001,"grad_norm":1.0,"tokens_per_s":256.0}
                    {"step":2,"tokens":128,"wall_s":1.75,"train_loss":3.25,"lr":0.001,"grad_norm":1.0,"tokens_per_s":73.1,"val_loss":3.125}
                    """);
            String message = "train t.bin: token id 70213 at offset 1,048,576 exceeds \"vocab_size\" 64,\nsee jlm train --help";
            var sweep = new Sweep(dir.resolve("s.json"), dir.resolve("sw"));
            sweep.writeSummary(List.of(new Sweep.Outcome("ok", ok, Sweep.Result.OK, false),
                    new Sweep.Outcome("bad", bad, new Sweep.Result(message, null), false)));
            List<List<String>> rows = PythonCsv.read(dir.resolve("sw/summary.csv"));
            assertEquals(List.of(List.of("run", "final_val_loss", "best_val_loss", "final_train_loss", "tokens", "wall_s", "diverged", "error"),
                    List.of("ok", "3.1250", "3.1250", "3.2500", "128", "1.8", "no", ""),
                    List.of("bad", "", "", "", "", "", "failed", message)), rows);
        } finally {
            Locale.setDefault(was);
        }
    }

    /** Oracle: RFC 4180 §2 written out by hand for each case (a field with , " CR or LF quoted, quotes doubled; CRLF ends a record). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "plain       | a            | a",
            "comma       | a,b          | \"a,b\"",
            "quote       | say \"hi\"     | \"say \"\"hi\"\"\"",
            "line break  | `a\nb`       | `\"a\nb\"`",
            "empty       | ``           | ``"})
    void csvFieldsAreQuotedAsRfc4180Says(String what, String field, String expected) {
        assertEquals(expected + "\r\n", Sweep.csvRow(List.of(field)), what);
        assertEquals("x," + expected + ",y\r\n", Sweep.csvRow(List.of("x", field, "y")), what);
    }
}
