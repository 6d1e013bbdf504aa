"""HuggingFace transformers as the oracle of `jlm export --format llama`: the folder loaded by transformers' own
LlamaForCausalLM (AutoModelForCausalLM), no jlm code involved.

  python3 hf_llama.py logits DIR IDS       -> JSON {architecture, logits}: float32 logits (T × V, row-major) for the ids
                                              (comma-separated) as one sequence from position 0
  python3 hf_llama.py resave DIR OUT       -> the folder loaded by transformers and written again by its save_pretrained
                                              (transformers' own config.json keys; a tied model without lm_head.weight)
  python3 hf_llama.py save-model CKPT OUT  -> a tied jlm checkpoint's tensors as a torch.nn.Module whose lm_head.weight IS
                                              token_embeddings.weight, written by safetensors.torch.save_model (it keeps one
                                              name and records the other in the metadata)
"""
import json, sys
import torch
import transformers

def logits(folder, ids):
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    x = torch.tensor([[int(i) for i in ids.split(",")]])
    with torch.no_grad():
        out = model(input_ids=x).logits[0]
    print(json.dumps({"architecture": type(model).__name__, "transformers": transformers.__version__,
                      "logits": out.reshape(-1).tolist()}))

def resave(folder, out):
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model.save_pretrained(out)
    print(json.dumps({"wrote": out, "transformers": transformers.__version__}))

def save_model(ckpt, out):
    import safetensors.torch
    tensors = safetensors.torch.load_file(ckpt)
    root = torch.nn.Module()
    for name, t in tensors.items():
        *path, leaf = name.split(".")
        m = root
        for part in path:
            if not hasattr(m, part):
                m.add_module(part, torch.nn.Module())
            m = getattr(m, part)
        m.register_parameter(leaf, torch.nn.Parameter(t))
    root.add_module("lm_head", torch.nn.Module())
    root.lm_head.weight = root.token_embeddings.weight                # tied: one tensor under two names
    safetensors.torch.save_model(root, out)
    print(json.dumps({"wrote": out}))

if __name__ == "__main__":
    {"logits": logits, "resave": resave, "save-model": save_model}[sys.argv[1]](*sys.argv[2:])
