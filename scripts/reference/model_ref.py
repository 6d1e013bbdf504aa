"""Independent PyTorch reference of jlm's Transformer LM (CS336 Assignment 1 semantics), used as a test oracle
and as the Python peer of the training-step benchmark. Reads jlm's safetensors checkpoints with a small parser
(no safetensors package needed) and uint16 token files with numpy.

  python3 model_ref.py eval CHECKPOINT TOKENS WINDOWS      -> JSON {loss, tokens}  (windows k*T, k = 0..N-1); CHECKPOINT is a
                                                             jlm .safetensors or a folder with config.json + model.safetensors
  python3 model_ref.py greedy CHECKPOINT PROMPT_IDS NEW   -> JSON {ids}: greedy decoding as the CS336 reference decoder does it,
                                                             every token from a full forward over the last context_length ids
                                                             (PROMPT_IDS comma-separated)
  python3 model_ref.py state-dict CHECKPOINT OUT            -> writes OUT as safetensors.torch.save_file(state_dict) would:
                                                             the same tensors, no metadata (a PyTorch user's file)
  python3 model_ref.py generate THREADS PROMPT NEW MODE [MODEL] [DEVICE] -> JSON {tokens_per_s}: KV-cache decoding, MODE greedy or topp
                                                             (p 0.9, temperature 1), MODEL tinystories or demo (random weights)
  python3 model_ref.py bench-gpu DEVICE DTYPE MODEL BATCH STEPS eager|compile -> JSON {step_ms, tokens_per_s, warmup_s}:
                                                             PyTorch at its best (SDPA, fused AdamW, autocast), the peer of
                                                             scripts/bench-train-gpu; MODEL tinystories or gpt2-small
  python3 model_ref.py bench THREADS BATCH STEPS MODE [DEVICE] [DTYPE]
                                                          -> JSON {step_ms, tokens_per_s} for the TinyStories model;
                                                             MODE primitives (as jlm's reference modules) or fused;
                                                             DTYPE bfloat16 runs the step under torch.autocast
"""
import json, math, struct, sys, time
import numpy as np
import torch

DT = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8, "F16": np.float16}

def load_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, d in header.items():
        b, e = d["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + b:8 + n + e], dtype=DT[d["dtype"]]).reshape(d["shape"]).copy())
    return out, meta

def save_state_dict(tensors, path):
    """The safetensors layout written here independently of jlm: u64 header size, JSON header, raw bytes; no metadata."""
    names = {np.float32: "F32", np.float64: "F64", np.int64: "I64", np.int32: "I32", np.uint8: "U8", np.float16: "F16"}
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        a = t.detach().cpu().contiguous().numpy()
        b = a.tobytes()
        header[k] = {"dtype": names[a.dtype.type], "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)

def load_model(path):
    """A jlm checkpoint (config in the metadata) or a HuggingFace-layout folder (config.json + model.safetensors)."""
    import os
    if os.path.isdir(path):
        w, _ = load_safetensors(os.path.join(path, "model.safetensors"))
        cfg = json.load(open(os.path.join(path, "config.json")))
    else:
        w, meta = load_safetensors(path)
        cfg = json.loads(meta["config"])
    for k, d in (("norm", "pre"), ("position", "rope"), ("ffn", "swiglu")):
        cfg.setdefault(k, d)
    if cfg.get("tie_embeddings", cfg.get("tie_word_embeddings", False)):
        w["lm_head.weight"] = w["token_embeddings.weight"]          # one tensor, used twice
    return w, cfg

def rmsnorm(x, g, eps=1e-5):
    x32 = x.float()
    return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps) * g).to(x.dtype)

def rope(x, theta, pos):                                  # x (..., T, d), interleaved pairs
    d = x.shape[-1]
    inv = theta ** (-torch.arange(0, d, 2, dtype=torch.float64, device=x.device) / d)
    ang = pos[:, None].double() * inv[None]
    c, s = ang.cos().float(), ang.sin().float()
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x1 * c - x2 * s, x1 * s + x2 * c], -1).reshape(x.shape)

