"""Python peer of BoundaryBench / MatmulBench: the same operations on the same libtorch, timed with timeit.
Prints one JSON object (ns per call; ms per matmul)."""
import json, sys, timeit
import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
dev = sys.argv[2] if len(sys.argv) > 2 else "cpu"
torch.set_num_threads(threads)
torch.manual_seed(0)
a, b = torch.randn(4, 4, device=dev), torch.randn(4, 4, device=dev)
A, B = torch.randn(1024, 1024, device=dev), torch.randn(1024, 1024, device=dev)
sync = torch.cuda.synchronize if dev.startswith("cuda") else (lambda: None)

def per_call_ns(stmt, n=200_000, repeat=5):
    return min(timeit.repeat(stmt, number=n, repeat=repeat, globals=globals())) / n * 1e9

out = {
    "torch": torch.__version__,
    "threads": threads,
    "device": dev,
    "emptyDowncall": per_call_ns("torch.is_grad_enabled()"),
    "createFree": per_call_ns("torch.empty(4, 4)"),
    "add4x4": per_call_ns("torch.add(a, b)"),
    "matmul1024_ms": min(timeit.repeat("torch.matmul(A, B); sync()", number=10, repeat=5, globals=globals())) / 10 * 1e3,
}
print(json.dumps(out))
