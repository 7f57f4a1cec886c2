"""PyTorch side of `workbench bench`: times the same op cases, the same way (see OpBenchmark.cs).

Reads a JSON list of cases {kind, sizes, dtype, device} on stdin and prints one JSON object per line:
{"kind", "sizes", "seconds"}. Run by `workbench bench --python PATH`; on Debian use /usr/bin/python3
(python3-torch, the same libtorch as the bridge), on the GPU machine PyTorch's own python3.
"""
import json
import os
import sys
import time

import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16, "float16": torch.float16}


def make_call(kind, sizes, dtype, device):
    opts = dict(dtype=dtype, device=device)
    if kind == "add_small":
        a, b = torch.ones(1, **opts), torch.ones(1, **opts)
        return lambda: a + b
    if kind == "add":
        a, b = torch.randn(sizes[0], **opts), torch.randn(sizes[0], **opts)
        return lambda: a + b
    if kind == "matmul":
        a, b = torch.randn(sizes[0], sizes[1], **opts), torch.randn(sizes[1], sizes[2], **opts)
        return lambda: a @ b
    if kind == "conv3d":
        x = torch.randn(*sizes[:5], **opts)
        w = torch.randn(sizes[5], sizes[1], 3, 3, 3, **opts) * 0.05
        return lambda: torch.nn.functional.conv3d(x, w, padding=1)
    if kind == "attention":
        qkv = torch.randn(*sizes[:4], **opts)
        if hasattr(torch.nn.functional, "scaled_dot_product_attention"):
            return lambda: torch.nn.functional.scaled_dot_product_attention(qkv, qkv, qkv)
        scale = sizes[3] ** -0.5
        return lambda: torch.softmax(qkv @ qkv.transpose(-2, -1) * scale, -1) @ qkv
    raise ValueError(f"unknown benchmark kind {kind}")


def seconds_per_call(call, device):
    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    with torch.no_grad():
        for _ in range(3):
            call()
        sync()
        batch = 1
        while True:
            t = time.perf_counter()
            for _ in range(batch):
                call()
            sync()
            if time.perf_counter() - t >= 0.05 or batch >= 1 << 22:
                break
            batch *= 4
        per_call = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(batch):
                call()
            sync()
            per_call.append((time.perf_counter() - t) / batch)
    per_call.sort()
    return per_call[len(per_call) // 2]


def main():
    # Use as many threads as the Workbench bridge does (the cores this process may run on); libtorch's own
    # default here can be 1, which would compare 2 threads against 1.
    torch.set_num_threads(int(os.environ.get("WORKBENCH_THREADS", "0")) or len(os.sched_getaffinity(0)))
    cases = json.load(sys.stdin)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for c in cases:
        call = make_call(c["kind"], c["sizes"], DTYPES[c["dtype"]], c["device"])
        print(json.dumps({"kind": c["kind"], "sizes": c["sizes"], "seconds": seconds_per_call(call, c["device"])}), flush=True)


if __name__ == "__main__":
    main()