FUSED = True   # bench mode "primitives" sets False: softmax, silu and cross-entropy from primitives, as jlm's reference modules
SDPA = False   # bench-gpu sets True: attention by F.scaled_dot_product_attention

def softmax(x, dim):
    if FUSED:
        return torch.softmax(x, dim)
    e = (x - x.amax(dim, keepdim=True)).exp()
    return e / e.sum(dim, keepdim=True)

def silu(x):
    return torch.nn.functional.silu(x) if FUSED else x * torch.sigmoid(x)

def cross_entropy(logits, targets):
    if FUSED:
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    return (logits.logsumexp(-1) - logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)).mean()

def attention(x, w, p, cfg, pos):
    B, T, D = x.shape
    H = cfg["num_heads"]; dh = D // H
    split = lambda t: t.view(B, T, H, dh).transpose(1, 2)
    q, k, v = (split(x @ w[p + n + "_proj.weight"].T) for n in "qkv")
    if cfg["position"] == "rope":
        q, k = rope(q, cfg["rope_theta"], pos), rope(k, cfg["rope_theta"], pos)
    if SDPA:                                              # PyTorch at its best: flash / cuDNN / memory-efficient kernels
        y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        return y.transpose(1, 2).reshape(B, T, D) @ w[p + "output_proj.weight"].T
    s = q @ k.transpose(-1, -2) / math.sqrt(dh)
    s = s.masked_fill(~torch.ones(T, T, dtype=torch.bool, device=x.device).tril(), float("-inf"))
    y = softmax(s, -1) @ v
    return y.transpose(1, 2).reshape(B, T, D) @ w[p + "output_proj.weight"].T

def ffn(x, w, p, cfg):
    h = silu(x @ w[p + "w1.weight"].T)
    if cfg["ffn"] == "swiglu":
        h = h * (x @ w[p + "w3.weight"].T)
    return h @ w[p + "w2.weight"].T

def forward(ids, w, cfg):
    T = ids.shape[1]
    pos = torch.arange(T, device=ids.device)
    x = w["token_embeddings.weight"][ids]
    for i in range(cfg["num_layers"]):
        p = f"layers.{i}."
        if cfg["norm"] == "pre":
            x = x + attention(rmsnorm(x, w[p + "ln1.weight"]), w, p + "attn.", cfg, pos)
            x = x + ffn(rmsnorm(x, w[p + "ln2.weight"]), w, p + "ffn.", cfg)
        elif cfg["norm"] == "post":
            x = rmsnorm(x + attention(x, w, p + "attn.", cfg, pos), w[p + "ln1.weight"])
            x = rmsnorm(x + ffn(x, w, p + "ffn.", cfg), w[p + "ln2.weight"])
        else:
            x = x + attention(x, w, p + "attn.", cfg, pos)
            x = x + ffn(x, w, p + "ffn.", cfg)
    if cfg["norm"] != "none":
        x = rmsnorm(x, w["ln_final.weight"])
    return x @ w["lm_head.weight"].T

def forward_cached(ids, w, cfg, cache, start):
    """ids (B, T) at positions start..start+T-1; cache[i] = (k, v), each (B, H, Tmax, Dh), filled up to start."""
    B, T = ids.shape
    D, H = cfg["d_model"], cfg["num_heads"]; dh = D // H
    pos = torch.arange(start, start + T, device=ids.device)
    mask = torch.ones(T, start + T, dtype=torch.bool, device=ids.device).tril(start)
    x = w["token_embeddings.weight"][ids]
    for i in range(cfg["num_layers"]):
        p = f"layers.{i}."
        h = rmsnorm(x, w[p + "ln1.weight"])
        split = lambda t: t.view(B, T, H, dh).transpose(1, 2)
        q, k, v = (split(h @ w[p + "attn." + n + "_proj.weight"].T) for n in "qkv")
        q, k = rope(q, cfg["rope_theta"], pos), rope(k, cfg["rope_theta"], pos)
        kc, vc = cache[i]
        kc[:, :, start:start + T] = k; vc[:, :, start:start + T] = v
        k, v = kc[:, :, :start + T], vc[:, :, :start + T]
        s = (q @ k.transpose(-1, -2) / math.sqrt(dh)).masked_fill(~mask, float("-inf"))
        y = softmax(s, -1) @ v
        x = x + y.transpose(1, 2).reshape(B, T, D) @ w[p + "attn.output_proj.weight"].T
        x = x + ffn(rmsnorm(x, w[p + "ln2.weight"]), w, p + "ffn.", cfg)
    return rmsnorm(x, w["ln_final.weight"]) @ w["lm_head.weight"].T

