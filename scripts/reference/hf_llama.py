"""HuggingFace transformers as the oracle of `jlm export --format llama`: the folder loaded by transformers' own
LlamaForCausalLM (AutoModelForCausalLM), no jlm code involved.

  python3 hf_llama.py logits DIR IDS       -> JSON {architecture, logits}: float32 logits (T × V, row-major) for the ids
                                              (comma-separated) as one sequence from position 0
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

if __name__ == "__main__":
    {"logits": logits}[sys.argv[1]](*sys.argv[2:])
