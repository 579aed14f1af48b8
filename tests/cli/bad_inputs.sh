#!/usr/bin/env bash
# `custodian read` on bad inputs: one clear line per bad file, a non-zero exit, the good
# files still read, never a crash. Needs CUSTODIAN (the binary) and MAKE_FIXTURES.
set -u
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sample=samples/$(ls samples | grep -m1 '\.jpg$')
"$MAKE_FIXTURES" "$sample" "$dir" || { echo "FAIL: fixtures"; exit 1; }
fail=0
check() {  # check FILE EXPECTED_SUBSTRING
  if ! grep -q -- "$1: .*$2" "$dir/stderr"; then
    echo "FAIL: no '$2' error line for $1"; fail=1
  fi
}
"$CUSTODIAN" read "$sample" "$dir/gray.png" "$dir/deep16.png" "$dir/rgba.png" "$dir/missing.jpg" \
  "$dir/empty.jpg" "$dir/truncated.jpg" "$dir/notes.jpg" "$dir/tiny.png" "$dir/bomb.png" \
  >"$dir/stdout" 2>"$dir/stderr"
status=$?
cat "$dir/stderr"
[ $status -eq 1 ] || { echo "FAIL: exit status $status, expected 1"; fail=1; }
check missing.jpg "no such file"
check empty.jpg "empty file"
check truncated.jpg "truncated"
check notes.jpg "not a supported image"
check tiny.png "image too small: 1x1"
check bomb.png "image too large: 30000x30000"
n=$(grep -c . "$dir/stderr")
[ "$n" -eq 6 ] || { echo "FAIL: $n error lines, expected 6 (one per bad file)"; fail=1; }
for good in "$sample" gray.png deep16.png rgba.png; do
  grep -q "$(basename "$good"): [0-9]* plate" "$dir/stdout" || { echo "FAIL: $good was not read"; fail=1; }
done
# JSON mode: the same errors as objects, the good file as an OpenALPR-style result.
"$CUSTODIAN" read --json "$sample" "$dir/bomb.png" >"$dir/json" 2>/dev/null
grep -q '"results":\[' "$dir/json" || { echo "FAIL: no JSON result"; fail=1; }
grep -q '"error":{"code":"invalid_argument"' "$dir/json" || { echo "FAIL: no JSON error"; fail=1; }
# stdin
"$CUSTODIAN" read - <"$sample" >"$dir/stdin.out" 2>&1 || { echo "FAIL: stdin read"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: bad inputs handled"
exit $fail
