#!/usr/bin/env bash
# A/B of two custodian binaries in one sitting, alternating: the records store at 1M reads
# and the HTTP API (bench/run_http_bench.sh, 100,000 pre-loaded reads), ROUNDS rounds each.
# Usage: bench/ab.sh OLD/custodian NEW/custodian [ROUNDS]   (prints one line per run)
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); rounds=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
for r in $(seq 1 "$rounds"); do
  for which in old new; do
    bin=$old; [ "$which" = new ] && bin=$new
    echo "store $which round $r load $(cut -d' ' -f1 /proc/loadavg): $("$bin" bench store --backend sqlite --reads 1000000 --images 1 --queries 300 --json | tail -n 1)"
  done
done
for r in $(seq 1 "$rounds"); do
  for which in old new; do
    bin=$old; [ "$which" = new ] && bin=$new
    echo "http $which round $r load $(cut -d' ' -f1 /proc/loadavg): $(bash "$here/run_http_bench.sh" "$bin" 100000 | tail -n 1)"
  done
done
