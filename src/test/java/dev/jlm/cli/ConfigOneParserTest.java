package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jlm.experiments.Sweep;
import dev.jlm.nn.ModelConfig;
import dev.jlm.tensor.DType;
import dev.jlm.testing.TokenFiles;
import dev.jlm.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One parser for a setting's value, wherever it comes from: `jlm train --config run.json` reads each value as a sweep
 * reads the same value in its grid. The oracle is the table below, written by hand: a JSON value → the value the run
 * gets, or REFUSED. A refused --config value is one line naming the key and the file, exit 2, before any work; the same
 * value as a sweep's grid value is refused too, and an accepted one resolves to the same value in both.
 */
class ConfigOneParserTest {
    private static final Object REFUSED = new Object() {
        @Override
        public String toString() {
            return "REFUSED";
        }
    };

    /** key, the JSON value as written in the file, the run's value (or REFUSED), how to read it off the run's config. */
    record Case(String key, String json, Object expected, Function<TrainConfig, Object> read) {
        @Override
        public String toString() {
            return "\"" + key + "\": " + json + " -> " + expected;
        }
    }

    private static Case c(String key, String json, Object expected, Function<TrainConfig, Object> read) {
        return new Case(key, json, expected, read);
    }

    static Stream<Case> table() {
        Function<TrainConfig, Object> tied = t -> t.model().tieEmbeddings(), resume = TrainConfig::resume, batch = TrainConfig::batchSize,
                steps = TrainConfig::steps, lr = t -> t.schedule().lrMax(), beta2 = t -> t.adamw().beta2(), clip = TrainConfig::gradClip,
                norm = t -> t.model().norm(), dtype = TrainConfig::dtype, valid = TrainConfig::valid;
        return Stream.of(
                // boolean: JSON true or false, nothing else
                c("tie_embeddings", "true", true, tied),
                c("tie_embeddings", "false", false, tied),
                c("tie-embeddings", "true", true, tied),                 // a key as the flag spells it, with -
                c("tie_embeddings", "\"yes\"", REFUSED, tied),
                c("tie_embeddings", "\"true\"", REFUSED, tied),
                c("tie_embeddings", "1", REFUSED, tied),
                c("tie_embeddings", "0", REFUSED, tied),
                c("tie_embeddings", "null", REFUSED, tied),
                c("tie_embeddings", "[true]", REFUSED, tied),
                c("resume", "1", REFUSED, resume),
                c("resume", "\"false\"", REFUSED, resume),
                c("resume", "null", REFUSED, resume),
                c("resume", "false", false, resume),
                // int: a JSON integer that fits, inside the domain (> 0)
                c("batch_size", "4", 4, batch),
                c("batch_size", "\"4\"", REFUSED, batch),
                c("batch_size", "4.5", REFUSED, batch),
                c("batch_size", "4.0", REFUSED, batch),
                c("batch_size", "0", REFUSED, batch),
                c("batch_size", "-2", REFUSED, batch),
                c("batch_size", "3000000000", REFUSED, batch),
                c("batch_size", "true", REFUSED, batch),
                c("batch_size", "null", REFUSED, batch),
                c("batch_size", "[4]", REFUSED, batch),
                // long
                c("steps", "3000000000", 3_000_000_000L, steps),
                c("steps", "1e3", REFUSED, steps),
                c("steps", "\"10\"", REFUSED, steps),
                // double: any JSON number, inside the domain
                c("lr_max", "0.001", 0.001, lr),
                c("lr_max", "1", 1.0, lr),
                c("lr_max", "\"0.001\"", REFUSED, lr),
                c("lr_max", "0", REFUSED, lr),
                c("lr_max", "-1", REFUSED, lr),
                c("lr_max", "true", REFUSED, lr),
                c("lr_max", "null", REFUSED, lr),
                c("beta2", "0.95", 0.95, beta2),
                c("beta2", "1.5", REFUSED, beta2),
                c("grad_clip", "0", 0.0, clip),
                // enum: a JSON string naming a constant (any case, as the flags), inside the domain
                c("norm", "\"post\"", ModelConfig.Norm.POST, norm),
                c("norm", "\"POST\"", ModelConfig.Norm.POST, norm),
                c("norm", "\"sideways\"", REFUSED, norm),
                c("norm", "1", REFUSED, norm),
                c("norm", "null", REFUSED, norm),
                c("norm", "[\"post\"]", REFUSED, norm),
                c("dtype", "\"bfloat16\"", DType.BFLOAT16, dtype),
                c("dtype", "\"float16\"", REFUSED, dtype),          // a DType, but not one a run computes in
                // path: a JSON string; null is no file named "null"
                c("valid", "null", REFUSED, valid),
                c("valid", "\"\"", REFUSED, valid),
                c("valid", "5", REFUSED, valid));
    }

