#!/usr/bin/env bash
# On the GPU machine (../shared/device/README.md), after ../shared/device/pack.sh has put the runtime and
# the test programs into .device/: builds the bridge against the machine's CUDA libtorch, runs the test
# programs with CUDA tensors, checks safetensors interop with PyTorch's package, and runs the benchmark
# side by side with PyTorch. Results go to $OUT (tests.log, bench-cuda.md, pytorch_fixture.safetensors).
set -uo pipefail
cd "$(dirname "$0")/.."
source .device/gpu-env.sh
out=${OUT:-/tmp/workbench-gpu}
mkdir -p "$out"
cmake -S src/Workbench/Native -B /tmp/wbn -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1 &&
  cmake --build /tmp/wbn -j16 >> "$out/cmake.log" 2>&1 || { tail -30 "$out/cmake.log"; exit 1; }
export WORKBENCH_NATIVE_LIB=/tmp/wbn/libworkbench_native.so NO_COLOR=1
app=.device/app

status=0
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

dotnet "$app/Workbench.Cli/Workbench.Cli.dll" info | tee "$out/info.txt"
dotnet "$app/Workbench.Cli/Workbench.Cli.dll" bench --device cuda --python python3 --markdown > "$out/bench-cuda.md" 2> "$out/bench-progress.log"
cat "$out/bench-cuda.md"
exit $status
