"""Oracle of the CS336 adapter test (src/test/java/cs336/adapters): PyTorch computes what each official adapter must return,
on inputs and weights jlm wrote, with model_ref.py's independent modules and torch's own functions.

  python3 cs336_adapters_ref.py IN.safetensors OUT.safetensors

IN holds the inputs (x, ids, rope_pos, attn_pos, logits, targets, clip.*, adam.*) and a CS336 model's weights under lm.*; its metadata
the sizes. OUT holds one tensor per adapter result (names below), written as model_ref.save_state_dict does.
"""
import math, os, sys
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_ref as ref

def rope_any(x, theta, pos):                 # x (..., T, d), pos broadcastable to (..., T): interleaved pairs
    d = x.shape[-1]
    inv = theta ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    ang = pos[..., None].double() * inv
    c, s = ang.cos().float(), ang.sin().float()
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x1 * c - x2 * s, x1 * s + x2 * c], -1).reshape(x.shape)

def cosine_lr(t, lr_max, lr_min, warmup, cycle):
    if t < warmup:
        return t / warmup * lr_max
    if t <= cycle:
        return lr_min + 0.5 * (1 + math.cos(math.pi * (t - warmup) / (cycle - warmup))) * (lr_max - lr_min)
    return lr_min

def main(src, dst):
    t, meta = ref.load_safetensors(src)
    m = {k: float(v) for k, v in meta.items() if k != "format"}
    w = {k[3:]: v for k, v in t.items() if k.startswith("lm.")}
    cfg = dict(vocab_size=int(m["vocab_size"]), d_model=int(m["d_model"]), num_heads=int(m["num_heads"]),
               num_layers=int(m["num_layers"]), rope_theta=m["rope_theta"], norm="pre", position="rope", ffn="swiglu")
    x, ids = t["x"], t["ids"]
    T = x.shape[-2]
    out = {}
    with torch.no_grad():
        out["linear"] = torch.nn.functional.linear(x, w["layers.0.ffn.w1.weight"])
        out["embedding"] = torch.nn.functional.embedding(ids, w["token_embeddings.weight"])
        out["swiglu"] = ref.ffn(x, w, "layers.0.ffn.", cfg)
        out["rmsnorm"] = ref.rmsnorm(x, w["layers.0.ln1.weight"], m["rms_eps"])
        out["rope"] = rope_any(x, cfg["rope_theta"], t["rope_pos"])
        out["mhsa"] = ref.attention(x, w, "layers.0.attn.", dict(cfg, position="none"), torch.arange(T))
        out["mhsa_rope"] = ref.attention(x, w, "layers.0.attn.", cfg, torch.arange(T))
        out["mhsa_rope_pos"] = ref.attention(x, w, "layers.0.attn.", cfg, t["attn_pos"])
        h = x + ref.attention(ref.rmsnorm(x, w["layers.0.ln1.weight"]), w, "layers.0.attn.", cfg, torch.arange(T))
        out["block"] = h + ref.ffn(ref.rmsnorm(h, w["layers.0.ln2.weight"]), w, "layers.0.ffn.", cfg)
        out["lm"] = ref.forward(ids, w, cfg)
        out["lm_truncated"] = ref.forward(ids[:, : ids.shape[1] // 2], w, cfg)
        out["silu"] = torch.nn.functional.silu(x)
        out["softmax"] = torch.softmax(t["logits"], -1)
        out["softmax_shifted"] = torch.softmax(t["logits"] + 100, -1)
        out["cross_entropy"] = torch.nn.functional.cross_entropy(t["logits"], t["targets"])
        out["cross_entropy_large"] = torch.nn.functional.cross_entropy(1000 * t["logits"], t["targets"])
        out["lr"] = torch.tensor([cosine_lr(i, m["lr_max"], m["lr_min"], int(m["warmup"]), int(m["cycle"])) for i in range(int(m["lr_steps"]))],
                                 dtype=torch.float64)
    n = int(m["clip_n"])                     # the last parameter has no gradient (the official test's frozen one)
    for max_norm, name in ((m["clip_small"], "clip_small"), (m["clip_large"], "clip_large")):
        ps = [t[f"clip.p{i}"].clone().requires_grad_(True) for i in range(n)]
        for i in range(n - 1):
            ps[i].grad = t[f"clip.g{i}"].clone()
        torch.nn.utils.clip_grad_norm_(ps, max_norm)
        for i in range(n - 1):
            out[f"{name}.{i}"] = ps[i].grad
    ps = [t[f"adam.p{i}"].clone().requires_grad_(True) for i in range(int(m["adam_n"]))]
    opt = torch.optim.AdamW(ps, lr=m["adam_lr"], betas=(m["adam_beta1"], m["adam_beta2"]), eps=m["adam_eps"], weight_decay=m["adam_wd"])
    for s in range(int(m["adam_steps"])):
        for i, p in enumerate(ps):
            p.grad = t[f"adam.g{s}.{i}"].clone()
        opt.step()
    for i, p in enumerate(ps):
        out[f"adam.{i}"] = p.detach()
    ref.save_state_dict({k: v.contiguous() for k, v in out.items()}, dst)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
