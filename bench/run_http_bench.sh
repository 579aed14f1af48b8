#!/usr/bin/env bash
# The HTTP API under load: camera ingest (batches of 100 reads) and exact-plate searches
# over HTTPS on loopback, with wrk against `custodian serve`.
# Usage: bench/run_http_bench.sh BUILD/custodian [READS]
#   READS: generated reads pre-loaded before the runs (default 100000), so searches run
#   against a populated store. Prints a markdown table and, last, one JSON line.
#   PLATES=zipf|uniform (environment, default zipf): the ingested reads' vehicles, see
#   bench/wrk_ingest.lua (zipf: repeat vehicles as cameras see them; uniform: every plate new).
# Runs (each 15 s, 2 wrk threads, 64 connections, --timeout 10s so slow answers count in
# the percentiles instead of being dropped as socket timeouts):
#   1. ingest alone; 2. search alone; 3. search while a second wrk ingests flat out at the same time
#      (search 64 connections, ingest 16; a kept-alive connection holds one of the server's
#      workers, and the default pool of at least 256 has room for all 80).
set -euo pipefail
bin=$(realpath "$1")
reads=${2:-100000}
plates=${PLATES:-zipf}
here=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "run_http_bench.sh: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
# HTTP_BENCH_DATA=DIR (environment): prepare the store in DIR and keep it, or reuse it when
# DIR/setup.json is there (pre-loading 10M reads takes a quarter of an hour); with
# SETUP_ONLY=1 the script stops after preparing it. The session in setup.json lasts 30
# minutes unused, so run the load soon after preparing.
if [ -n "${HTTP_BENCH_DATA:-}" ]; then
  dir=$HTTP_BENCH_DATA; keep=1; mkdir -p "$dir"
else
  dir=$(mktemp -d /tmp/custodian-http-bench-XXXXXX); keep=0
fi
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ "$keep" = 0 ]; then rm -rf "$dir"; fi
}
trap cleanup EXIT

t0=$(date +%s.%N)
if [ -f "$dir/setup.json" ]; then
  setup=$(cat "$dir/setup.json")
else
  setup=$("$bin" bench http-setup --data-dir "$dir/data" --reads "$reads" --json | tail -n 1)
  echo "$setup" >"$dir/setup.json"
fi
setup_s=$(echo "$(date +%s.%N) - $t0" | bc)
if [ "${SETUP_ONLY:-0}" = 1 ]; then echo "prepared $dir in $setup_s s"; exit 0; fi
get() { [[ $setup =~ \"$1\":\"([^\"]*)\" ]] && echo "${BASH_REMATCH[1]}"; }
key=$(get api_key); cookie=$(get cookie); plate=$(get plate)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --data-dir "$dir/data" --listen "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -skf "https://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -skf "https://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start" >&2; cat "$dir/serve.log" >&2; exit 1; }
url="https://127.0.0.1:$port/api/v1/reads"
wrk_common=(--latency --timeout 10s -d15s)

# wrk's figures from its output file: requests/s, p50/p90/p99 in ms, non-2xx, socket errors.
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v + 0 }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) } $1 == "90%" { p90 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /requests in/ { n = $1 }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    /Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
    END { printf "%s %.2f %.2f %.2f %d %d %d\n", rps, p50, p90, p99, n, bad + 0, err + 0 }' "$1"
}

wrk -t2 -c64 "${wrk_common[@]}" -s "$here/wrk_ingest.lua" "$url" -- "$key" "ingest$$" 100 "$plates" >"$dir/ingest.txt"
wrk -t2 -c64 "${wrk_common[@]}" -s "$here/wrk_search.lua" "$url" -- "$cookie" "$plate" >"$dir/search.txt"
wrk -t1 -c16 --timeout 10s -d17s -s "$here/wrk_ingest.lua" "$url" -- "$key" "mixed$$" 100 "$plates" >"$dir/mixed_ingest.txt" &
ingest_pid=$!
sleep 1
wrk -t2 -c64 "${wrk_common[@]}" -s "$here/wrk_search.lua" "$url" -- "$cookie" "$plate" >"$dir/mixed_search.txt"
wait "$ingest_pid"
# 4. search while ingest is paced to PACED_READS reads/s (environment, default 6000; 16
#    connections, 100 reads per request, each connection pausing between requests): the
#    bar's question, search latency at a given ingest load, rather than beside an ingest
#    that takes every cycle it can.
paced=${PACED_READS:-6000}
pace_ms=$(( 1000 * 16 * 100 / paced ))
wrk -t1 -c16 --timeout 10s -d17s -s "$here/wrk_ingest.lua" "$url" -- "$key" "paced$$" 100 "$plates" "$pace_ms" \
  >"$dir/paced_ingest.txt" &
