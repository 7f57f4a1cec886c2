"""PyTorch side of `workbench bench dit`: times the reference DiT (dit_reference.py) the way DiTBenchmark.cs times
Workbench's: training steps (rectified-flow loss with text dropout under autocast, backward, loss read, gradient
clipping, AdamW) and guided Euler samples, eager and, on request, under torch.compile.

Reads one JSON request per line on stdin (a row: config, batch, frames, size, text_tokens, warmup, iterations,
sample_steps, sample_runs, guidance, amp, device, compile) and answers each with one JSON line
{"eager": {...}, "compiled": {...} | null, "compile_s"}; the first line out introduces the script. Each
side's figures: train_s (seconds per step), sample_s (median seconds per sample), train_peak_bytes,
sample_peak_bytes, or error (e.g. "out of memory"). `workbench bench dit --python python3` runs it.

torch.compile is applied per block (regional compilation: every block shares one compiled graph, which keeps
compile time to about one block's), in the default mode with dynamic shapes (one graph serves every row's token
count and width, so a run compiles once for training and once for sampling, not per row); its first steps
(compilation) are left out of the timing, and compile_s reports them.
"""
import gc
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dit_reference as ref  # noqa: E402

DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def seconds_per_run(run, warmup, count, device):
    """DiTBenchmark.SecondsPerRun: `warmup` untimed runs, then the mean of `count`, synchronised."""
    for _ in range(warmup):
        run()
    synchronize(device)
    start = time.perf_counter()
    for _ in range(count):
        run()
    synchronize(device)
    return (time.perf_counter() - start) / count


def reset_peak(device):
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak(device):
    return torch.cuda.max_memory_allocated(device) if device.type == "cuda" else None


def release(device):
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


class Row:
    """A model, its optimizer and one batch, as DiTTrainingRun holds them."""

    def __init__(self, r, device):
        self.r, self.device = r, device
        self.amp = DTYPES.get(r["amp"])
        torch.manual_seed(0)
        self.model = ref.SpacetimeDiT(ref.DiTConfig(**r["config"])).to(device).train()
        self.optimizer = ref.make_optimizer(self.model, lr=1e-4)
        c = self.model.config
        self.x0 = torch.randn(r["batch"], c.in_channels, r["frames"], r["size"], r["size"], device=device)
        self.tokens = torch.randint(3, c.vocab_size, (r["batch"], r["text_tokens"]), device=device)

    def step(self):
        b = self.x0.size(0)
        drop = torch.rand(b, device=self.device) < 0.1                        # SampleTextDrop, TextDropout 0.1
        t = ref.sample_times(b, self.device)
        noise = torch.randn_like(self.x0)
        loss = ref.flow_loss(self.model, self.x0, t, noise, self.tokens, drop, self.amp)
        value = loss.item()                                                    # Workbench reads and checks the loss
        if not value == value or value in (float("inf"), float("-inf")):
            raise RuntimeError(f"loss is {value}")
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)

    def sample(self):
        with torch.no_grad():
            text = self.model.text_encoder(self.tokens[:1])
            null = self.model.null_text(self.tokens.size(1))
        noise = torch.randn(1, *self.x0.shape[1:], device=self.device)
        r = self.r
        return ref.euler_sample(self.model, noise, text, null, r["sample_steps"], r["guidance"], self.amp)


def measure(row):
    """train_s, sample_s and peaks for one side (the row's model as it is: eager or compiled)."""
    r, device = row.r, row.device
    reset_peak(device)
    train = seconds_per_run(row.step, r["warmup"], r["iterations"], device)
    train_peak = peak(device)
    row.optimizer = None                                                      # DropOptimizer: free the moments
    row.model.eval()
    release(device)
    reset_peak(device)
    row.sample()
    samples = sorted(seconds_per_run(row.sample, 0, 1, device) for _ in range(r["sample_runs"]))
    return {"train_s": train, "sample_s": samples[len(samples) // 2], "train_peak_bytes": train_peak, "sample_peak_bytes": peak(device)}


def guarded(work, device):
    try:
        return work()
    except RuntimeError as e:                                                  # torch.cuda.OutOfMemoryError is one
        if "out of memory" not in str(e):
            raise
        return {"error": "out of memory"}
    finally:
        release(device)


def compile_blocks(row):
    """Regional torch.compile: each DiT block's forward, one shared graph; returns the seconds the first steps took."""
    for block in row.model.blocks:
        block.compile(dynamic=True)
    row.model.train()
    row.optimizer = ref.make_optimizer(row.model, lr=1e-4)
    start = time.perf_counter()
    row.step()                                                                 # compiles forward and backward
    row.model.eval()
    row.sample()                                                               # recompiles for no-grad
    row.model.train()
    synchronize(row.device)
    return time.perf_counter() - start


def answer(r):
    device = torch.device(r["device"])
    result = {"eager": None, "compiled": None, "compile_s": None}
    state = {}

    def eager():
        state["row"] = Row(r, device)
        return measure(state["row"])

    result["eager"] = guarded(eager, device)
    if r["compile"]:
        if not hasattr(torch, "compile"):
            result["compiled"] = {"error": f"torch.compile needs PyTorch 2 (this is {torch.__version__})"}
        elif "row" in state and "error" not in result["eager"]:
            def compiled():
                result["compile_s"] = compile_blocks(state["row"])
                return measure(state["row"])
            try:
                result["compiled"] = guarded(compiled, device)
            except Exception as e:                                             # "where it works": report, go on
                result["compiled"] = {"error": f"torch.compile failed: {type(e).__name__}: {str(e).splitlines()[0][:200]}"}
    state.clear()
    release(device)
    return result


def main():
    torch.set_num_threads(int(os.environ.get("WORKBENCH_THREADS", "0")) or len(os.sched_getaffinity(0)))
    print(json.dumps({"torch": torch.__version__, "fused_attention": ref.FUSED_ATTENTION}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(answer(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
