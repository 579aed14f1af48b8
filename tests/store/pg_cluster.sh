#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the pg-labelled tests (a CTest fixture).
#   pg_cluster.sh start DIR   initdb under DIR, postgres on a Unix socket in DIR/sock (no
#                             TCP), database custodian_test, superuser = the calling user
#   pg_cluster.sh stop DIR    stops it and deletes DIR
# As root, initdb and postgres run as the unprivileged "postgres" user. If the cluster
# cannot start, this fails when CI=true; otherwise it warns and the pg tests skip.
set -u
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg_cluster.sh start|stop DIR" >&2; exit 2; }
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# Where the cluster really lives: DIR itself, or (when the server's user cannot reach DIR,
# e.g. a checkout under /root) a private folder under /tmp, with DIR/sock a link to its
# socket folder so clients still connect through DIR/sock.
real=$dir
[ -f "$dir/real_dir" ] && real=$(cat "$dir/real_dir")
data=$real/data
sock=$real/sock
log=$real/postgres.log

fail() {
  echo "pg_cluster: $*" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  echo "pg_cluster: CI is not set, so the PostgreSQL tests will skip" >&2
  exit 0
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_cluster() {
  if [ -f "$data/postmaster.pid" ]; then
    as_owner "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 ||
      as_owner "$PGBIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
  fi
}

case $cmd in
  start)
    [ -x "$PGBIN/initdb" ] || fail "no $PGBIN/initdb; install Debian's postgresql-15"
    stop_cluster  # one left by an interrupted run
    [ "$real" != "$dir" ] && rm -rf "$real"
    rm -rf "$dir"
    real=$dir
    mkdir -p "$dir" || fail "cannot create $dir"
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || fail "no 'postgres' user to run the server as"
      chown postgres:postgres "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        real=$(mktemp -d /tmp/custodian-pg.XXXXXX) || fail "cannot create a folder under /tmp"
        chown postgres:postgres "$real"
        echo "$real" >"$dir/real_dir"
        ln -s "$real/sock" "$dir/sock"
      fi
    fi
    data=$real/data
    sock=$real/sock
    log=$real/postgres.log
    as_owner mkdir -p "$data" "$sock" || fail "cannot create $data"
    superuser=$(id -un)
    as_owner "$PGBIN/initdb" -D "$data" -U "$superuser" --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
      fail "initdb failed: $(tail -5 "$dir/initdb.log")"
    as_owner "$PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-k $sock -c listen_addresses= -c max_connections=40 -c shared_buffers=32MB" start >/dev/null ||
      fail "postgres did not start: $(tail -5 "$log" 2>/dev/null)"
    "$PGBIN/createdb" -h "$dir/sock" custodian_test || fail "createdb failed"
    # The role the tests' stores connect as (custodian db migrate --server-role grants it).
    "$PGBIN/psql" -h "$dir/sock" -d custodian_test -qc "CREATE ROLE custodian_server LOGIN" >/dev/null ||
      fail "cannot create role custodian_server"
    echo "pg_cluster: postgres running, socket in $dir/sock"
    ;;
  stop)
    stop_cluster
    [ "$real" != "$dir" ] && rm -rf "$real"
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg_cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