ingest_pid=$!
sleep 1
wrk -t2 -c64 "${wrk_common[@]}" -s "$here/wrk_search.lua" "$url" -- "$cookie" "$plate" >"$dir/paced_search.txt"
wait "$ingest_pid"
stored=$(curl -sk -b "$cookie" "https://127.0.0.1:$port/api/v1/transparency" 2>/dev/null |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["reads"]["stored"])' 2>/dev/null || true)

read -r i_rps i_p50 i_p90 i_p99 i_n i_bad i_err <<<"$(parse "$dir/ingest.txt")"
read -r s_rps s_p50 s_p90 s_p99 s_n s_bad s_err <<<"$(parse "$dir/search.txt")"
read -r m_rps m_p50 m_p90 m_p99 m_n m_bad m_err <<<"$(parse "$dir/mixed_search.txt")"
read -r mi_rps _ _ _ mi_n mi_bad mi_err <<<"$(parse "$dir/mixed_ingest.txt")"
read -r p_rps p_p50 p_p90 p_p99 p_n p_bad p_err <<<"$(parse "$dir/paced_search.txt")"
read -r pi_rps _ _ _ pi_n pi_bad pi_err <<<"$(parse "$dir/paced_ingest.txt")"
pi_reads=$(echo "$pi_rps * 100" | bc)
i_reads=$(echo "$i_rps * 100" | bc)
mi_reads=$(echo "$mi_rps * 100" | bc)

echo "| run | clients | requests/s | reads/s | p50 ms | p90 ms | p99 ms | requests | non-2xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '| ingest, 100 reads per request | 64 | %.1f | %.0f | %.1f | %.1f | %.1f | %d | %d | %d |\n' \
  "$i_rps" "$i_reads" "$i_p50" "$i_p90" "$i_p99" "$i_n" "$i_bad" "$i_err"
printf '| search, exact plate | 64 | %.1f | | %.1f | %.1f | %.1f | %d | %d | %d |\n' \
  "$s_rps" "$s_p50" "$s_p90" "$s_p99" "$s_n" "$s_bad" "$s_err"
printf '| search while ingesting | 64 | %.1f | | %.1f | %.1f | %.1f | %d | %d | %d |\n' \
  "$m_rps" "$m_p50" "$m_p90" "$m_p99" "$m_n" "$m_bad" "$m_err"
printf '| (the ingest beside it) | 16 | %.1f | %.0f | | | | %d | %d | %d |\n' \
  "$mi_rps" "$mi_reads" "$mi_n" "$mi_bad" "$mi_err"
printf '| search while ingest is paced (~%d reads/s) | 64 | %.1f | | %.1f | %.1f | %.1f | %d | %d | %d |\n' \
  "$paced" "$p_rps" "$p_p50" "$p_p90" "$p_p99" "$p_n" "$p_bad" "$p_err"
printf '| (the paced ingest beside it) | 16 | %.1f | %.0f | | | | %d | %d | %d |\n' \
  "$pi_rps" "$pi_reads" "$pi_n" "$pi_bad" "$pi_err"
echo
printf '{"plates":"%s","preloaded_reads":%d,"stored_reads_after":%s,"setup_s":%.1f,"ingest_requests_per_s":%s,"ingest_reads_per_s":%s,"ingest_p99_ms":%s,"ingest_non2xx":%d,"search_requests_per_s":%s,"search_p50_ms":%s,"search_p99_ms":%s,"search_non2xx":%d,"mixed_search_requests_per_s":%s,"mixed_search_p99_ms":%s,"mixed_search_non2xx":%d,"mixed_ingest_reads_per_s":%s,"mixed_ingest_non2xx":%d,"paced_search_requests_per_s":%s,"paced_search_p99_ms":%s,"paced_search_non2xx":%d,"paced_ingest_reads_per_s":%s,"paced_ingest_non2xx":%d}\n' \
  "$plates" "$reads" "${stored:-null}" "$setup_s" "$i_rps" "$i_reads" "$i_p99" "$i_bad" "$s_rps" "$s_p50" "$s_p99" "$s_bad" \
  "$m_rps" "$m_p99" "$m_bad" "$mi_reads" "$mi_bad" "$p_rps" "$p_p99" "$p_bad" "$pi_reads" "$pi_bad"
