#!/usr/bin/env bash
# custodian hotlist and custodian alerts as an operator runs them: lists are created,
# files imported with bad lines reported by number and the rest kept, alert review steps
# refuse what the policy forbids. Needs CUSTODIAN (the binary). With
# CUSTODIAN_TEST_PG_URL set, checks PostgreSQL too.
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
printf 'plate,state,reason,expires\n7ABC123,CA,stolen,2027-01-01\n!!!,CA,bad,\n8DEF456,CA,"quoted, reason",\n9GHI,CA,x,not-a-date\n' \
  > "$tmp/list.csv"
printf '7ABC123 CA0001\nSHORT\n5SVS555 NV\n' > "$tmp/list.svs"
run_all() {  # run_all LABEL URL [flags]
  local l=$1 db=$2
  shift 2
  local x=("$@")
  check "$l-migrate" 0 "migrated" -- "$CUSTODIAN" db migrate --db "$db"
  check "$l-no-agency" 1 "not_found: no agency 'CITYPD'" -- \
    "$CUSTODIAN" hotlist create --db "$db" "${x[@]}" --name stolen --agency CITYPD --category stolen_vehicle
  check "$l-bad-category" 1 "hotlist category is" -- \
    "$CUSTODIAN" hotlist create --db "$db" "${x[@]}" --name stolen --agency CITYPD --category stolen
  check "$l-import-unknown-list" 1 "not_found: no hotlist 'stolen'" -- \
    "$CUSTODIAN" hotlist import --db "$db" "${x[@]}" --list stolen --format csv "$tmp/list.csv"
  check "$l-import-missing-file" 1 "cannot read" -- \
    "$CUSTODIAN" hotlist import --db "$db" "${x[@]}" --list stolen --format csv "$tmp/nope.csv"
  check "$l-list-empty" 0 "no hotlists" -- "$CUSTODIAN" hotlist list --db "$db" "${x[@]}"
  check "$l-alerts-empty" 0 "no alerts" -- "$CUSTODIAN" alerts list --db "$db" "${x[@]}"
  check "$l-overdue-none" 0 "^0 alerts unreviewed for more than 24 hours" -- \
    "$CUSTODIAN" alerts overdue --db "$db" "${x[@]}"
  check "$l-ack-unknown" 1 "not_found: no alert 5" -- "$CUSTODIAN" alerts ack --db "$db" "${x[@]}" --id 5 --by u
  check "$l-confirm-unchecked" 1 "plate image was checked" -- \
    "$CUSTODIAN" alerts confirm --db "$db" "${x[@]}" --id 5 --by u --action stopped
  check "$l-dismiss-unknown" 1 "not_found: no alert 5" -- \
    "$CUSTODIAN" alerts dismiss --db "$db" "${x[@]}" --id 5 --by u --note misread
}
check no-db 1 "give --db URL or set CUSTODIAN_DB" -- env -u CUSTODIAN_DB "$CUSTODIAN" hotlist list
mkdir -p "$tmp/images" && head -c 32 /dev/urandom > "$tmp/image.key" && chmod 600 "$tmp/image.key"
db="sqlite://$tmp/custodian.db"
run_all sqlite "$db"
# Lists need an agency; the store has no agency CLI yet, so add one directly.
sqlite3 "$tmp/custodian.db" "INSERT INTO agencies (code, name) VALUES ('CITYPD', 'City Police')"
check create 0 "hotlist stolen \(stolen_vehicle, agency CITYPD, OCR-tolerant\): 0 entries" -- \
  "$CUSTODIAN" hotlist create --db "$db" --name stolen --agency CITYPD --category stolen_vehicle --fuzzy
check import-csv 1 "list.csv:3: .*no letter or digit|imported 2 entries into stolen \(2 added, 0 updated\); 2 malformed" -- \
  "$CUSTODIAN" hotlist import --db "$db" --list stolen --format csv "$tmp/list.csv"
check import-csv-line5 1 "list.csv:5: expiry is not YYYY-MM-DD" -- \
  "$CUSTODIAN" hotlist import --db "$db" --list stolen --format csv "$tmp/list.csv"
check import-svs 1 "imported 2 entries into stolen \(1 added, 1 updated\); 1 malformed" -- \
  "$CUSTODIAN" hotlist import --db "$db" --list stolen --format svs "$tmp/list.svs"
check import-svs-line 1 "list.svs:2: line is 5 characters" -- \
  "$CUSTODIAN" hotlist import --db "$db" --list stolen --format svs "$tmp/list.svs"
check bad-format 1 "format is csv or svs" -- \
  "$CUSTODIAN" hotlist import --db "$db" --list stolen --format xml "$tmp/list.svs"
check list 0 "^stolen: stolen_vehicle, agency CITYPD, OCR-tolerant, 3 entries" -- "$CUSTODIAN" hotlist list --db "$db"
if [ -n "${CUSTODIAN_TEST_PG_URL:-}" ]; then
  pg_create_db cli_hotlist_test
  run_all pg "postgresql:///cli_hotlist_test?host=$pg_sock" --images "$tmp/images"
  dropdb -h "$pg_sock" cli_hotlist_test
fi
exit $((fails > 0))
