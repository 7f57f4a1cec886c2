#!/usr/bin/env bash
# The main job on a fresh machine: set up, build, then run the first chapter notebook end to end (real models
# from checkpoints/shapes-tiny) into a standalone HTML page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Workbench.sln -c Release --nologo -v q -clp:ErrorsOnly
./workbench info
./workbench notebook run notebooks/00-the-flicker-problem.ipynb --html out/00-the-flicker-problem.html
echo "open out/00-the-flicker-problem.html in a browser (it works offline)"
