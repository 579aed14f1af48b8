# Shared by the tests/store/cli_*.sh scripts; source it first:
#   source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"
# Gives $tmp (a scratch folder removed on exit), $fails and check(); end the script with
#   exit $((fails > 0))
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {  # check NAME EXPECTED_STATUS PATTERN -- command...
  local name=$1 want=$2 pattern=$3
  shift 4
  out=$("$@" 2>&1)
  got=$?
  if [ "$got" != "$want" ] || ! grep -qE "$pattern" <<<"$out"; then
    echo "FAIL $name: status $got (want $want), output: $out"
    fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}
# pg_create_db NAME: creates database NAME in the test cluster named by
# $CUSTODIAN_TEST_PG_URL and sets $pg_sock to its socket folder. When the cluster is
# down, exits the script: 1 under CI=true, else 77 (skipped; CTest SKIP_RETURN_CODE).
pg_create_db() {
  pg_sock=${CUSTODIAN_TEST_PG_URL#*host=}
  if ! createdb -h "$pg_sock" "$1"; then
    echo "the PostgreSQL test cluster is not running"
    [ "${CI:-}" = true ] && exit 1
    exit 77
  fi
}
