package dev.jlm.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.testing.TokenFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
    @Test
    void gridExpandsRunsOnceAndSummarizes(@TempDir Path dir) throws Exception {
        Path train = TokenFiles.random(dir.resolve("t.bin"), 2000, 64, 1);
        Path spec = Files.writeString(dir.resolve("s.json"), """
                {"base": {"train": "%s", "steps": 3, "vocab_size": 64},
                 "grid": {"lr_max": [0.001, 0.01], "batch_size": [2]},
                 "runs": {"base": {}, "post": {"norm": "post"}}}""".formatted(train));
        Sweep sweep = new Sweep(spec, dir.resolve("sw"));
        assertEquals(List.of("base_lr_max=0.001_batch_size=2", "base_lr_max=0.01_batch_size=2", "post_lr_max=0.001_batch_size=2",
                "post_lr_max=0.01_batch_size=2"), new ArrayList<>(sweep.expand().keySet()));
        assertEquals("post", sweep.expand().get("post_lr_max=0.01_batch_size=2").get("norm").asText());
        List<Path> trained = new ArrayList<>();
        Sweep.Runner fake = cfg -> {              // stands in for `jlm train`: writes 3 steps of metrics
            trained.add(cfg);
            boolean diverge = cfg.toString().contains("post_lr_max=0.01");
            StringBuilder m = new StringBuilder();
            for (int s = 1; s <= (diverge ? 2 : 3); s++) {
                m.append("{\"step\":%d,\"tokens\":%d,\"wall_s\":%d,\"train_loss\":%f,\"val_loss\":%f,\"lr\":0.1}\n".formatted(s, 10 * s, s, 5.0 - s, 5.5 - s));
            }
            Files.writeString(cfg.getParent().resolve("metrics.jsonl"), m);
            return diverge ? Sweep.Result.diverged(3, "loss is NaN at step 3 (lr 0.01); stopped") : Sweep.Result.OK;
        };
        sweep.run(fake);
        assertEquals(4, trained.size());
        sweep.run(fake);                           // finished and diverged runs are not run again
        assertEquals(4, trained.size());
        List<String> csv = Files.readAllLines(dir.resolve("sw/summary.csv"));
        assertEquals("run,final_val_loss,best_val_loss,final_train_loss,tokens,wall_s,diverged", csv.get(0));
        assertEquals("base_lr_max=0.001_batch_size=2,2.5000,2.5000,2.0000,30,3.0,no", csv.get(1));
        assertEquals("post_lr_max=0.01_batch_size=2,3.5000,3.5000,3.0000,20,2.0,yes", csv.get(4));
        assertTrue(Files.readString(dir.resolve("sw/summary.md")).contains("| yes (NaN at step 3) |"));

        Path png = dir.resolve("c.png");
        Plot.write(List.of(RunLog.read(dir.resolve("sw/base_lr_max=0.001_batch_size=2"))), png, "t", null);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(1400, img.getWidth());
        int colors = (int) java.util.stream.IntStream.range(0, img.getWidth() * img.getHeight())
                .map(i -> img.getRGB(i % img.getWidth(), i / img.getWidth())).distinct().count();
        assertTrue(colors > 4, "the figure draws curves, not a blank canvas");
    }
}
