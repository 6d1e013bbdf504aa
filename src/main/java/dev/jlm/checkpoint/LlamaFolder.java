package dev.jlm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.JlmException;
import dev.jlm.io.AtomicFile;
import dev.jlm.io.AtomicFolder;
import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.RmsNorm;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CS336 model as a HuggingFace transformers {@code LlamaForCausalLM} folder ({@code config.json} + {@code model.safetensors}),
 * and back. The two architectures are one (pre-norm RMSNorm, RoPE, SwiGLU, no biases) but for two conventions:
 * <ul>
 *   <li>names: {@code layers.i.attn.q_proj.weight} ↔ {@code model.layers.i.self_attn.q_proj.weight}, and so on ({@link #NAMES});
 *   <li>RoPE's pairs: CS336 rotates adjacent features (2j, 2j+1) of each head, Llama rotates halves (j, j + d_head/2), at the
 *       same frequency θ^(−2j/d_head). So q's and k's output rows are permuted within each head: Llama's row
 *       {@code h·dh + c·dh/2 + j} is CS336's row {@code h·dh + 2j + c} (c ∈ {0, 1}). q·k is unchanged, as both move alike;
 *       v and the output projection keep their rows.
 * </ul>
 */
public final class LlamaFolder {
    /** CS336 name (after the layer prefix, for layer tensors) → transformers' name. */
    static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("token_embeddings.weight", "model.embed_tokens.weight"),
            Map.entry("ln_final.weight", "model.norm.weight"),
            Map.entry("lm_head.weight", "lm_head.weight"),
            Map.entry("attn.q_proj.weight", "self_attn.q_proj.weight"),
            Map.entry("attn.k_proj.weight", "self_attn.k_proj.weight"),
            Map.entry("attn.v_proj.weight", "self_attn.v_proj.weight"),
            Map.entry("attn.output_proj.weight", "self_attn.o_proj.weight"),
            Map.entry("ln1.weight", "input_layernorm.weight"),
            Map.entry("ln2.weight", "post_attention_layernorm.weight"),
            Map.entry("ffn.w1.weight", "mlp.gate_proj.weight"),
            Map.entry("ffn.w3.weight", "mlp.up_proj.weight"),
            Map.entry("ffn.w2.weight", "mlp.down_proj.weight"));
    private static final String LAYER = TransformerLm.LAYERS + ".";

    private LlamaFolder() {}

    /** transformers' name of a CS336 tensor name. */
    static String hfName(String cs336) {
        if (!cs336.startsWith(LAYER)) return require(NAMES.get(cs336), cs336);
        int dot = cs336.indexOf('.', LAYER.length());
        String layer = cs336.substring(LAYER.length(), dot), rest = cs336.substring(dot + 1);
        return "model.layers." + layer + "." + require(NAMES.get(rest), cs336);
    }

    private static String require(String name, String cs336) {
        if (name == null) throw new IllegalArgumentException("no Llama name for " + cs336);
        return name;
    }

    /** Refuses a model Llama cannot hold, naming the setting. */
    static void requireLlama(ModelConfig c, String source) {
        if (c.norm() != ModelConfig.Norm.PRE) throw new JlmException(source + ": norm " + c.norm().name().toLowerCase()
                + " has no LlamaForCausalLM form (Llama is pre-norm); export it with --format cs336");
        if (c.position() != ModelConfig.Position.ROPE) throw new JlmException(source + ": position " + c.position().name().toLowerCase()
                + " has no LlamaForCausalLM form (Llama uses RoPE); export it with --format cs336");
        if (c.ffn() != ModelConfig.Ffn.SWIGLU) throw new JlmException(source + ": ffn " + c.ffn().name().toLowerCase()
                + " has no LlamaForCausalLM form (Llama's MLP is SwiGLU); export it with --format cs336");
    }

    /**
     * The row order that turns CS336's q/k rows into Llama's: {@code llama[r] = cs336[order[r]]} over d_model rows, head by
     * head. Its inverse takes Llama's back.
     */
    static long[] ropeRowOrder(ModelConfig c, boolean toLlama) {
        int dh = c.dHead(), half = dh / 2;
        long[] order = new long[c.dModel()];
        for (int h = 0; h < c.numHeads(); h++) {
            for (int half01 = 0; half01 < 2; half01++) {
                for (int j = 0; j < half; j++) {
                    int llama = h * dh + half01 * half + j, cs336 = h * dh + 2 * j + half01;
                    if (toLlama) order[llama] = cs336; else order[cs336] = llama;
                }
            }
        }
        return order;
    }

    /** transformers' {@code LlamaConfig} for {@code c}, as the key/value pairs of its config.json. */
    static Map<String, Object> config(ModelConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("LlamaForCausalLM"));
        m.put("model_type", "llama");
        m.put("vocab_size", c.vocabSize());
        m.put("hidden_size", c.dModel());
        m.put("intermediate_size", c.dFf());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_attention_heads", c.numHeads());
        m.put("num_key_value_heads", c.numHeads());
        m.put("head_dim", c.dHead());
        m.put("hidden_act", "silu");
        m.put("max_position_embeddings", c.contextLength());
        m.put("rms_norm_eps", RmsNorm.EPS);
        m.put("rope_theta", c.ropeTheta());
        m.put("rope_scaling", null);
        m.put("attention_bias", false);
        m.put("mlp_bias", false);
        m.put("tie_word_embeddings", c.tieEmbeddings());
        m.put("torch_dtype", "float32");
        return m;
    }

    /** The model's tensors under transformers' names, q and k rows in Llama's order; a tied model keeps only the embedding. */
    static Map<String, Tensor> toLlama(Map<String, Tensor> cs336, ModelConfig c) {
        Tensor order = Torch.fromArray(ropeRowOrder(c, true), c.dModel());
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : TransformerLm.parameterShapes(c).keySet()) {
            Tensor t = cs336.get(name);
            if (name.endsWith("attn.q_proj.weight") || name.endsWith("attn.k_proj.weight")) t = t.indexSelect(0, order);
            out.put(hfName(name), t);
        }
        return out;
    }

    /**
     * Writes {@code dir} as a new or empty folder holding config.json and model.safetensors, as one set; float32 as stored.
     * No model is built.
     */
    public static void export(ModelFiles.Resolved r, Path dir) throws IOException {
        requireLlama(r.config(), r.configSource());
        String json;
        try {
            json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(config(r.config())) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        AtomicFolder.write(dir, false, tmp -> {
            try (var s = TensorScope.open()) {
                Map<String, Tensor> cs336 = Safetensors.read(r.weights(), Device.CPU).tensors();
                Checkpoint.requireFinite(r.weights(), cs336);
                Map<String, Tensor> llama = toLlama(cs336, r.config());
                Safetensors.write(tmp.resolve(ModelFiles.WEIGHTS), llama, Map.of("format", "pt"));
            }
            AtomicFile.write(tmp.resolve(ModelFiles.CONFIG), out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
        });
    }
}
