"""The Python peer of dev.jlm.bench.AllReduceBench: torch.distributed.all_reduce (Gloo) of one float32 buffer, the
same libtorch and the same launcher (torchrun's variables). Median of REPEATS after 2 warm-ups, each a barrier then one
all-reduce; the buffer is then divided by the world size, as jlm averages gradients.
Usage: allreduce_ref.py MEGABYTES REPEATS"""
import json
import sys
import time

import torch
import torch.distributed as dist


def main():
    mb, repeats = float(sys.argv[1]), int(sys.argv[2])
    dist.init_process_group("gloo")
    n = int(mb * 1e6 / 4)
    buf = torch.ones(n)
    ms = []
    for i in range(repeats + 2):
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(buf)
        buf.div_(dist.get_world_size())
        if i >= 2:
            ms.append((time.perf_counter() - t0) * 1e3)
    ms.sort()
    med = ms[repeats // 2]
    if dist.get_rank() == 0:
        print(json.dumps({"peer": "python", "world": dist.get_world_size(), "mb": round(n * 4 / 1e6, 1), "ms": round(med, 2),
                          "gb_per_s": round(n * 4 / 1e9 / (med / 1e3), 3), "torch": torch.__version__}))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
