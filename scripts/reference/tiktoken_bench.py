"""tiktoken's side of scripts/bench-tokenizer: load time and encode_ordinary MB/s of each encoding on one text, offline
(rank files from a folder, put in TIKTOKEN_CACHE_DIR as tiktoken_ref.py does). Prints `name load_s mb_per_s ids`."""
import hashlib, os, shutil, sys, tempfile, time

rank_dir, text_file = sys.argv[1:3]
cache = tempfile.mkdtemp(prefix="tiktoken-cache-")
for name in ("r50k_base", "p50k_base", "cl100k_base", "o200k_base"):
    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    shutil.copyfile(os.path.join(rank_dir, f"{name}.tiktoken"), os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
os.environ["TIKTOKEN_CACHE_DIR"] = cache
import tiktoken  # noqa: E402

text = open(text_file, encoding="utf-8").read()
mb = len(text.encode("utf-8")) / 1e6
for name in sys.argv[3:]:
    t0 = time.perf_counter()
    enc = tiktoken.get_encoding(name)
    load = time.perf_counter() - t0
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        ids = enc.encode_ordinary(text)
        times.append(time.perf_counter() - t0)
    print(name, f"{load:.3f}", f"{mb / min(times):.2f}", len(ids), flush=True)
shutil.rmtree(cache)
