"""tiktoken (the oracle) on texts, offline: the rank files come from a folder (the test copies them out of jtokkit's jar)
and are put in TIKTOKEN_CACHE_DIR under the names tiktoken looks for (the SHA-1 of each official URL).

usage: tiktoken_ref.py RANK_DIR IN.json OUT.json
IN.json: {"encoding": NAME, "mode": "ordinary" | "all", "texts": [...]}; OUT.json: [[ids], ...]
"""
import hashlib, json, os, shutil, sys, tempfile

rank_dir, inp, outp = sys.argv[1:4]
cache = tempfile.mkdtemp(prefix="tiktoken-cache-")
for name in ("r50k_base", "p50k_base", "cl100k_base", "o200k_base"):
    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    src = os.path.join(rank_dir, f"{name}.tiktoken")
    if os.path.exists(src):
        shutil.copyfile(src, os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
os.environ["TIKTOKEN_CACHE_DIR"] = cache
import tiktoken  # noqa: E402  (after the cache folder is set)

req = json.load(open(inp, encoding="utf-8"))
enc = tiktoken.get_encoding(req["encoding"])


def by_pieces(text):
    """tiktoken's own steps, for a text its Rust regex cannot split (fancy-regex overflows its stack on o200k's pattern
    over a 1 MB run): the same pattern through Python's `regex` module, then tiktoken's BPE on each piece."""
    import regex
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return [i for piece in regex.findall(enc._pat_str, text) for i in enc._encode_single_piece(piece.encode("utf-8"))]


out = []
for i, t in enumerate(req["texts"]):
    try:
        out.append(enc.encode_ordinary(t) if req["mode"] == "ordinary" else enc.encode(t, allowed_special="all"))
    except BaseException as e:  # pyo3's PanicException is a BaseException
        if req["mode"] != "ordinary":
            raise
        print(f"text {i} ({len(t)} chars): tiktoken failed ({str(e)[:80]}); split by Python's regex, merged by tiktoken")
        out.append(by_pieces(t))
json.dump(out, open(outp, "w"))
shutil.rmtree(cache)
