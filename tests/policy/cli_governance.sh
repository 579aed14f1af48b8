#!/usr/bin/env bash
# The governance layer as users meet it through the CLI: logon needs the system-use notice
# and the right password; a search needs a purpose and a case number, and its refusal is
# in the access log; roles limit who does what (patrol may not create users, an auditor
# may not search, parking enforcement sees only non-public-safety reads); an ended
# session says to log in again; the access log verifies, and names the entry edited
# behind its back; the database refuses to change the log, and a signed head kept outside
# catches the log cut back behind it. Needs CUSTODIAN (the binary), oathtool and sqlite3 (psql for
# PostgreSQL, with CUSTODIAN_TEST_PG_URL set). Never sleeps.
source "$(dirname "${BASH_SOURCE[0]}")/../store/cli_lib.sh"
why=(--purpose criminal_investigation --case 24-CR-0117)
# Three reads: two of 7ABC123 at a public-safety camera, one of 5PARK55 at a parking one.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
{
  printf '{"event_id":"g-1","camera_id":"cam1","captured_at":"%s","plate":"7ABC123","confidence":0.9,"region":"CA"}\n' "$now"
  printf '{"event_id":"g-2","camera_id":"cam1","captured_at":"%s","plate":"7ABC123","confidence":0.8,"region":"CA"}\n' "$now"
  printf '{"event_id":"g-3","camera_id":"lot7","captured_at":"%s","plate":"5PARK55","confidence":0.9,"region":"CA"}\n' "$now"
} > "$tmp/reads.jsonl"
# A read giving its crop under both its name and the deprecated one (refused, nothing stored).
printf '{"event_id":"g-9","camera_id":"cam1","captured_at":"%s","plate":"7ABC129","confidence":0.9,"plate_crop":"/9j/","crop_b64":"/9j/"}\n' \
  "$now" > "$tmp/both-names.jsonl"
