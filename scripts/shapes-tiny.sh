#!/usr/bin/env bash
# The end-to-end result on Bouncing Shapes (docs/benchmarks.md): data, the tiny VAE, the tiny DiT on its
# cached latents, the feature network that scores prompt adherence, an evaluation, and the small checkpoint
# that notebooks load (checkpoints/shapes-tiny). Usage:
#   bash scripts/shapes-tiny.sh [RUNS_DIR]
# VAE_MINUTES, DIT_MINUTES, FEATURE_MINUTES override the budgets; CFG_SCALES the guidance scales evaluated;
# EXPORT where the checkpoint goes (default checkpoints/shapes-tiny); FEATURES_RUN an already trained feature
# network to use instead of training one (it scores the generator and is not part of the generator's budget).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-runs/shapes-tiny}
vae_minutes=${VAE_MINUTES:-6} dit_minutes=${DIT_MINUTES:-12.5} feature_minutes=${FEATURE_MINUTES:-10}
wb=${WORKBENCH:-./workbench}
export=${EXPORT:-checkpoints/shapes-tiny}

[ -f data/shapes/dataset.json ] || $wb data shapes --out data/shapes --count 4000
features=${FEATURES_RUN:-$runs/features}
for run in vae dit; do
  [ -e "$runs/$run" ] && { echo "shapes-tiny: $runs/$run exists; choose another RUNS_DIR or remove it" >&2; exit 1; }
done
mkdir -p "$runs"
start=$(date +%s)
$wb train vae --preset tiny --data data/shapes --out "$runs/vae" --minutes "$vae_minutes" --batch 4
$wb train dit --preset tiny --data data/shapes --vae "$runs/vae" --out "$runs/dit" --minutes "$dit_minutes"
echo "shapes-tiny: VAE + DiT trained in $(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s (wall clock, latent encoding included)"
[ -n "${FEATURES_RUN:-}" ] || $wb train features --data data/shapes --out "$features" --minutes "$feature_minutes"

# The checkpoint notebooks use: the finished models and what loading them needs, nothing else.
rm -rf "$export.partial" && mkdir -p "$export.partial"/{vae,dit,features}
cp "$runs/vae"/{config.json,vae.safetensors} "$export.partial/vae/"
cp "$runs/dit"/{config.json,dit.safetensors,tokenizer.json} "$export.partial/dit/"
cp "$features"/{config.json,features.safetensors} "$export.partial/features/"
# The DiT names its VAE run; in the checkpoint it is the sibling folder.
sed -i -E 's|"vae_run": *"[^"]*"|"vae_run": "../vae"|' "$export.partial/dit/config.json"
rm -rf "$export" && mv "$export.partial" "$export"
du -sh "$export"

# Prompt adherence (the feature network's colour/shape/motion heads), FVD/KID and physics against the held-out
# clips, per guidance scale; every value also goes to the run store (`workbench runs --eval`).
for cfg in ${CFG_SCALES:-1 2 4 7}; do
  $wb eval --run "$runs/dit" --data data/shapes --features "$features" --metrics prompt,fvd,kid,physics --samples 64 --cfg "$cfg"
done
# Frame strips and the time of one 17-frame clip (20 Euler steps, in a fresh process: start-up included).
mkdir -p "$runs/samples"
for prompt in "a red ball falls and bounces" "a blue square moves right behind a wall" "a green triangle moves up" \
              "a yellow ball falls and bounces and a cyan square falls and bounces"; do
  $wb sample --run "$runs/dit" --prompt "$prompt" --steps 20 --cfg "${SAMPLE_CFG:-4}" --out "$runs/samples/${prompt// /-}.png"
done
