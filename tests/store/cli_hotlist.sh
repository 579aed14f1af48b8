#!/usr/bin/env bash
# custodian hotlist and custodian alerts as operators run them, logged in as real users:
# lists are created (coordinator), files imported with bad lines reported by number and
# the rest kept, a patrol officer sees lists and alerts but may not manage lists, alert
# review steps refuse what the policy forbids and name the reviewer from the session.
# Needs CUSTODIAN (the binary) and oathtool. With CUSTODIAN_TEST_PG_URL set, checks
# PostgreSQL too.
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
printf 'plate,state,reason,expires\n7ABC123,CA,stolen,2027-01-01\n!!!,CA,bad,\n8DEF456,CA,"quoted, reason",\n9GHI,CA,x,not-a-date\n' \
  > "$tmp/list.csv"
printf '7ABC123 CA0001\nSHORT\n5SVS555 NV\n' > "$tmp/list.svs"
printf '{"event_id":"hit-1","camera_id":"cam1","captured_at":"%s","plate":"7ABC123","confidence":0.9,"region":"CA","crop_b64":"/9j/4AAQSkZJRg=="}\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$tmp/hit.jsonl"
run_all() {  # run_all LABEL URL SIGNING-KEY [flags]
  local l=$1 db=$2 key=$3
  shift 3
  local x=("$@")
  begin_run "$l" "$db" "$key" "${x[@]}"
  add_user pat patrol "Pat Patrol" --db "$db" --signing-key "$key" "${x[@]}"
  check "$l-no-agency" 1 "not_found: no agency 'OTHERPD'" -- \
    as coord hotlist create --name stolen --agency OTHERPD --category stolen_vehicle
  check "$l-bad-category" 1 "hotlist category is" -- \
    as coord hotlist create --name stolen --agency CITYPD --category stolen
  check "$l-import-unknown-list" 1 "not_found: no hotlist 'stolen'" -- \
    as coord hotlist import --list stolen --format csv "$tmp/list.csv"
  check "$l-import-missing-file" 1 "cannot read" -- \
    as coord hotlist import --list stolen --format csv "$tmp/nope.csv"
  check "$l-list-empty" 0 "no hotlists" -- as pat hotlist list
  check "$l-patrol-create" 1 "permission_denied: role patrol may not manage_hotlists" -- \
    as pat hotlist create --name stolen --agency CITYPD --category stolen_vehicle
  check "$l-alerts-empty" 0 "no alerts" -- as pat alerts list
  check "$l-overdue-none" 0 "^0 alerts unreviewed for more than 24 hours" -- as pat alerts overdue
  check "$l-ack-unknown" 1 "not_found: no alert 5" -- as pat alerts ack --id 5
  check "$l-confirm-unknown" 1 "not_found: no alert 5" -- \
    as pat alerts confirm --id 5 --action stopped
  check "$l-dismiss-unknown" 1 "not_found: no alert 5" -- as pat alerts dismiss --id 5 --note misread
  check "$l-no-by" 109 "The following argument was not expected: --by|--by" -- \
    as pat alerts ack --id 5 --by someone
  check "$l-create" 0 "hotlist stolen \(stolen_vehicle, agency CITYPD, OCR-tolerant\): 0 entries" -- \
    as coord hotlist create --name stolen --agency CITYPD --category stolen_vehicle --fuzzy
  check "$l-import-csv" 1 "list.csv:3: .*no letter or digit|imported 2 entries into stolen \(2 added, 0 updated\); 2 malformed" -- \
    as coord hotlist import --list stolen --format csv "$tmp/list.csv"
  check "$l-import-csv-line5" 1 "list.csv:5: expiry is not YYYY-MM-DD" -- \
    as coord hotlist import --list stolen --format csv "$tmp/list.csv"
  check "$l-import-svs" 1 "imported 2 entries into stolen \(1 added, 1 updated\); 1 malformed" -- \
    as coord hotlist import --list stolen --format svs "$tmp/list.svs"
  check "$l-import-svs-line" 1 "list.svs:2: line is 5 characters" -- \
    as coord hotlist import --list stolen --format svs "$tmp/list.svs"
  check "$l-bad-format" 1 "format is csv or svs" -- \
    as coord hotlist import --list stolen --format xml "$tmp/list.svs"
  check "$l-list" 0 "^stolen: stolen_vehicle, agency CITYPD, OCR-tolerant, 3 entries" -- as pat hotlist list
  check "$l-import-logged" 0 "coord@cli import_hotlist allowed" -- as coord audit log --action import_hotlist
  # A read of a listed plate raises an alert; patrol reviews it as itself.
  check "$l-ingest-hit" 0 "" -- bash -c "$(printf '%q ' "$CUSTODIAN" ingest --db "$db" "${x[@]}" --camera cam1:CITYPD) < '$tmp/hit.jsonl'"
  check "$l-alert-listed" 0 "^alert 1 \[new\] .* stolen \(stolen_vehicle\): read [0-9]+ 7ABC123 CA at cam1" -- as pat alerts list
  check "$l-alert-ack" 0 "acknowledged by pat" -- as pat alerts ack --id 1
  # A confirmation needs the reviewer's own view of the read's image in the log.
  check "$l-alert-unviewed" 1 "has not viewed this read's image" -- \
    as pat alerts confirm --id 1 --image-checked --action stopped
  rid=$(as pat alerts list | sed -n 's/.* read \([0-9]*\) 7ABC123.*/\1/p' | head -1)
  check "$l-alert-view" 0 "" -- as pat show-read --purpose hotlist_alert --case ALERT-1 --id "$rid" --image crop \
    --out "$tmp/$l-crop.jpg"
  check "$l-alert-unchecked" 1 "plate image was checked" -- as pat alerts confirm --id 1 --action stopped
  check "$l-alert-confirm" 0 "confirmed by pat .*image checked: stopped" -- \
    as pat alerts confirm --id 1 --image-checked --action stopped
  check "$l-alert-logged" 0 "pat@cli confirm_alert allowed .*7ABC123" -- as coord audit log --action confirm_alert
  check "$l-audit-verify" 0 "access log intact" -- as coord audit verify
}
check no-session 1 "not logged in; log in with: custodian login" -- \
  env CUSTODIAN_SESSION="$tmp/none" "$CUSTODIAN" hotlist list --db "sqlite://$tmp/custodian.db"
mkdir -p "$tmp/images" && head -c 32 /dev/urandom > "$tmp/image.key" && chmod 600 "$tmp/image.key"
run_all sqlite "sqlite://$tmp/custodian.db" "$tmp/agency.key"
if [ -n "${CUSTODIAN_TEST_PG_URL:-}" ]; then
  pg_create_db cli_hotlist_test
  run_all pg "postgresql:///cli_hotlist_test?host=$pg_sock" "$tmp/pg-agency.key" --images "$tmp/images"
  dropdb -h "$pg_sock" cli_hotlist_test
fi
exit $((fails > 0))
