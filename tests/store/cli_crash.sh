#!/usr/bin/env bash
# Crash safety of ingest: `custodian ingest` is killed with SIGKILL at random points (after
# a random number of acks, plus a random few milliseconds, so mid-batch too), five times.
# After each kill the store is reopened: every read acked so far is stored once, `db
# verify-images` finds no orphan image (the open deleted the dead batch's files) and none
# missing. Last, the whole input is ingested to the end: the reads acked before come back
# as duplicates, and every event id is stored exactly once.
# Needs CUSTODIAN (the binary). With CUSTODIAN_TEST_PG_URL set, checks PostgreSQL too
# (failing when CI=true and the cluster is down, else skipping).
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
n_reads=2000
# Input: each read has its own crop image and shares one of 7 frame images (so an image
# both written by a dying batch and referred to by committed reads must survive).
awk -v n=$n_reads 'BEGIN {
  for (i = 0; i < n; i++) {
    printf "{\"event_id\":\"ev-%d\",\"camera_id\":\"cam1\",\"captured_at\":\"2026-01-0%dT%02d:%02d:%02dZ\",", \
      i, 1 + i % 9, (i / 3600) % 24, (i / 60) % 60, i % 60
    printf "\"plate\":\"%dABC%03d\",\"confidence\":0.9,\"region\":\"CA\",", 1 + i % 9, i % 1000
    printf "\"crop_b64\":\"Y3JvcA%08dQUJDREVGR0hJSktMTU5PUFFSU1RVVldY\",", i
    printf "\"frame_b64\":\"ZnJhbWU%dQUJDREVGR0hJSktMTU5PUFFSU1RVVldY\"}\n", i % 7
  }
}' > "$tmp/reads.jsonl"
printf '{"event_id":"bad-1","camera_id":"cam1"}\nnot json\n' > "$tmp/bad.jsonl"

acks_of() { grep -c '"event_id"' "$1" 2>/dev/null || true; }

run_all() {  # run_all LABEL URL [--images DIR --key FILE]
  local l=$1 db=$2
  shift 2
  local x=("$@")
  check "$l-migrate" 0 "migrated" -- "$CUSTODIAN" db migrate --db "$db"
  check "$l-bad-lines" 1 "line 2: .*not a JSON object" -- \
    "$CUSTODIAN" ingest --db "$db" "${x[@]}" --camera cam1:CITYPD < "$tmp/bad.jsonl"
  : > "$tmp/$l.acked"
  local k
  for k in 1 2 3 4 5; do
    local want=$((RANDOM % 1500 + 1)) out="$tmp/$l.acks.$k"
    "$CUSTODIAN" ingest --db "$db" "${x[@]}" --camera cam1:CITYPD --batch 50 < "$tmp/reads.jsonl" \
      > "$out" 2> "$tmp/$l.err.$k" &
    local pid=$! waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$(acks_of "$out")" -lt "$want" ] && [ $waited -lt 2000 ]; do
      sleep 0.01
      waited=$((waited + 1))
    done
    sleep "0.00$((RANDOM % 10))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    local got
    got=$(acks_of "$out")
    cat "$out" >> "$tmp/$l.acked"
    check "$l-kill$k-acked-present ($got acks)" 0 "repeated event ids: 0" -- \
      "$CUSTODIAN" ingest --db "$db" "${x[@]}" --check-acked "$tmp/$l.acked"
    check "$l-kill$k-images" 0 "orphans: 0.*missing: 0" -- \
      bash -c "$(printf '%q ' "$CUSTODIAN" db verify-images --db "$db" "${x[@]}" --grace-hours 0) | tr '\n' ' '"
  done
  # The whole input again, to the end: what was acked comes back as a duplicate.
  check "$l-finish" 0 "" -- bash -c "$(printf '%q ' "$CUSTODIAN" ingest --db "$db" "${x[@]}" --batch 200) \
    < '$tmp/reads.jsonl' > '$tmp/$l.final'"
  local acked_ids dup_ok
  acked_ids=$(grep -o '"event_id":"[^"]*"' "$tmp/$l.acked" | sort -u | wc -l)
  dup_ok=$(grep -c '"duplicate":true' "$tmp/$l.final")
  if [ "$acked_ids" -gt 0 ] && [ "$dup_ok" -ge "$acked_ids" ]; then
    echo "ok   $l-rerun-duplicates ($dup_ok duplicates, $acked_ids acked before)"
  else
    echo "FAIL $l-rerun-duplicates: $dup_ok duplicates, $acked_ids acked before"
    fails=$((fails + 1))
  fi
  cat "$tmp/$l.final" >> "$tmp/$l.acked"
  check "$l-all-once" 0 "reads: $n_reads.*repeated event ids: 0" -- \
    bash -c "$(printf '%q ' "$CUSTODIAN" ingest --db "$db" "${x[@]}" --check-acked "$tmp/$l.acked") | tr '\n' ' '"
  check "$l-images-final" 0 "orphans: 0.*missing: 0" -- \
    bash -c "$(printf '%q ' "$CUSTODIAN" db verify-images --db "$db" "${x[@]}" --grace-hours 0) | tr '\n' ' '"
}
run_all sqlite "sqlite://$tmp/custodian.db"
if [ -n "${CUSTODIAN_TEST_PG_URL:-}" ]; then
  pg_create_db cli_crash_test
  mkdir -p "$tmp/pg"
  run_all pg "postgresql:///cli_crash_test?host=$pg_sock" --images "$tmp/pg/images" --key "$tmp/pg/image.key"
  dropdb -h "$pg_sock" cli_crash_test
fi
exit $((fails > 0))