def generate_bench(threads, prompt_len, new_tokens, mode, model="tinystories", repeats=3, device="cpu"):
    """The peer of `jlm generate`: the same model decoded with a KV cache, sampling with torch ops, on `device`."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    cfg = dict(vocab_size=10000, context_length=256, d_model=512, num_layers=4, num_heads=16, d_ff=1344,
               rope_theta=10000.0, norm="pre", position="rope", ffn="swiglu")
    if model == "demo":
        cfg.update(vocab_size=4096, context_length=128, d_model=128, num_heads=4, d_ff=384)
    V, D, F, L, H = cfg["vocab_size"], cfg["d_model"], cfg["d_ff"], cfg["num_layers"], cfg["num_heads"]
    w = {"token_embeddings.weight": torch.randn(V, D) * 0.02, "ln_final.weight": torch.ones(D), "lm_head.weight": torch.randn(V, D) * 0.02}
    for i in range(L):
        for n in ("q_proj", "k_proj", "v_proj", "output_proj"):
            w[f"layers.{i}.attn.{n}.weight"] = torch.randn(D, D) * 0.02
        w[f"layers.{i}.ln1.weight"] = torch.ones(D); w[f"layers.{i}.ln2.weight"] = torch.ones(D)
        w[f"layers.{i}.ffn.w1.weight"] = torch.randn(F, D) * 0.02; w[f"layers.{i}.ffn.w3.weight"] = torch.randn(F, D) * 0.02
        w[f"layers.{i}.ffn.w2.weight"] = torch.randn(D, F) * 0.02
    w = {k: t.to(device) for k, t in w.items()}
    gen = torch.Generator(device=device).manual_seed(7)
    prompt = torch.randint(0, V, (1, prompt_len), generator=torch.Generator().manual_seed(1))
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    def run():   # as jlm's Generator: prefill, one token at a time; when the context is full, re-prefill its last half
        ctx = cfg["context_length"]
        cache = [(torch.zeros(1, H, ctx, D // H, device=device), torch.zeros(1, H, ctx, D // H, device=device)) for _ in range(L)]
        seq, start, window, made = prompt[0].tolist(), 0, 0, 0
        with torch.no_grad():
            while made < new_tokens:
                if len(seq) - window > ctx:
                    window, start = len(seq) - ctx // 2, 0
                ids = torch.tensor([seq[window + start:]], device=device)
                logits = forward_cached(ids, w, cfg, cache, start)[0, -1]
                start = len(seq) - window
                if mode == "greedy":
                    nxt = int(torch.argmax(logits))
                else:
                    probs = torch.softmax(logits, -1)
                    sp, si = torch.sort(probs, descending=True)
                    keep = torch.cumsum(sp, 0) - sp < 0.9
                    nxt = int(si[torch.multinomial(sp[keep], 1, generator=gen)])
                seq.append(nxt); made += 1
        sync()
        return made
    run()
    best = min(timed(run) for _ in range(repeats))
    print(json.dumps({"torch": torch.__version__, "model": model, "threads": threads, "mode": mode, "prompt": prompt_len, "new_tokens": new_tokens,
                      "seconds": best, "tokens_per_s": new_tokens / best}))

def greedy(ckpt, prompt, new):
    """The reference decoder: each new token is the argmax of a full forward over the last context_length tokens."""
    w, cfg = load_model(ckpt)
    T = cfg["context_length"]
    seq = [int(x) for x in prompt.split(",")]
    out = []
    with torch.no_grad():
        for _ in range(new):
            ids = torch.tensor([seq[-T:]])
            nxt = int(torch.argmax(forward(ids, w, cfg)[0, -1]))
            seq.append(nxt); out.append(nxt)
    print(json.dumps({"ids": out}))

def timed(f):
    t0 = time.perf_counter(); f(); return time.perf_counter() - t0

def evaluate(ckpt, tokens, windows):
    w, cfg = load_model(ckpt)
    data = np.fromfile(tokens, dtype=np.uint16).astype(np.int64)
    T = cfg["context_length"]
    n = min(windows, (len(data) - 1) // T)
    win = torch.from_numpy(np.stack([data[k * T:k * T + T + 1] for k in range(n)]))
    with torch.no_grad():
        logits = forward(win[:, :-1], w, cfg)
        loss = cross_entropy(logits, win[:, 1:])
    print(json.dumps({"loss": loss.item(), "tokens": n * T}))

BENCH_MODELS = {  # the CS336 TinyStories model, the demo's small one (scripts/demo), GPT-2 small's shape with SwiGLU
    "tinystories": dict(vocab_size=10000, context_length=256, d_model=512, num_layers=4, num_heads=16, d_ff=1344),
    "demo": dict(vocab_size=4096, context_length=128, d_model=128, num_layers=4, num_heads=4, d_ff=384),
    "gpt2-small": dict(vocab_size=50257, context_length=1024, d_model=768, num_layers=12, num_heads=12, d_ff=2048),
}

def bench_weights(cfg, device):
    """A benchmark model's parameters by state-dict name, initialised as jlm does (trunc normal; norms 1)."""
    V, D, F, L = cfg["vocab_size"], cfg["d_model"], cfg["d_ff"], cfg["num_layers"]
    def p(*shape):
        t = torch.empty(*shape, device=device)
        std = math.sqrt(2 / (shape[0] + shape[-1])) if len(shape) == 2 else 1
        torch.nn.init.trunc_normal_(t, 0, std, -3 * std, 3 * std) if len(shape) == 2 else t.fill_(1)
        return t.requires_grad_(True)
    w = {"token_embeddings.weight": p(V, D), "ln_final.weight": p(D), "lm_head.weight": p(V, D)}
    for i in range(L):
        for n in "qkv":
            w[f"layers.{i}.attn.{n}_proj.weight"] = p(D, D)
        w[f"layers.{i}.attn.output_proj.weight"] = p(D, D)
        w[f"layers.{i}.ln1.weight"] = p(D); w[f"layers.{i}.ln2.weight"] = p(D)
        w[f"layers.{i}.ffn.w1.weight"] = p(F, D); w[f"layers.{i}.ffn.w3.weight"] = p(F, D); w[f"layers.{i}.ffn.w2.weight"] = p(D, F)
    return w

