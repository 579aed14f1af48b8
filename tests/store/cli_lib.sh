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
# ---- Users (the CLI acts as a logged-in user; see apps/custodian/session.h) ----
# as USER CUSTODIAN-ARGS...: runs custodian as USER, whose session file is
# $tmp/$sess.session.USER (set $sess per database so runs do not share sessions).
sess=main
as() {
  local user=$1
  shift
  CUSTODIAN_SESSION="$tmp/$sess.session.$user" "$CUSTODIAN" "$@"
}
# The password each test user changes to.
new_password() { echo "Test-Passphrase-for-$1-42"; }
# first_login USER ONE-TIME-PASSWORD FLAGS...: logs USER in with the one-time password,
# enrols MFA (codes from oathtool) and changes the password, all in the one session.
first_login() {
  local user=$1 pw=$2
  shift 2
  local secret
  as "$user" login --user "$user" --password-stdin --accept-notice "$@" <<<"$pw" >/dev/null 2>&1 ||
    { echo "FAIL login $user"; fails=$((fails + 1)); return 1; }
  secret=$(as "$user" mfa enrol | sed -n 's/^secret: //p')
  as "$user" mfa confirm --code "$(oathtool --totp -b "$secret")" >/dev/null ||
    { echo "FAIL mfa $user"; fails=$((fails + 1)); return 1; }
  printf '%s\n%s\n' "$pw" "$(new_password "$user")" | as "$user" passwd >/dev/null ||
    { echo "FAIL passwd $user"; fails=$((fails + 1)); return 1; }
}
# setup_coordinators FLAGS...: bootstraps agency CITYPD with coordinator "coord", creates
# a second coordinator "coord2", and passes both through every gate (each approves the
# other's acknowledgment; coord records both trainings). Sets $coord_pw (one-time).
setup_coordinators() {
  local out pw2
  out=$("$CUSTODIAN" users bootstrap "$@" --agency CITYPD --agency-name "City Police" --user coord \
    --full-name "Casey Coordinator" 2>&1) || { echo "FAIL bootstrap: $out"; fails=$((fails + 1)); return 1; }
  coord_pw=$(sed -n 's/^one-time password: //p' <<<"$out")
  first_login coord "$coord_pw" "$@" || return 1
  pw2=$(as coord users create --user coord2 --full-name "Robin Second" --role coordinator --agency CITYPD \
    --supervisor coord | sed -n 's/^one-time password: //p')
  first_login coord2 "$pw2" "$@" || return 1
  as coord ack sign --name "Casey Coordinator" --accept-all >/dev/null
  as coord2 ack sign --name "Robin Second" --accept-all >/dev/null
  for as_role in supervisor coordinator; do
    as coord2 ack approve --user coord --as $as_role >/dev/null
    as coord ack approve --user coord2 --as $as_role >/dev/null
  done
  as coord training record --user coord --course "ALPR policy and system" --completed "$(date -u +%Y-%m-%d)" >/dev/null
  as coord training record --user coord2 --course "ALPR policy and system" --completed "$(date -u +%Y-%m-%d)" >/dev/null
}
# begin_run LABEL URL SIGNING-KEY FLAGS...: the start of every run over one database: the
# session folder is LABEL's, the database is migrated and the two coordinators set up.
begin_run() {
  sess=$1
  check "$1-migrate" 0 "migrated" -- "$CUSTODIAN" db migrate --db "$2"
  setup_coordinators --db "$2" --signing-key "$3" "${@:4}"
}
# add_user USER ROLE FULLNAME FLAGS...: coord creates USER, who logs in, enrols, changes the
# password and signs; coord approves as supervisor, coord2 as coordinator (one person may not
# give both while a second coordinator exists), and coord records the training.
add_user() {
  local user=$1 role=$2 name=$3 pw
  shift 3
  pw=$(as coord users create --user "$user" --full-name "$name" --role "$role" --agency CITYPD --supervisor coord |
    sed -n 's/^one-time password: //p')
  first_login "$user" "$pw" "$@" || return 1
  as "$user" ack sign --name "$name" --accept-all >/dev/null
  as coord ack approve --user "$user" --as supervisor >/dev/null
  as coord2 ack approve --user "$user" --as coordinator >/dev/null
  as coord training record --user "$user" --course "ALPR policy and system" --completed "$(date -u +%Y-%m-%d)" >/dev/null
}
