package dev.jlm.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.testing.TokenFiles;
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
        List<String> csv = Files.readAllLines(dir.resolve("sw/summary.csv"));
        assertEquals("run,final_val_loss,best_val_loss,final_train_loss,tokens,wall_s,diverged", csv.get(0));
        var last = RunLog.read(dir.resolve("sw/base_lr_max=0.001_batch_size=2")).rows().getLast();   // the summary is the run's own log
        assertEquals(String.format(Locale.ROOT, "base_lr_max=0.001_batch_size=2,,,%.4f,48,%.1f,no", last.trainLoss(), last.wallSeconds()), csv.get(1));

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
            "{\"base\": {\"train\": TRAIN}, \"grid\": {\"valid\": [\"v/a.bin\", \"v_a.bin\"]}}         | two runs are named valid=v_a.bin",
            "{\"base\": {\"train\": TRAIN, \"d_model\": 30, \"num_heads\": 4}}          | d_model 30 is not divisible by num_heads 4"})
    void aBadDescriptionIsRefusedWhole(String json, String expected, @TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 2000, 64, 1);
        // TRAIN: the token file, and a tiny short run (a later key wins), so that a case this test gets wrong ends fast
        Path spec = Files.writeString(dir.resolve("s.json"), json.replace("TRAIN", "\"" + train + "\", \"steps\": 2, " + TINY));
        Path out = dir.resolve("sw");
        var e = assertThrows(JlmException.class, () -> new Sweep(spec, out).run(l -> { }));
        assertTrue(e.getMessage().startsWith(spec + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected.strip()), e.getMessage());
        assertFalse(Files.exists(out), "nothing is written before the description is whole");
        assertTrue(Files.exists(train));
    }
}
