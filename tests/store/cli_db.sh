#!/usr/bin/env bash
# custodian db as an operator runs it: migrate creates and upgrades, a second migrate is a
# no-op, status reports, bad URLs give one clear line and a non-zero status.
# Needs CUSTODIAN (the binary). With CUSTODIAN_TEST_PG_URL set, checks PostgreSQL too
# (failing when CI=true and the cluster is down, else skipping).
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
db="sqlite://$tmp/custodian.db"
check status-missing 1 "no SQLite database" -- "$CUSTODIAN" db status --db "$db"
check migrate-fresh 0 "migrated from schema version 0 to [1-9]" -- "$CUSTODIAN" db migrate --db "$db"
check migrate-again 0 "already at schema version" -- "$CUSTODIAN" db migrate --db "$db"
check status-current 0 "\(current\)" -- env CUSTODIAN_DB="$db" "$CUSTODIAN" db status
mode=$(stat -c %a "$tmp/custodian.db")
[ "$mode" = 600 ] && echo "ok   db-file-mode" || { echo "FAIL db-file-mode: $mode"; fails=$((fails + 1)); }
check unknown-scheme 1 "unknown store URL scheme" -- "$CUSTODIAN" db migrate --db "mysql://x"
check relative-path 1 "absolute path" -- "$CUSTODIAN" db migrate --db "sqlite://rel.db"
check no-db 2 "give --db URL or set CUSTODIAN_DB" -- env -u CUSTODIAN_DB "$CUSTODIAN" db migrate
check pg-down 1 "^custodian db migrate: unavailable: postgresql: cannot connect" -- \
  "$CUSTODIAN" db migrate --db "postgresql:///nope?host=$tmp/nosock"
if [ -n "${CUSTODIAN_TEST_PG_URL:-}" ]; then
  pg_create_db cli_db_test
  pg="postgresql:///cli_db_test?host=$pg_sock"
  check pg-migrate 0 "postgresql database migrated from schema version 0" -- "$CUSTODIAN" db migrate --db "$pg"
  check pg-migrate-again 0 "already at schema version" -- "$CUSTODIAN" db migrate --db "$pg"
  check pg-status 0 "\(current\)" -- "$CUSTODIAN" db status --db "$pg"
  # The server's own role (issue 23, finding 2): the owner grants it; the owner's URL is
  # refused by serve; the role's URL is confined.
  check pg-owner-unconfined 0 "not confined: it is a superuser" -- "$CUSTODIAN" db status --db "$pg"
  check pg-serve-refuses-owner 1 "could alter the schema or rewrite the access log" -- \
    "$CUSTODIAN" serve --db "$pg" --data-dir "$tmp/serve" --listen 127.0.0.1:0
  check pg-grant-unknown-role 1 "no database role 'nobody_here'" -- \
    "$CUSTODIAN" db migrate --db "$pg" --server-role nobody_here
  check pg-grant-bad-name 1 "lower-case letters" -- "$CUSTODIAN" db migrate --db "$pg" --server-role "x; drop"
  check pg-grant 0 "role custodian_server may now run custodian serve" -- \
    "$CUSTODIAN" db migrate --db "$pg" --server-role custodian_server
  check pg-server-confined 0 "connected as role custodian_server: confined" -- \
    "$CUSTODIAN" db status --db "$pg&user=custodian_server"
  check pg-server-cannot-grant 1 "for the schema.s owner" -- \
    "$CUSTODIAN" db migrate --db "$pg&user=custodian_server" --server-role custodian_server
  dropdb -h "$pg_sock" cli_db_test
fi
exit $((fails > 0))
