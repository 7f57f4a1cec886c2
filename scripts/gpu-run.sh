#!/usr/bin/env bash
# On the GPU machine (../shared/device/README.md), after ../shared/device/pack.sh has put the runtime, the
# test programs and the CLI into .device/: builds the bridge against the machine's CUDA libtorch, then
#   tests    runs the test programs with CUDA tensors, checks safetensors interop with PyTorch's package, and
#            runs the op benchmark side by side with PyTorch (tests.log, pytorch_fixture.safetensors, info.txt,
#            bench-cuda.md);
#   dit      checks the DiT's parity with the PyTorch reference (float32 and bf16 autocast), then runs the DiT
#            benchmark against it, eager and torch.compile (dit.md, dit.json);
#   scaling  the joint-vs-factorized table, frames doubling until memory runs out (appended to dit.md; scaling.json);
#   all      (default) all three, in that order. One call of the device machine runs at most 10 minutes:
#            there, run the modes as separate calls.
# Progress goes to progress.log. Usage: bash scripts/gpu-run.sh [tests|dit|scaling|all]. Results go to $OUT
# (at most 8 files come back; cmake.log only when the build fails).
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
case $mode in tests|dit|scaling|all) ;; *) echo "usage: $0 [tests|dit|scaling|all]" >&2; exit 2 ;; esac
source .device/gpu-env.sh
# The CLI references the notebook runner and renderers, which need ASP.NET Core's shared framework (pack.sh packs
# only Microsoft.NETCore.App): pack it beside the runtime with
#   (cd "$(dirname "$(readlink -f "$(command -v dotnet)")")" && tar -cJf "$OLDPWD/.device/aspnetcore-runtime.tar.xz" shared/Microsoft.AspNetCore.App)
[ -d /tmp/dotnet/shared/Microsoft.AspNetCore.App ] || [ ! -f .device/aspnetcore-runtime.tar.xz ] ||
  tar -xJf .device/aspnetcore-runtime.tar.xz -C /tmp/dotnet
out=${OUT:-/tmp/workbench-gpu}
mkdir -p "$out"
cmake -S src/Workbench/Native -B /tmp/wbn -DCMAKE_BUILD_TYPE=Release > /tmp/wbn-cmake.log 2>&1 &&
  cmake --build /tmp/wbn -j16 >> /tmp/wbn-cmake.log 2>&1 || { cp /tmp/wbn-cmake.log "$out/cmake.log"; tail -30 /tmp/wbn-cmake.log; exit 1; }
export WORKBENCH_NATIVE_LIB=/tmp/wbn/libworkbench_native.so NO_COLOR=1
app=.device/app
workbench() { dotnet "$app/Workbench.Cli/Workbench.Cli.dll" "$@"; }

status=0
if [ "$mode" = tests ] || [ "$mode" = all ]; then
for t in Workbench.Tests Workbench.Models.Tests Workbench.Diffusion.Tests Workbench.Metrics.Tests; do
  [ -f "$app/$t/$t.dll" ] || continue
  dotnet "$app/$t/$t.dll" -noColor > "/tmp/$t.log" 2>&1 || status=1
  { echo "== $t"; grep -E "\[FAIL\]" -A 8 "/tmp/$t.log"; grep -E "Total: [0-9]+" "/tmp/$t.log"; } | tee -a "$out/tests.log"
done

# Safetensors interop: PyTorch's package writes the fixture; a file written by Workbench must load in it.
if python3 -c "import safetensors" 2>/dev/null; then
  python3 tests/fixtures/safetensors_interop.py write "$out/pytorch_fixture.safetensors" | tee -a "$out/tests.log"
  # A file written by Workbench's interop test (WORKBENCH_SAFETENSORS_OUT=.device/workbench_written.safetensors
  # before packing), or written here when the Data test program was packed.
  written=.device/workbench_written.safetensors
  if [ -f "$app/Workbench.Data.Tests/Workbench.Data.Tests.dll" ]; then
    written=/tmp/workbench_written.safetensors
    WORKBENCH_SAFETENSORS_OUT=$written dotnet "$app/Workbench.Data.Tests/Workbench.Data.Tests.dll" \
      -noColor -class "*SafetensorsInteropTests" | grep -E "Total:" | tee -a "$out/tests.log"
  fi
  [ -f "$written" ] && python3 tests/fixtures/safetensors_interop.py check "$written" | tee -a "$out/tests.log"
else
  echo "safetensors (python) is not installed here: interop not checked" | tee -a "$out/tests.log"
fi

workbench info | tee "$out/info.txt"
workbench bench --device cuda --python python3 --markdown > "$out/bench-cuda.md" 2>> "$out/progress.log"
cat "$out/bench-cuda.md"
fi

# The DiT against its PyTorch reference (bench/): parity on the S preset's weights first, then the benchmark rows.
if [ "$mode" = dit ] || [ "$mode" = all ]; then
  {
    echo "## Parity (workbench bench parity --preset S --device cuda; bench/dit_parity.py)"
    echo '```'
    workbench bench parity --out /tmp/dit-parity --preset S --device cuda --frames 8 --size 16 &&
      python3 bench/dit_parity.py /tmp/dit-parity --device cuda || status=1
    echo '```'
    echo
    echo "## Benchmark (workbench bench dit --device cuda --python python3 --compile)"
    workbench bench dit --device cuda --python python3 --compile --markdown --json "$out/dit.json" || status=1
  } >> "$out/dit.md" 2>> "$out/progress.log"
  cat "$out/dit.md"
fi
if [ "$mode" = scaling ] || [ "$mode" = all ]; then
  {
    echo
    echo "## Scaling (workbench bench dit --device cuda --scaling)"
    workbench bench dit --device cuda --scaling --markdown --json "$out/scaling.json" || status=1
  } >> "$out/dit.md" 2>> "$out/progress.log"
  tail -25 "$out/dit.md"
fi
exit $status
