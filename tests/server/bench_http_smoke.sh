#!/bin/sh
# Smoke test for `custodian bench http-setup` (the HTTP load benchmark's preparation):
# on a fresh data folder with 100 reads it must print JSON with an API key and a session
# cookie. No wrk, no timing. Usage: bench_http_smoke.sh PATH/TO/custodian
set -eu
bin=$1
dir=$(mktemp -d /tmp/custodian-bench-http-smoke-XXXXXX)
trap 'rm -rf "$dir"' EXIT
out=$("$bin" bench http-setup --data-dir "$dir/data" --reads 100 --json | tail -n 1)
echo "$out" | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["api_key"].startswith("ck_"), j
assert j["cookie"].startswith("custodian_session=") and len(j["cookie"]) > len("custodian_session="), j
assert j["plate"] and j["camera_id"], j
print("ok:", j["camera_id"], j["plate"])
'
# A second run on the same folder is refused (accounts exist).
if "$bin" bench http-setup --data-dir "$dir/data" --json >/dev/null 2>&1; then
  echo "http-setup ran twice on one data folder" >&2
  exit 1
fi