    @TempDir
    static Path dir;
    private static Path train;

    @BeforeAll
    static void tokens() throws Exception {
        train = TokenFiles.random(dir.resolve("train.bin"), 2000, 64, 1);
    }

    /** The smallest run the CLI tests use, every key but {@code except}. */
    private static Map<String, String> tiny(String except) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train", "\"" + train + "\"");
        for (String kv : List.of("vocab_size=64", "context_length=8", "d_model=16", "num_layers=1", "num_heads=2", "batch_size=2", "steps=2",
                "threads=1")) {
            m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        m.keySet().removeIf(k -> k.equals(except.replace('-', '_')));
        return m;
    }

    private static String object(Map<String, String> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append('"').append(k).append("\": ").append(v));
        return b.append('}').toString();
    }

    private static int n;

    /** A new path under the folder: name-N, or name-N.json. */
    private static Path fresh(String name) {
        n++;
        return dir.resolve(name.endsWith(".json") ? name.replace(".json", "-" + n + ".json") : name + "-" + n);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void configAndSweepReadAValueAlike(Case c) throws Exception {
        // --config
        Path out = fresh("run");
        Map<String, String> cfg = tiny(c.key());
        cfg.put("out", "\"" + out + "\"");
        cfg.put(c.key(), c.json());
        Path file = Files.writeString(fresh("run.json"), object(cfg));
        if (c.expected() == REFUSED) {
            var r = CliTrainTest.run("train", "--config", file.toString());
            assertEquals(2, r.code(), c + ": " + r.err() + r.out());
            assertOneLineNaming(r.err(), c.key(), file, c);
            assertFalse(Files.exists(out), c + ": nothing is written");
        } else {
            TrainConfig t = TrainCommand.parse("--config", file.toString());
            assertEquals(c.expected(), c.read().apply(t), c + " by --config");
        }

        // the same value as a sweep's grid value
        boolean sweepOwns = c.key().equals("resume");            // a sweep decides resume itself: refused whatever its value
        Map<String, String> base = tiny(c.key());
        Path grid = Files.writeString(fresh("grid.json"),
                "{\"base\": " + object(base) + ", \"grid\": {\"" + c.key() + "\": [" + c.json() + "]}}");
        Path sw = fresh("sweep");
        if (c.expected() == REFUSED || sweepOwns) {
            var r = CliTrainTest.run("sweep", "--grid", grid.toString(), "--out", sw.toString());
            assertTrue(r.code() != 0, c + " by a sweep: " + r.err());
            assertFalse(r.err().contains("\n"), r.err());
            assertTrue(r.err().startsWith("jlm: " + grid + ": "), r.err());
            assertFalse(Files.exists(sw), c + " by a sweep: nothing is written");
        } else {
            List<Sweep.Run> runs = new Sweep(grid, sw).plan();
            assertEquals(1, runs.size());
            assertEquals(c.expected(), c.read().apply(runs.getFirst().config()), c + " by a sweep");
        }
    }

    /** One line, "jlm: …", naming the file and the key (as written, or as its flag). */
    private static void assertOneLineNaming(String err, String key, Path file, Object what) {
        assertTrue(err.startsWith("jlm: "), what + ": " + err);
        assertFalse(err.contains("\n"), what + ": " + err);
        assertTrue(err.contains(file.toString()), what + ": the file is named: " + err);
        String k = key.replace('-', '_');
        assertTrue(err.contains(k) || err.contains("--" + k.replace('_', '-')), what + ": the key is named: " + err);
    }

    @Test
    void aDuplicateKeyIsRefused() throws Exception {
        for (String[] dup : new String[][] {{"tie_embeddings", "tie_embeddings"}, {"lr_max", "lr-max"}}) {
            Path out = fresh("run");
            Map<String, String> cfg = tiny("");
            cfg.put("out", "\"" + out + "\"");
            String json = object(cfg);
            String value = dup[0].equals("lr_max") ? "0.01" : "true";
            json = json.substring(0, json.length() - 1) + ", \"" + dup[0] + "\": " + (value.equals("true") ? "false" : "0.1") + ", \""
                    + dup[1] + "\": " + value + "}";
            Path file = Files.writeString(fresh("dup.json"), json);
            var r = CliTrainTest.run("train", "--config", file.toString());
            assertTrue(r.code() != 0, json + ": " + r.err());
            assertOneLineNaming(r.err(), dup[1], file, json);
            assertTrue(r.err().contains("twice"), r.err());
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void aMisspeltKeyIsRefusedNamingTheNearestOne() throws Exception {
        Object[][] rows = {{"tie_embedding", "true", "tie_embeddings"}, {"lr_maks", "0.01", "lr_max"}, {"learning_rate", "1", null}};
        for (Object[] row : rows) {
            Path out = fresh("run");
            Map<String, String> cfg = tiny("");
            cfg.put("out", "\"" + out + "\"");
            cfg.put((String) row[0], (String) row[1]);
            Path file = Files.writeString(fresh("typo.json"), object(cfg));
            var r = CliTrainTest.run("train", "--config", file.toString());
            assertTrue(r.code() != 0, r.err());
            assertOneLineNaming(r.err(), (String) row[0], file, row[0]);
            if (row[2] != null) assertTrue(r.err().contains("did you mean " + row[2] + "?"), r.err());
            else assertFalse(r.err().contains("did you mean"), r.err());
            assertFalse(Files.exists(out));

            Path grid = Files.writeString(fresh("grid.json"),
                    "{\"base\": " + object(tiny("")) + ", \"grid\": {\"" + row[0] + "\": [" + row[1] + "]}}");
            var s = CliTrainTest.run("sweep", "--grid", grid.toString(), "--out", fresh("sweep").toString());
            assertTrue(s.code() != 0 && s.err().contains("'" + row[0] + "'"), s.err());
        }
    }

    @Test
    void theFileIsCheckedWholeEvenWhereAFlagWins() throws Exception {
        Path out = fresh("run");
        Map<String, String> cfg = tiny("");
        cfg.put("out", "\"" + out + "\"");
        cfg.put("tie_embeddings", "\"yes\"");
        Path file = Files.writeString(fresh("run.json"), object(cfg));
        var r = CliTrainTest.run("train", "--config", file.toString(), "--tie-embeddings");
        assertEquals(2, r.code(), r.err());
        assertOneLineNaming(r.err(), "tie_embeddings", file, "flag over a bad file value");
        cfg.put("tie_embeddings", "false");
        Files.writeString(file, object(cfg));
        assertEquals(true, TrainCommand.parse("--config", file.toString(), "--tie-embeddings").model().tieEmbeddings(), "the flag wins");
        assertEquals(false, TrainCommand.parse("--config", file.toString()).model().tieEmbeddings());
        cfg.put("nproc", "\"2\"");                               // jlm train's own options go by the same rule
        Files.writeString(file, object(cfg));
        var own = CliTrainTest.run("train", "--config", file.toString());
        assertEquals(2, own.code(), own.err());
        assertOneLineNaming(own.err(), "nproc", file, "nproc as a string");
        if (!own.err().contains("an integer")) fail(own.err());
    }
}