# refused COMMAND...: status 1 when the command fails (sqlite3 and psql use their own codes).
refused() { if "$@"; then return 0; else return 1; fi; }
run_all() {  # run_all LABEL URL SIGNING-KEY SQL-COMMAND... -- [flags]
  local l=$1 db=$2 key=$3
  shift 3
  local sql=()
  while [ "$1" != "--" ]; do sql+=("$1"); shift; done
  shift
  local x=("$@") f=(--db "$db" --signing-key "$key" "$@")
  sess=$l
  check "$l-migrate" 0 "migrated" -- "$CUSTODIAN" db migrate --db "$db"
  setup_coordinators "${f[@]}"
  add_user pat patrol "Pat Patrol" "${f[@]}"
  add_user aud auditor "Audrey Auditor" "${f[@]}"
  add_user park parking_enforcement "Parker Meter" "${f[@]}"
  # The parking camera (non-public-safety), added by the coordinator; then the reads, as a
  # camera would send them.
  check "$l-camera-add" 0 "camera lot7 \\(Lot 7\\): parking, non_public_safety, agency CITYPD" -- \
    as coord cameras add --id lot7 --name "Lot 7" --kind parking --class non_public_safety --agency CITYPD
  check "$l-camera-add-patrol" 1 "permission_denied" -- as pat cameras add --id rogue --name "Rogue"
  check "$l-camera-add-bad-class" 1 "invalid_argument" -- as coord cameras add --id x1 --name X --class secret
  check "$l-cameras-list" 0 "^lot7 parking non_public_safety CITYPD Lot 7$" -- as coord cameras list
  check "$l-agency-add" 0 "agency COUNTYSO" -- as coord agencies add --code COUNTYSO --name "County Sheriff" --state CA --kind county
  # Sharing (issue 23, finding 4): only with California public, non-federal agencies, in force
  # once the partner's attestation is recorded.
  check "$l-agency-no-kind" 106 "state is required" -- as coord agencies add --code NOKIND --name "No kind"
  check "$l-agency-fed" 0 "agency FEDTF" -- as coord agencies add --code FEDTF --name "Task force" --state CA --kind federal
  check "$l-grant-fed" 1 "not federal" -- as coord sharing grant --agency FEDTF --class public_safety --expires "$(date -u -d '+30 days' +%Y-%m-%d)"
  check "$l-grant-fed-logged" 0 "coord@cli grant_sharing denied" -- as coord audit log --action grant_sharing
  check "$l-grant" 0 "^grant 1 to COUNTYSO .*not in force until" -- \
    as coord sharing grant --agency COUNTYSO --class non_public_safety --camera lot7 --expires "$(date -u -d '+30 days' +%Y-%m-%d)"
  check "$l-grant-awaits" 0 "^1	COUNTYSO	non_public_safety	1 cameras	until .*	awaiting attestation$" -- as coord sharing list
  check "$l-attest" 0 "grant 1 attested by Sheriff Dana Ortiz; in force" -- \
    as coord sharing attest --grant 1 --signatory "Sheriff Dana Ortiz"
  check "$l-grant-in-force" 0 "in force \(attested by Sheriff Dana Ortiz\)$" -- as coord sharing list
  check "$l-grant-revoke" 0 "grant 1 revoked" -- as coord sharing revoke --grant 1
  check "$l-grant-patrol" 1 "permission_denied" -- as pat sharing list
  check "$l-key-issue" 0 "^ck_[0-9a-f]{64}$" -- as coord keys issue --camera lot7 --name "lot 7 unit"
  check "$l-keys-list" 0 "^1 lot7 ingest valid .* lot 7 unit$" -- as coord keys list
  check "$l-key-revoke" 0 "key 1 revoked" -- as coord keys revoke --id 1
  check "$l-keys-list-revoked" 0 "^1 lot7 ingest revoked .* by coord " -- as coord keys list
  check "$l-camera-add-logged" 0 "coord@cli .*allowed.*lot7" -- as coord audit log --user coord
  check "$l-ingest" 0 "" -- bash -c "$(printf '%q ' "$CUSTODIAN" ingest --db "$db" "${x[@]}" --camera cam1:CITYPD) < '$tmp/reads.jsonl'"
  check "$l-ingest-both-names" 1 "line 1: invalid_argument: give 'plate_crop' or its deprecated name 'crop_b64', not both" -- \
    bash -c "$(printf '%q ' "$CUSTODIAN" ingest --db "$db" "${x[@]}") < '$tmp/both-names.jsonl'"

  check "$l-login-no-notice" 1 "system-use notice must be accepted" -- \
    bash -c "CUSTODIAN_SESSION='$tmp/$l.nonotice' $(printf '%q ' "$CUSTODIAN" login "${f[@]}" --user pat --password-stdin) <<<'$(new_password pat)'"
  check "$l-login-wrong-password" 1 "logon refused" -- \
    bash -c "CUSTODIAN_SESSION='$tmp/$l.wrong' $(printf '%q ' "$CUSTODIAN" login "${f[@]}" --user pat --password-stdin --accept-notice) <<<'not-the-password'"
  check "$l-login-logged" 0 "pat@cli logon denied .*wrong password" -- as coord audit log --action logon --user pat
  check "$l-notice-logged" 0 "pat@cli logon denied .*system-use notice not accepted" -- as coord audit log --action logon
  check "$l-whoami" 0 "gates: all passed" -- as pat whoami
  check "$l-whoami-role" 0 "^role patrol" -- as pat whoami

  check "$l-search-no-case" 1 "case or incident number is required" -- \
    as pat search --purpose criminal_investigation --plate 7ABC123
  check "$l-search-no-case-logged" 0 "pat@cli search_reads denied .*case or incident number" -- \
    as coord audit log --action search_reads --outcome denied
  check "$l-search-forbidden-purpose" 1 "permission_denied" -- \
    as pat search --purpose immigration_enforcement --case 24-CR-0117 --plate 7ABC123
  check "$l-search-patrol" 0 "^2 reads" -- as pat search "${why[@]}" --plate 7ABC123
  check "$l-search-logged" 0 "pat@cli search_reads allowed .*7ABC123.*records=2" -- \
    as coord audit log --action search_reads --outcome allowed
  check "$l-search-json" 0 '"plate":"7ABC123"' -- as pat search "${why[@]}" --plate 7ABC123 --json
  check "$l-search-json-shape" 0 '"camera_id":"cam1",.*"captured_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z"' -- \
    as pat search "${why[@]}" --plate 7ABC123 --json
  local first
  first=$("${sql[@]}" "SELECT id FROM reads WHERE event_id = 'g-1'" | tr -d '[:space:]')
  check "$l-show-read" 0 "^read $first 7ABC123" -- as pat show-read "${why[@]}" --id "$first"
  check "$l-patrol-no-users" 1 "permission_denied: role patrol may not manage_users" -- \
    as pat users create --user eve --full-name "Eve" --role coordinator --agency CITYPD --supervisor pat
  check "$l-auditor-no-search" 1 "permission_denied: role auditor may not search_reads" -- \
    as aud search "${why[@]}" --plate 7ABC123
  check "$l-auditor-reads-log" 0 "aud@cli search_reads denied" -- as aud audit log --user aud
  check "$l-parking-sees-nps" 0 "5PARK55 .*non_public_safety" -- \
    as park search --purpose parking_enforcement --case P-2026-001
  check "$l-parking-only-nps" 0 "^1 reads$" -- as park search --purpose parking_enforcement --case P-2026-001
  check "$l-parking-no-ps" 1 "permission_denied" -- \
    as park search --purpose parking_enforcement --case P-2026-001 --class public_safety
  check "$l-parking-no-ps-read" 1 "permission_denied" -- as park show-read --purpose parking_enforcement --case P-2026-001 --id "$first"

  check "$l-separate" 0 "separate: pat done" -- as coord users separate --user pat --reason "left the agency"
  check "$l-ended-session" 1 "session ended.*log in again with: custodian login" -- as pat whoami
  check "$l-logout" 0 "logged out park" -- as park logout
  check "$l-after-logout" 1 "not logged in; log in with: custodian login" -- as park whoami

  check "$l-verify" 0 "access log intact" -- as coord audit verify
  check "$l-verify-system" 0 "access log intact" -- "$CUSTODIAN" audit verify --system "${f[@]}"
  check "$l-verify-system-logged" 0 "system@system verify_access_log allowed" -- as coord audit log --action verify_access_log
  check "$l-checkpoint" 0 "signed checkpoint at entry" -- as coord audit checkpoint
  # The database refuses to change the log (issue 23, finding 2).
  check "$l-update-refused" 1 "append-only" -- refused "${sql[@]}" "UPDATE access_log SET detail = 'nothing to see' WHERE seq = 7"
  check "$l-delete-refused" 1 "append-only" -- refused "${sql[@]}" "DELETE FROM access_log_checkpoints"
  # The signed head, as /api/v1/transparency and the system journal publish it, kept by
  # someone outside; then more entries, a second head, and the owner (who may drop the
  # triggers) cuts the log back to before the second head and deletes its checkpoint.
  check "$l-head" 0 '^\{"at":"[^"]+","hash":"[0-9a-f]{64}","public_key":"[0-9a-f]{64}","seq":[0-9]+,"signature":"[0-9a-f]{128}"\}$' -- \
    as coord audit head
  as coord audit head > "$tmp/$l.head1.json"
  check "$l-verify-against" 0 "access log intact: .*1 saved heads match" -- as coord audit verify --against "$tmp/$l.head1.json"
  as coord audit log --limit 5 >/dev/null
  check "$l-checkpoint-2" 0 "signed checkpoint at entry" -- as coord audit checkpoint
  as coord audit head > "$tmp/$l.head2.json"
  cat "$tmp/$l.head1.json" "$tmp/$l.head2.json" > "$tmp/$l.heads.jsonl"
  local cut
  cut=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' "$tmp/$l.head2.json")
  "${sql[@]}" "$drop_triggers DELETE FROM access_log_checkpoints WHERE seq >= $cut; DELETE FROM access_log WHERE seq >= $cut" >/dev/null
  check "$l-cut-verify-against" 1 "BROKEN at entry $cut: .*beyond the log's end" -- \
    "$CUSTODIAN" audit verify --system "${f[@]}" --against "$tmp/$l.heads.jsonl"
  # The database alone cannot tell (what is left is a valid log); each verify appends an
  # entry, so the saved head now names an entry that differs from it.
  check "$l-cut-verify-alone" 0 "access log intact" -- "$CUSTODIAN" audit verify --system "${f[@]}"
  check "$l-cut-verify-against-later" 1 "BROKEN at entry $cut: .*differs from the head" -- \
    "$CUSTODIAN" audit verify --system "${f[@]}" --against "$tmp/$l.heads.jsonl"
  # The owner deletes every checkpoint: the entry that recorded the requested checkpoint
  # still names it, and verify fails.
  "${sql[@]}" "$drop_triggers DELETE FROM access_log_checkpoints" >/dev/null
  check "$l-verify-no-checkpoints" 1 "BROKEN at entry [0-9]+: .*checkpoint" -- "$CUSTODIAN" audit verify --system "${f[@]}"
  "${sql[@]}" "$drop_triggers UPDATE access_log SET detail = 'nothing to see' WHERE seq = 7" >/dev/null
  check "$l-verify-broken" 1 "BROKEN at entry 7" -- as coord audit verify
  check "$l-verify-broken-system" 1 "BROKEN at entry 7" -- "$CUSTODIAN" audit verify --system "${f[@]}"
  check "$l-verify-broken-against" 1 "BROKEN at entry 7" -- \
    "$CUSTODIAN" audit verify --system "${f[@]}" --against "$tmp/$l.head1.json"
}
mkdir -p "$tmp/images" && head -c 32 /dev/urandom > "$tmp/image.key" && chmod 600 "$tmp/image.key"
# What the database's owner attacking the log runs first: the append-only triggers go.
drop_triggers="DROP TRIGGER IF EXISTS access_log_no_update; DROP TRIGGER IF EXISTS access_log_no_delete;
  DROP TRIGGER IF EXISTS access_log_checkpoints_no_update; DROP TRIGGER IF EXISTS access_log_checkpoints_no_delete;"
run_all sqlite "sqlite://$tmp/custodian.db" "$tmp/agency.key" sqlite3 "$tmp/custodian.db" --
if [ -n "${CUSTODIAN_TEST_PG_URL:-}" ]; then
  pg_create_db cli_governance_test
  drop_triggers="DROP TRIGGER IF EXISTS access_log_append_only ON access_log;
    DROP TRIGGER IF EXISTS access_log_checkpoints_append_only ON access_log_checkpoints;"
  run_all pg "postgresql:///cli_governance_test?host=$pg_sock" "$tmp/pg-agency.key" \
    psql -q -t -A -h "$pg_sock" -d cli_governance_test -v ON_ERROR_STOP=1 -c -- --images "$tmp/images"
  dropdb -h "$pg_sock" cli_governance_test
fi
exit $((fails > 0))
