#!/usr/bin/env bash
# The main job on a fresh machine: set up, build, then a tiny end-to-end run of the `workbench` command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Workbench.sln -c Release --nologo -v q -clp:ErrorsOnly
./workbench info
./workbench demo
