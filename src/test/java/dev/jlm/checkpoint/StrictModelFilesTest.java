package dev.jlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import dev.jlm.data.TokenFile;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.PyTorchOracle;
import dev.jlm.testing.TokenFiles;
import dev.jlm.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model file is read exactly as written, or refused by name: what a state dict holds beyond, beside or instead of the
 * model its config builds is an error naming the tensor, never a silently different model. Oracles: the refusals'
 * texts; for what loads, the loss of the same weights in their plain form (jlm) and in the PyTorch model.
 */
class StrictModelFilesTest {
    static final ModelConfig C = ModelFilesTest.C;
    static final String CONFIG = """
            {"vocab_size": 97, "context_length": 16, "d_model": 32, "num_layers": 2, "num_heads": 4, "rope_theta": 500}""";

    /** A PyTorch-style state dict (no metadata) of a random model C, changed by {@code edit}; config.json beside it. */
    static Path stateDict(Path dir, String config, Consumer<Map<String, Tensor>> edit) throws Exception {
        Files.createDirectories(dir.resolve("sd"));
        Path ckpt = ModelFilesTest.savedModel(dir.resolve("jlm.safetensors"), 5), sd = dir.resolve("sd/model.safetensors");
        try (var s = TensorScope.open()) {
            Map<String, Tensor> t = new LinkedHashMap<>(Safetensors.read(ckpt, Device.CPU).tensors());
            edit.accept(t);
            Safetensors.write(sd, t, Map.of());
        }
        if (config != null) Files.writeString(sd.resolveSibling("config.json"), config);
        return sd;
    }

