"""The matmul rate of this machine for a model's own shape: (rows x k) @ (k x n) float32, libtorch through Python,
at a thread count; median of 20 after 3 warm-ups. Prints GFLOP/s as JSON.  Usage: matmul_rate.py THREADS ROWS K N"""
import json, sys, time
import torch

threads, rows, k, n = map(int, sys.argv[1:5])
torch.set_num_threads(threads)
x, w = torch.randn(rows, k), torch.randn(n, k)
for _ in range(3):
    x @ w.t()
ts = []
for _ in range(20):
    t0 = time.perf_counter(); x @ w.t(); ts.append(time.perf_counter() - t0)
med = sorted(ts)[len(ts) // 2]
print(json.dumps({"gflops": 2 * rows * k * n / med / 1e9, "shape": [rows, k, n], "threads": threads}))
