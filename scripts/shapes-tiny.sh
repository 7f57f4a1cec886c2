#!/usr/bin/env bash
# The end-to-end result on Bouncing Shapes (docs/benchmarks.md): data, the tiny VAE, the tiny DiT on its
# cached latents, the feature network that scores prompt adherence, an evaluation, and the small checkpoint
# that notebooks load (checkpoints/shapes-tiny). Usage:
#   bash scripts/shapes-tiny.sh [RUNS_DIR]        (VAE_MINUTES, DIT_MINUTES, FEATURE_MINUTES override the budgets)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-runs/shapes-tiny}
vae_minutes=${VAE_MINUTES:-8} dit_minutes=${DIT_MINUTES:-12} feature_minutes=${FEATURE_MINUTES:-10}
wb=${WORKBENCH:-./workbench}
export=${EXPORT:-checkpoints/shapes-tiny}

[ -f data/shapes/dataset.json ] || $wb data shapes --out data/shapes --count 4000
for run in vae dit features; do
  [ -e "$runs/$run" ] && { echo "shapes-tiny: $runs/$run exists; choose another RUNS_DIR or remove it" >&2; exit 1; }
done
mkdir -p "$runs"
$wb train vae --preset tiny --data data/shapes --out "$runs/vae" --minutes "$vae_minutes" --batch 4
$wb train dit --preset tiny --data data/shapes --vae "$runs/vae" --out "$runs/dit" --minutes "$dit_minutes"
$wb train features --data data/shapes --out "$runs/features" --minutes "$feature_minutes"

# The checkpoint notebooks use: the finished models and what loading them needs, nothing else.
rm -rf "$export.partial" && mkdir -p "$export.partial"/{vae,dit,features}
cp "$runs/vae"/{config.json,vae.safetensors} "$export.partial/vae/"
cp "$runs/dit"/{config.json,dit.safetensors,tokenizer.json} "$export.partial/dit/"
cp "$runs/features"/{config.json,features.safetensors} "$export.partial/features/"
# The DiT names its VAE run; in the checkpoint it is the sibling folder.
sed -i -E 's|"vae_run": *"[^"]*"|"vae_run": "../vae"|' "$export.partial/dit/config.json"
rm -rf "$export" && mv "$export.partial" "$export"
du -sh "$export"
