#!/usr/bin/env bash
# Sets up, builds, and runs every test project; ends with a plain "N passed, N failed, N skipped" line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NO_COLOR=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Workbench.sln -c Release --nologo -v q -clp:ErrorsOnly

passed=0 failed=0 skipped=0 status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dll="tests/$name/bin/Release/net10.0/$name.dll"
  log=$(mktemp)
  echo "== $name"
  # xunit v3 test projects are programs: run them directly (the same way as on the GPU machine).
  dotnet "$dll" -noColor 2>&1 | tee "$log" || status=1
  # xunit's summary line: "Name  Total: T, Errors: E, Failed: F, Skipped: S, Not Run: N, Time: ..."
  summary=$(grep -E "Total: [0-9]+, Errors: [0-9]+, Failed: [0-9]+, Skipped: [0-9]+" "$log" | tail -1 || true)
  if [ -z "$summary" ]; then echo "test.sh: no summary from $name" >&2; status=1; continue; fi
  t=$(sed -E 's/.*Total: ([0-9]+).*/\1/' <<<"$summary")
  e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$summary")
  f=$(sed -E 's/.*Failed: ([0-9]+).*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: ([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + t - f - s)); failed=$((failed + f + e)); skipped=$((skipped + s))
  rm -f "$log"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && exit $status || exit 1
