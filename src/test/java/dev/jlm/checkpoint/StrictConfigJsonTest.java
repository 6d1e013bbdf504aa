package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jlm.JlmException;
import dev.jlm.nn.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model's config.json is read as written or refused naming the file and the keys: HuggingFace keys beside the CS336 ones
 * must say the same (and what jlm's model is by construction), and no key is read past unless it changes nothing (HF's
 * bookkeeping). Oracles: the refusals' texts, and for what is read the settings written out by hand.
 */
class StrictConfigJsonTest {
    static final String BASE = "\"vocab_size\": 97, \"context_length\": 16, \"d_model\": 32, \"num_layers\": 2, \"num_heads\": 4, \"rope_theta\": 500";
    static final String SOURCE = "m/config.json";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "hidden_size             | \"hidden_size\": 64                          | hidden_size 64 contradicts d_model 32",
            "n_embd                  | \"n_embd\": 31                               | n_embd 31 contradicts d_model 32",
            "num_hidden_layers       | \"num_hidden_layers\": 3                     | num_hidden_layers 3 contradicts num_layers 2",
            "num_attention_heads     | \"num_attention_heads\": 8                   | num_attention_heads 8 contradicts num_heads 4",
            "max_position_embeddings | \"max_position_embeddings\": 128             | max_position_embeddings 128 contradicts context_length 16",
            "n_positions as text     | \"n_positions\": \"16\"                        | n_positions \"16\" contradicts context_length 16",
            "num_key_value_heads     | \"num_key_value_heads\": 2                   | num_key_value_heads 2 contradicts num_heads 4",
            "intermediate_size alone | \"intermediate_size\": 100                   | intermediate_size restates d_ff, which this file does not give",
            "rms_norm_eps            | \"rms_norm_eps\": 1e-6                       | rms_norm_eps 1.0E-6 is not jlm's model, whose rms_norm_eps is 1.0E-5",
            "hidden_act              | \"hidden_act\": \"gelu\"                       | hidden_act \"gelu\" is not jlm's model, whose hidden_act is silu",
            "attention_bias          | \"attention_bias\": true                     | attention_bias true is not jlm's model",
            "rope_scaling            | \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2} | rope_scaling {\"type\":\"linear\",\"factor\":2}: jlm's RoPE is unscaled",
            "tied both ways          | \"tie_embeddings\": true, \"tie_word_embeddings\": false | tie_embeddings and tie_word_embeddings contradict each other",
            "misspelt position       | \"positon\": \"none\"                          | unknown key 'positon' (did you mean position?)",
            "unknown key             | \"dropout\": 0.1                             | unknown key 'dropout'",
            "null                    | \"position\": null                           | position is null",
            "a key twice             | \"d_model\": 32                              | d_model is given twice",
            "a string for a number   | \"d_ff\": \"64\"                               | d_ff must be an integer"})
    void aContradictionOrAnUnknownKeyIsRefused(String what, String extra, String expected) {
        String json = "{" + BASE + ", " + extra + "}";
        var e = assertThrows(JlmException.class, () -> ConfigJson.parse(json, SOURCE), what);
        assertTrue(e.getMessage().startsWith(SOURCE + ": "), what + ": the file is named: " + e.getMessage());
        assertTrue(e.getMessage().contains(expected.strip()), what + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** HF keys that agree, HF's bookkeeping, and HF's "not set" (null) for its own keys: read, the settings as written. */
    @Test
    void agreeingHuggingFaceKeysAreRead() {
        String json = "{" + BASE + ", \"position\": \"none\", \"tie_word_embeddings\": true, \"hidden_size\": 32, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"num_key_value_heads\": 4, \"max_position_embeddings\": 16, \"rms_norm_eps\": 1e-5,"
                + " \"hidden_act\": \"silu\", \"rope_scaling\": null, \"n_inner\": null, \"attention_bias\": false, \"architectures\": [\"X\"],"
                + " \"model_type\": \"llama\", \"torch_dtype\": \"float32\", \"transformers_version\": \"4.0\"}";
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("vocab_size", 97);
        expected.put("context_length", 16);
        expected.put("d_model", 32);
        expected.put("num_layers", 2);
        expected.put("num_heads", 4);
        expected.put("rope_theta", 500.0);
        expected.put("position", ModelConfig.Position.NONE);
        expected.put("tie_embeddings", true);
        assertEquals(expected, ConfigJson.parse(json, SOURCE));
    }

    /** The probe's case: a NoPE model whose config.json misspells position would run as RoPE; it is refused naming the file. */
    @Test
    void aMisspeltKeyBesideAStateDictIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path sd = StrictModelFilesTest.stateDict(dir, "{" + BASE.replace("\"rope_theta\": 500", "\"rope_theta\": 500, \"positon\": \"none\"") + "}", t -> { });
        var e = assertThrows(JlmException.class, () -> ModelFiles.resolve(sd, Map.of()));
        assertEquals(sd.resolveSibling("config.json") + ": unknown key 'positon' (did you mean position?); a model config holds "
                + String.join(", ", ConfigJson.keys()), e.getMessage());
        Files.writeString(sd.resolveSibling("config.json"), "{" + BASE + "}");
        assertEquals(ModelFilesTest.C, ModelFiles.resolve(sd, Map.of()).config(), "the same file, spelt right, is read");
    }

    /**
     * A model folder's config.json is read, not passed over for the config in its weights' metadata: where the two disagree
     * (an edited config.json) the folder is refused naming both. Oracle: the texts, and the same folder read when they agree.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {"position | \"none\" | none | rope", "num_layers | 4 | 4 | 2", "num_heads | 8 | 8 | 4",
            "rope_theta | 10000 | 10000.0 | 500.0", "norm | \"post\" | post | pre"})
    void aFoldersConfigJsonMustAgreeWithItsWeights(String key, String value, String says, String was, @TempDir Path dir) throws Exception {
        Path ckpt = ModelFilesTest.savedModel(dir.resolve("m.safetensors"), 5), hf = dir.resolve("hf");
        Checkpoint.export(ModelFiles.resolve(ckpt, Map.of()), hf);
        Path config = hf.resolve("config.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = (ObjectNode) json.readTree(config.toFile());
        n.remove(List.of("norm", "position", "ffn"));                       // left at their usual values: still agreeing
        n.put("model_type", "llama");                                       // HF bookkeeping: read past
        Files.writeString(config, n.toString());
        assertEquals(ModelFilesTest.C, ModelFiles.resolve(hf, Map.of()).config(), "agreeing files are read");
        n.set(key, json.readTree(value));
        Files.writeString(config, n.toString());
        var e = assertThrows(JlmException.class, () -> ModelFiles.resolve(hf, Map.of()));
        assertEquals(config + " says " + key + " " + says + " but " + hf.resolve("model.safetensors") + " (its metadata) says " + was
                + ": a model folder's config.json and its weights' config must agree", e.getMessage());
    }
}
