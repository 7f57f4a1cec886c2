"""Parity of the PyTorch reference DiT (dit_reference.py) with Workbench's, on identical weights and inputs.

    workbench bench parity --out DIR [--device cuda]      # Workbench writes DIR/<layout>/{config.json,
                                                           #   weights, inputs, outputs}.safetensors
    python3 bench/dit_parity.py DIR [--device cuda] [--json OUT]

For each layout, recomputes what Workbench wrote: the forward pass in float32 and under bf16 autocast, and one
training step (loss and gradients under autocast; loss and gradients in float32, then clipping and AdamW applied
to Workbench's gradients), and compares. An error is max |ours − Workbench's| / max |Workbench's| over a tensor (the worst over
all gradients or weights for those groups). Exits 1 if any error exceeds its tolerance.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dit_reference as ref  # noqa: E402
import safetensors_np  # noqa: E402

AMP_TOLERANCE = 3e-2  # bf16 keeps 8 significant bits; errors compound over the blocks


def relative_error(ours, theirs):
    theirs = theirs.to(torch.float64).cpu()
    scale = theirs.abs().max().item()
    diff = (ours.detach().to(torch.float64).cpu() - theirs).abs().max().item()
    return diff / scale if scale > 0 else diff


def worst(prefix, ours, outputs):
    """The largest relative error over every tensor named prefix + parameter name."""
    return max(relative_error(ours[name], outputs[prefix + name]) for name in ours)


def check_layout(folder, device):
    with open(os.path.join(folder, "config.json")) as f:
        meta = json.load(f)
    config = ref.DiTConfig(**meta["config"])
    weights, _ = safetensors_np.load(os.path.join(folder, "weights.safetensors"))
    inputs, _ = safetensors_np.load(os.path.join(folder, "inputs.safetensors"))
    outputs, _ = safetensors_np.load(os.path.join(folder, "outputs.safetensors"))
    inputs = {k: v.to(device) for k, v in inputs.items()}

    torch.manual_seed(0)
    model = ref.SpacetimeDiT(config)
    model.load_state_dict(weights, strict=True)
    model.to(device)
    cond = dict(text=inputs["text"], drop_text=inputs["drop_text"])
    fp32_tolerance = 1e-4 if device.type == "cuda" else 1e-5  # CUDA float32 convolutions may run in TF32
    errors = {}
    with torch.no_grad():
        errors["forward fp32"] = (relative_error(model(inputs["x"], inputs["t"], **cond), outputs["out_fp32"]), fp32_tolerance)
        with torch.autocast(device.type, dtype=torch.bfloat16):
            amp = model(inputs["x"], inputs["t"], **cond).float()
        errors["forward bf16 autocast"] = (relative_error(amp, outputs["out_amp"]), AMP_TOLERANCE)

    step = (inputs["x0"], inputs["train_t"], inputs["noise"], inputs["text"], inputs["drop_text"])
    names = [n for n, _ in model.named_parameters()]
    loss = ref.flow_loss(model, *step, amp_dtype=torch.bfloat16)
    loss.backward()
    errors["loss bf16 autocast"] = (relative_error(loss, outputs["amp_loss"]), AMP_TOLERANCE)
    grads = {n: p.grad for n, p in model.named_parameters()}
    errors["gradients bf16 autocast (worst)"] = (worst("amp_grad.", grads, outputs), 10 * AMP_TOLERANCE)
    model.zero_grad(set_to_none=True)

    optimizer = ref.make_optimizer(model, lr=meta["lr"], weight_decay=meta["weight_decay"])
    loss = ref.flow_loss(model, *step)
    loss.backward()
    errors["loss fp32"] = (relative_error(loss, outputs["loss"]), fp32_tolerance)
    errors["gradients fp32 (worst)"] = (worst("grad.", {n: p.grad for n, p in model.named_parameters()}, outputs), 10 * fp32_tolerance)
    # The optimizer from Workbench's own gradients: AdamW's first step is about lr·sign(g), so gradients that differ
    # by rounding where they are near zero would move weights apart by up to 2·lr and hide what is compared here.
    for n, p in model.named_parameters():
        p.grad = outputs["grad." + n].to(device)
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), meta["clip"])
    # A float32 sum over every gradient element, in another order than Workbench's (per-tensor norms first).
    errors["gradient norm fp32"] = (relative_error(norm, outputs["grad_norm"]), 10 * fp32_tolerance)
    optimizer.step()
    errors["AdamW-updated weights (worst)"] = (worst("updated.", dict(model.named_parameters()), outputs), fp32_tolerance)
    assert len(names) == len(weights), "every saved weight is a parameter"
    return config, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", help="write the errors to this file")
    args = parser.parse_args()
    device = torch.device(args.device)
    print(f"PyTorch {torch.__version__} on {device} ({'fused' if ref.FUSED_ATTENTION else 'composite'} attention)")
    report, failed = {"torch": torch.__version__, "device": str(device), "layouts": {}}, False
    for layout in sorted(os.listdir(args.folder)):
        folder = os.path.join(args.folder, layout)
        if not os.path.isfile(os.path.join(folder, "config.json")):
            continue
        config, errors = check_layout(folder, device)
        print(f"\n{layout}: hidden {config.hidden}, depth {config.depth}, {config.heads} heads, qk_norm {config.qk_norm}, text {config.text}")
        for what, (error, tolerance) in errors.items():
            ok = error <= tolerance
            failed |= not ok
            print(f"  {what:34s} {error:9.2e}  (tolerance {tolerance:.0e})  {'ok' if ok else 'FAIL'}")
        report["layouts"][layout] = {what: {"error": e, "tolerance": t} for what, (e, t) in errors.items()}
    if not report["layouts"]:
        sys.exit(f"{args.folder} holds no parity folders (run `workbench bench parity --out {args.folder}` first)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    print("\nparity: " + ("FAILED" if failed else "ok"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
