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
 *   <li>names: {@code layers.i.attn.q_proj.weight} ↔ {@code model.layers.i.self_attn.q_proj.weight}, and so on ({@link #TOP},
 *       {@link #IN_LAYER});
 *   <li>RoPE's pairs: CS336 rotates adjacent features (2j, 2j+1) of each head, Llama rotates halves (j, j + d_head/2), at the
 *       same frequency θ^(−2j/d_head). So q's and k's output rows are permuted within each head: Llama's row
 *       {@code h·dh + c·dh/2 + j} is CS336's row {@code h·dh + 2j + c} (c ∈ {0, 1}). q·k is unchanged, as both move alike;
 *       v and the output projection keep their rows.
 * </ul>
 */
public final class LlamaFolder {
    /** CS336 name → transformers' name: the model's own tensors, then each layer's (after the layer prefix). */
    static final Map<String, String> TOP = Map.of(
            "token_embeddings.weight", "model.embed_tokens.weight",
            "ln_final.weight", "model.norm.weight",
            "lm_head.weight", "lm_head.weight");
    static final Map<String, String> IN_LAYER = Map.of(
            "attn.q_proj.weight", "self_attn.q_proj.weight",
            "attn.k_proj.weight", "self_attn.k_proj.weight",
            "attn.v_proj.weight", "self_attn.v_proj.weight",
            "attn.output_proj.weight", "self_attn.o_proj.weight",
            "ln1.weight", "input_layernorm.weight",
            "ln2.weight", "post_attention_layernorm.weight",
            "ffn.w1.weight", "mlp.gate_proj.weight",
            "ffn.w3.weight", "mlp.up_proj.weight",
            "ffn.w2.weight", "mlp.down_proj.weight");
    private static final Map<String, String> TOP_BACK = inverse(TOP), IN_LAYER_BACK = inverse(IN_LAYER);
    private static final String LAYER = TransformerLm.LAYERS + ".", HF_LAYER = "model.layers.";

    private LlamaFolder() {}

    /** Whether a file's tensor names are transformers' Llama names (its embedding is {@code model.embed_tokens.weight}). */
    static boolean holds(java.util.Collection<String> names) {
        return names.contains(TOP.get("token_embeddings.weight"));
    }

    /** The CS336 name of a transformers Llama tensor name; null for a name Llama's layout does not have. */
    static String cs336Name(String hf) {
        if (!hf.startsWith(HF_LAYER)) return TOP_BACK.get(hf);
        int dot = hf.indexOf('.', HF_LAYER.length());
        String rest = dot < 0 ? null : IN_LAYER_BACK.get(hf.substring(dot + 1));
        return rest == null ? null : LAYER + hf.substring(HF_LAYER.length(), dot) + "." + rest;
    }

    private static Map<String, String> inverse(Map<String, String> m) {
        Map<String, String> out = new java.util.HashMap<>();
        m.forEach((k, v) -> out.put(v, k));
        return Map.copyOf(out);
    }

    /**
     * Llama's names as CS336's (a header's entries or a file's tensors; the shapes are the same), or {@code byName} as it
     * is when it does not hold Llama's names; a tensor Llama's layout does not have is refused naming {@code file}.
     */
    static <T> Map<String, T> cs336Names(Map<String, T> byName, Path file) {
        if (!holds(byName.keySet())) return byName;
        Map<String, T> renamed = new LinkedHashMap<>();
        for (var e : byName.entrySet()) {
            String name = cs336Name(e.getKey());
            if (name == null) throw new JlmException(file + ": tensor " + e.getKey() + " is not part of a LlamaForCausalLM that jlm can run"
                    + " (a folder with model.embed_tokens.weight is read as transformers' Llama layout)");
            renamed.put(name, e.getValue());
        }
        return renamed;
    }

    /** CS336-named tensors with q's and k's rows taken in {@code ropeRowOrder(c, toLlama)}; the others as they are. */
    static Map<String, Tensor> ropeRowsReordered(Map<String, Tensor> cs336, ModelConfig c, boolean toLlama) {
        Tensor order = Torch.fromArray(ropeRowOrder(c, toLlama), c.dModel());
        Map<String, Tensor> out = new LinkedHashMap<>(cs336);
        out.replaceAll((name, t) -> name.endsWith("attn.q_proj.weight") || name.endsWith("attn.k_proj.weight") ? t.indexSelect(0, order) : t);
        return out;
    }

    /**
     * A transformers {@code LlamaConfig} (model_type llama) as a config under the CS336 keys, for {@link ConfigJson#parse} to
     * read with its usual strictness: the HF names become jlm's keys; what Llama fixes (pre-norm, RoPE, SwiGLU) is written
     * out; {@code head_dim} must be d_model / num_heads and {@code rope_parameters} (transformers 5) plain RoPE.
     */
    static com.fasterxml.jackson.databind.node.ObjectNode asCs336Config(com.fasterxml.jackson.databind.node.ObjectNode hf, String source) {
        var o = hf.objectNode();
        Map<String, String> rename = Map.of("hidden_size", "d_model", "num_attention_heads", "num_heads", "num_hidden_layers", "num_layers",
                "intermediate_size", "d_ff", "max_position_embeddings", "context_length");
        for (var e : hf.properties()) {
            String k = e.getKey();
            if (k.equals("head_dim") || k.equals("rope_parameters") || k.equals("pretraining_tp") || k.equals("attention_dropout")
                    || k.equals("dtype")) continue;
            o.set(rename.getOrDefault(k, k), e.getValue());
        }
        var params = hf.get("rope_parameters");
        if (params != null && !params.isNull()) {
            var type = params.get("rope_type");
            if (type != null && !type.asText().equals("default")) throw new JlmException(source + ": rope_parameters.rope_type " + type
                    + ": jlm's RoPE is unscaled (rope_type default)");
            var theta = params.get("rope_theta");
            if (theta != null) {
                if (o.has("rope_theta") && o.get("rope_theta").asDouble() != theta.asDouble()) throw new JlmException(source
                        + ": rope_theta " + o.get("rope_theta") + " contradicts rope_parameters.rope_theta " + theta);
                o.set("rope_theta", theta);
            }
        }
        var dropout = hf.get("attention_dropout");
        if (dropout != null && dropout.asDouble() != 0) throw new JlmException(source + ": attention_dropout " + dropout + ": jlm's attention has none");
        var tp = hf.get("pretraining_tp");
        if (tp != null && tp.asInt() != 1) throw new JlmException(source + ": pretraining_tp " + tp + ": jlm reads Llama folders with pretraining_tp 1");
        var headDim = hf.get("head_dim");
        var d = hf.get("hidden_size"); var heads = hf.get("num_attention_heads");
        if (headDim != null && !headDim.isNull() && d != null && heads != null && heads.asInt() > 0 && headDim.asInt() * heads.asInt() != d.asInt()) {
            throw new JlmException(source + ": head_dim " + headDim + " × num_attention_heads " + heads + " is not hidden_size " + d
                    + " (jlm's heads split d_model)");
        }
        o.put("norm", "pre");
        o.put("position", "rope");
        o.put("ffn", "swiglu");
        return o;
    }

    /** transformers' name of a CS336 tensor name. */
    static String hfName(String cs336) {
        if (!cs336.startsWith(LAYER)) return require(TOP.get(cs336), cs336);
        int dot = cs336.indexOf('.', LAYER.length());
        return HF_LAYER + cs336.substring(LAYER.length(), dot) + "." + require(IN_LAYER.get(cs336.substring(dot + 1)), cs336);
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
        Map<String, Tensor> reordered = ropeRowsReordered(cs336, c, true), out = new LinkedHashMap<>();
        for (String name : TransformerLm.parameterShapes(c).keySet()) out.put(hfName(name), reordered.get(name));
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
                Map<String, Tensor> cs336 = ModelFiles.canonical(Safetensors.read(r.weights(), Device.CPU), r.config(), r.weights());
                Checkpoint.requireFinite(r.weights(), cs336);
                Map<String, Tensor> llama = toLlama(cs336, r.config());
                Safetensors.write(tmp.resolve(ModelFiles.WEIGHTS), llama, Map.of("format", "pt"));
            }
            AtomicFile.write(tmp.resolve(ModelFiles.CONFIG), out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
        });
    }
}