    static String refusal(Path file, Map<String, Object> given) {
        return assertThrows(JlmException.class, () -> ModelFiles.resolve(file, given)).getMessage();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "an extra bias       | add layers.0.attn.q_proj.bias | tensor layers.0.attn.q_proj.bias is not part of this model",
            "a typo'd lm_head    | rename lm_head.weight lm_head.weights | tensor lm_head.weight is missing but the config in",
            "renamed norm weight | rename layers.0.ln1.weight layers.0.norm1.weight | tensor layers.0.ln1.weight is missing",
            "renamed w3          | rename layers.1.ffn.w3.weight layers.1.ffn.w3.weights | tensor layers.1.ffn.w3.weight is missing",
            "no w3 (a SiLU model without its config saying so) | drop layers.0.ffn.w3.weight layers.1.ffn.w3.weight | tensor layers.0.ffn.w3.weight is missing",
            "no norms            | drop layers.0.ln1.weight layers.0.ln2.weight layers.1.ln1.weight layers.1.ln2.weight ln_final.weight | tensor layers.0.ln1.weight is missing"})
    void whatTheConfigDoesNotBuildIsRefusedByName(String what, String edit, String expected, @TempDir Path dir) throws Exception {
        String[] e = edit.strip().split(" ");
        Path sd = stateDict(dir, CONFIG, t -> {
            switch (e[0]) {
                case "add" -> t.put(e[1], Torch.zeros(32));
                case "rename" -> t.put(e[2], t.remove(e[1]));
                default -> { for (int i = 1; i < e.length; i++) t.remove(e[i]); }
            }
        });
        String m = refusal(sd, Map.of());
        assertTrue(m.contains(expected.strip()), what + ": " + m);
        if (e[0].equals("rename")) assertTrue(m.contains("the file has " + e[2] + ": a misnamed tensor?"), m);
    }

    /** The architecture comes from the config or the user, never from missing tensors: a SiLU model loads when said so. */
    @Test
    void aSiluStateDictLoadsWhenTheConfigSaysSilu(@TempDir Path dir) throws Exception {
        Path sd = stateDict(dir, CONFIG.replace("}", ", \"ffn\": \"silu\"}"), t -> {
            t.remove("layers.0.ffn.w3.weight");
            t.remove("layers.1.ffn.w3.weight");
        });
        assertEquals(ModelConfig.Ffn.SILU, ModelFiles.resolve(sd, Map.of()).config().ffn());
        Files.delete(sd.resolveSibling("config.json"));
        assertTrue(refusal(sd, Map.of("num_heads", 4, "context_length", 16, "rope_theta", 500.0)).contains("tensor layers.0.ffn.w3.weight is missing"));
        assertEquals(ModelConfig.Ffn.SILU, ModelFiles.resolve(sd, Map.of("num_heads", 4, "context_length", 16, "rope_theta", 500.0,
                "ffn", ModelConfig.Ffn.SILU)).config().ffn());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"module., DistributedDataParallel", "_orig_mod., torch.compile"})
    void wrappedModelsStateDictsAreNamedAsSuch(String prefix, String wrapper, @TempDir Path dir) throws Exception {
        Path sd = stateDict(dir, CONFIG, t -> {
            Map<String, Tensor> renamed = new LinkedHashMap<>();
            t.forEach((k, v) -> renamed.put(prefix + k, v));
            t.clear();
            t.putAll(renamed);
        });
        String m = refusal(sd, Map.of());
        assertTrue(m.contains("every tensor name starts with '" + prefix + "'") && m.contains(wrapper), m);
    }

    @Test
    void aPickleIsRefusedWithHowToSaveSafetensors(@TempDir Path dir) throws Exception {
        Path pt = Files.write(dir.resolve("model.pt"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
        assertTrue(refusal(pt, Map.of()).contains("a PyTorch pickle (torch.save), not safetensors"), refusal(pt, Map.of()));
        Path bin = Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2, 0x7d, 0x71, 0, 0, 0, 0, 0});
        assertTrue(refusal(bin, Map.of()).contains("safetensors.torch.save_file(model.state_dict()"), refusal(bin, Map.of()));
    }

    @Test
    void aHuggingFaceConfigSaysWhichNamesJlmReads(@TempDir Path dir) throws Exception {
        Path sd = stateDict(dir, """
                {"vocab_size": 97, "hidden_size": 32, "num_attention_heads": 4, "num_hidden_layers": 2, "max_position_embeddings": 16}""", t -> { });
        String m = refusal(sd, Map.of());
        assertTrue(m.contains("a HuggingFace transformers config") && m.contains("d_model (for hidden_size)")
                && m.contains("num_heads (for num_attention_heads)"), m);
    }

    @Test
    void overlappingTensorsAreRefused(@TempDir Path dir) throws Exception {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.US_ASCII), out = new byte[8 + h.length + 24];
        for (int i = 0; i < 8; i++) out[i] = (byte) ((long) h.length >>> (8 * i));
        System.arraycopy(h, 0, out, 8, h.length);
        Path f = Files.write(dir.resolve("overlap.safetensors"), out);
        assertEquals(f + ": tensors a and b overlap (bytes 8..16 of the data): not a valid safetensors file", refusal(f, Map.of()));
    }

    /**
     * Tied embeddings: a state dict without lm_head.weight loads when config.json says tie_word_embeddings, and computes
     * what the untied model with lm_head = token_embeddings computes (jlm, and the PyTorch model); export writes it once.
     */
    @Test
    void tiedEmbeddingsLoadExportOnceAndMatchTheUntiedCopy(@TempDir Path dir) throws Exception {
        Path tokens = TokenFiles.random(dir.resolve("t.bin"), 400, 97, 3);
        Path untied = stateDict(dir.resolve("u"), CONFIG, t -> t.put("lm_head.weight", t.get("token_embeddings.weight").clone()));
        Path tied = stateDict(dir.resolve("t"), CONFIG.replace("}", ", \"tie_word_embeddings\": true}"), t -> t.remove("lm_head.weight"));
        ModelFiles.Resolved r = ModelFiles.resolve(tied, Map.of());
        assertTrue(r.config().tieEmbeddings());
        double tiedLoss = loss(r, tokens), untiedLoss = loss(ModelFiles.resolve(untied, Map.of()), tokens);
        assertEquals(untiedLoss, tiedLoss, 1e-6);
        assertEquals(PyTorchOracle.eval(tied.getParent(), tokens, 10), tiedLoss, 1e-4);
        Path hf = dir.resolve("hf");
        Checkpoint.export(r, hf);
        assertFalse(Safetensors.readHeader(hf.resolve(ModelFiles.WEIGHTS)).entries().containsKey("lm_head.weight"), "tied weights are written once");
        assertTrue(Files.readString(hf.resolve(ModelFiles.CONFIG)).contains("\"tie_embeddings\" : true"));
        assertEquals(tiedLoss, loss(ModelFiles.resolve(hf, Map.of()), tokens), 0.0);
    }

    /** A model with a config runs at a longer context when the user asks (RoPE extends); heads or θ must still agree. */
    @Test
    void aLongerContextIsTheUsersChoiceTheWeightsAreNot(@TempDir Path dir) throws Exception {
        Path ckpt = ModelFilesTest.savedModel(dir.resolve("m.safetensors"), 6);
        ModelFiles.Resolved longer = ModelFiles.resolve(ckpt, Map.of("context_length", 64));
        assertEquals(64, longer.config().contextLength());
        Path tokens = TokenFiles.random(dir.resolve("t.bin"), 1000, 97, 4);
        assertTrue(Double.isFinite(loss(longer, tokens)));
        assertTrue(refusal(ckpt, Map.of("num_heads", 8)).startsWith("num_heads 8 disagrees with " + ckpt), refusal(ckpt, Map.of("num_heads", 8)));
    }

    static double loss(ModelFiles.Resolved r, Path tokens) throws Exception {
        try (var run = TensorScope.open(); TokenFile data = TokenFile.open(tokens)) {
            return Evaluator.evaluate(Checkpoint.load(r, Device.CPU, DType.FLOAT32, Kernels.REFERENCE), data, 10, 5).loss();
        }
    }
}