def bench(threads, batch, steps, mode, device="cpu", dtype="float32", model="tinystories"):
    """One training step timed as scripts/bench-train times jlm's (median of `steps` after 2 warm-up steps). MODE:
    primitives (as jlm's reference modules) or fused: torch.optim.AdamW, clip_grad_norm_ as torch 1.13 runs them;
    best: PyTorch eager at its best on this torch (SDPA, AdamW(fused=True) where the CPU has it (2.4+), else foreach,
    clip_grad_norm_(foreach)); compile: best with the loss under torch.compile (inductor; on the CPU its C++ backend),
    its compile and warm-up time reported apart as warmup_s."""
    global FUSED, SDPA
    best = mode in ("best", "compile")
    FUSED = mode != "primitives"
    SDPA = best and hasattr(torch.nn.functional, "scaled_dot_product_attention")
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    cfg = dict(BENCH_MODELS[model], rope_theta=10000.0, norm="pre", position="rope", ffn="swiglu")
    V = cfg["vocab_size"]
    w = bench_weights(cfg, device)
    kind = {}
    if best:
        major, minor = (int(x) for x in torch.__version__.split(".")[:2])
        kind = {"fused": True} if (major, minor) >= (2, 4) or device.startswith("cuda") else {"foreach": True}
    opt = torch.optim.AdamW(w.values(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1, **kind)
    T = cfg["context_length"]
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    def loss_of(ids):
        with torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=dtype == "bfloat16"):
            logits = forward(ids[:, :-1], w, cfg)
        return cross_entropy(logits.float(), ids[:, 1:])
    if mode == "compile":
        loss_of = torch.compile(loss_of)
    def step():
        ids = torch.randint(0, V, (batch, T + 1)).to(device)
        loss_of(ids).backward()
        if best:
            torch.nn.utils.clip_grad_norm_(w.values(), 1.0, foreach=True)
        else:
            torch.nn.utils.clip_grad_norm_(w.values(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=best)    # torch 1.13's default (False): buffers reused, as jlm does; 2.x's: None
        sync()
    t0 = time.perf_counter()
    for _ in range(2):
        step()
    warm = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
    ms = sorted(times)[len(times) // 2] * 1e3
    print(json.dumps({"torch": torch.__version__, "model": model, "device": device, "dtype": dtype, "threads": threads, "batch": batch,
                      "mode": mode, "step_ms": ms, "tokens_per_s": batch * T / ms * 1e3, "warmup_s": warm, "optimizer": kind or "for-loop"}))

def bench_gpu(device, dtype, model, batch, steps, mode):
    """PyTorch's training step at its best, the peer of scripts/bench-train-gpu: SDPA, AdamW(fused=True), autocast
    bfloat16 (dtype bfloat16) or float32, clip_grad_norm_(foreach); mode "eager", or "compile" (the
    loss function under torch.compile, its compile and warm-up time reported apart). Timed as a trainer runs: `steps`
    steps with one synchronize at the end, after 3 warm-up steps."""
    global FUSED, SDPA
    FUSED, SDPA = True, True
    torch.manual_seed(0)                                  # float32 matmuls as PyTorch's default (and jlm's): no TF32
    cfg = dict(BENCH_MODELS[model], rope_theta=10000.0, norm="pre", position="rope", ffn="swiglu")
    V, T = cfg["vocab_size"], cfg["context_length"]
    w = bench_weights(cfg, device)
    opt = torch.optim.AdamW(w.values(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1, fused=True)
    def loss_of(ids):
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=dtype == "bfloat16"):
            logits = forward(ids[:, :-1], w, cfg)
        return cross_entropy(logits.float(), ids[:, 1:])
    if mode == "compile":
        loss_of = torch.compile(loss_of)
    def step():
        ids = torch.randint(0, V, (batch, T + 1), device=device)
        loss_of(ids).backward()
        torch.nn.utils.clip_grad_norm_(w.values(), 1.0, foreach=True)
        opt.step()
        opt.zero_grad(set_to_none=True)
    t0 = time.perf_counter()
    for _ in range(3):
        step()
    torch.cuda.synchronize()
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) / steps * 1e3
    print(json.dumps({"torch": torch.__version__, "model": model, "device": device, "dtype": dtype, "batch": batch, "mode": mode,
                      "step_ms": ms, "tokens_per_s": batch * T / ms * 1e3, "warmup_s": warm}))

if __name__ == "__main__":
    if sys.argv[1] == "eval":
        evaluate(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "generate":
        a = sys.argv[2:]
        generate_bench(int(a[0]), int(a[1]), int(a[2]), a[3], a[4] if len(a) > 4 else "tinystories", device=a[5] if len(a) > 5 else "cpu")
    elif sys.argv[1] == "greedy":
        greedy(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "bench-gpu":
        a = sys.argv[2:]
        bench_gpu(a[0], a[1], a[2], int(a[3]), int(a[4]), a[5])
    elif sys.argv[1] == "state-dict":
        save_state_dict(load_model(sys.argv[2])[0], sys.argv[3])
    else:
        a = sys.argv[2:]
        bench(int(a[0]), int(a[1]), int(a[2]), a[3] if len(a) > 3 else "primitives", a[4] if len(a) > 4 else "cpu",
              a[5] if len(a) > 5 else "float32", a[6] if len(a) > 6 else "tinystories")
