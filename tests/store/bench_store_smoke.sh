#!/usr/bin/env bash
# custodian bench store at a tiny size: it runs end to end on SQLite and its last line is
# one JSON object holding every figure the issue asks for, each a positive number.
# Needs CUSTODIAN (the binary). Plain bash: no JSON tool is among the build's packages.
set -u
out=$("$CUSTODIAN" bench store --backend sqlite --reads 2000 --hotlist 1000 2>&1)
rc=$?
if [ "$rc" != 0 ]; then
  echo "FAIL bench store exited $rc: $out"
  exit 1
fi
last=$(tail -n 1 <<<"$out")
if ! [[ $last =~ ^\{.*\}$ ]]; then
  echo "FAIL last line is not a JSON object: $last"
  exit 1
fi
fails=0
for key in reads ingest_reads_per_s image_mb_per_s exact_p99_ms wildcard_p99_ms fuzzy_p99_ms purge_day_s; do
  # "key":NUMBER with NUMBER > 0 (digits, optional fraction and exponent, not all zeros).
  value=
  [[ $last =~ \"$key\":([0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)[,\}] ]] && value=${BASH_REMATCH[1]}
  if [[ $value =~ ^[0-9]*[1-9] || $value =~ ^0\.0*[1-9] ]]; then
    echo "ok   $key = $value"
  else
    echo "FAIL $key missing or not a positive number in: $last"
    fails=$((fails + 1))
  fi
done
[[ $last =~ \"reads\":2000[,\}] ]] || { echo "FAIL reads is not 2000: $last"; fails=$((fails + 1)); }
exit $((fails > 0))
