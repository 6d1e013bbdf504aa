"""Load on `jlm serve` from C concurrent clients (Python's standard library only, no jlm code): each client sends its
requests one after another (POST /v1/completions, a fixed max_tokens, ignore the end token by asking for text), and the
run reports aggregate completion tokens/s, p50/p99 request latency and every failed request.

  python3 serve_load.py URL CLIENTS REQUESTS_PER_CLIENT MAX_TOKENS  -> one JSON line
"""
import json, sys, threading, time, urllib.request, urllib.error

def main(url, clients, per_client, max_tokens):
    clients, per_client, max_tokens = int(clients), int(per_client), int(max_tokens)
    latencies, tokens, failures = [], [0], []
    lock = threading.Lock()

    def client(c):
        for i in range(per_client):
            body = json.dumps({"prompt": "Once upon a time", "max_tokens": max_tokens, "temperature": 1.0, "seed": c * 1000 + i}).encode()
            req = urllib.request.Request(url + "/v1/completions", data=body, headers={"Content-Type": "application/json"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=600) as r:
                    out = json.load(r)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    tokens[0] += out["usage"]["completion_tokens"]
            except (urllib.error.URLError, OSError, ValueError) as e:
                with lock:
                    failures.append(f"client {c} request {i}: {e}")

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")
    print(json.dumps({"clients": clients, "requests": clients * per_client, "ok": len(lat), "failed": len(failures),
                      "failures": failures[:5], "completion_tokens": tokens[0], "wall_s": round(wall, 3),
                      "tokens_per_s": round(tokens[0] / wall, 1), "p50_s": round(pct(0.5), 4), "p99_s": round(pct(0.99), 4)}))

if __name__ == "__main__":
    main(*sys.argv[1:5])
