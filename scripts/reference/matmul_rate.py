"""The matmul rate of this machine for a model's own shape: (rows x k) @ (k x n), libtorch through Python, at a thread
count and dtype; median of 20 after 3 warm-ups. Prints GFLOP/s as JSON.
Usage: matmul_rate.py THREADS ROWS K N [float32|bfloat16]"""
import json, sys, time
import torch

threads, rows, k, n = map(int, sys.argv[1:5])
dtype = getattr(torch, sys.argv[5] if len(sys.argv) > 5 else "float32")
torch.set_num_threads(threads)
x, w = torch.randn(rows, k, dtype=dtype), torch.randn(n, k, dtype=dtype)
for _ in range(3):
    x @ w.t()
ts = []
for _ in range(20):
    t0 = time.perf_counter(); x @ w.t(); ts.append(time.perf_counter() - t0)
med = sorted(ts)[len(ts) // 2]
print(json.dumps({"gflops": 2 * rows * k * n / med / 1e9, "shape": [rows, k, n], "threads": threads, "dtype": str(dtype)}))
