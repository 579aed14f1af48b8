#!/usr/bin/env bash
# make bench: measures the engine and writes bench/RESULTS.md.
# Usage: bench/run_bench.sh BUILD/custodian DATA_DIR
set -euo pipefail
bin=$1
data=${2:-../shared/data}
frames=samples
if [ -d "$data/openalpr-bench/endtoend/us" ]; then
  frames="$data/openalpr-bench/endtoend/us"   # real road scenes when the shared data is present
fi
out=bench/RESULTS.md
tmp=$(mktemp)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
  echo "# Benchmark results"
  echo
  echo "Written by \`make bench\` ($(date -u +%Y-%m-%d)). Machine: $(nproc) cores, $cpu, $(free -g | awk '/Mem:/{print $2}') GiB."
  echo "Load average when it started: $(cut -d' ' -f1-3 /proc/loadavg) (other jobs on the machine slow the all-cores rows first)."
  echo
  echo "## Recognition engine (detection + OCR per frame)"
  echo
  echo "Command: \`$bin bench vision $frames --seconds 10\`. Frames: $frames, each scaled and"
  echo "centre-cropped to the frame size. One session per thread, OpenCV single-threaded inside."
  echo
  "$bin" bench vision "$frames" --seconds 10 | grep '^|'
} >"$tmp"
mv "$tmp" "$out"
cat "$out"
