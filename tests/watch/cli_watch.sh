#!/usr/bin/env bash
# custodian watch as an operator runs it on the sample images (a folder source): --print
# gives one JSON line per pass; with --camera and --db the reads go through the outbox into
# the store; when the store refuses them (here: the camera is not registered yet) they wait
# in the outbox, the run says so and fails, and the next run delivers them, each once.
# Bad input gets one clear line. Needs CUSTODIAN (the binary).
bin=${CUSTODIAN:?}
source "$(dirname "${BASH_SOURCE[0]}")/../store/cli_lib.sh"  # $tmp, $fails, check()
db="sqlite://$tmp/c.db"
reads() { sqlite3 "$tmp/c.db" "SELECT COUNT(*) FROM reads"; }
check migrate 0 "migrated" -- "$bin" db migrate --db "$db"
check first-camera 0 "" -- "$bin" ingest --db "$db" --camera cam1:CITYPD </dev/null  # and the image key
check print 0 '"plate":"7VTR735".*"frames":1' -- "$bin" watch --source samples --print --min-frames 1
check print-summary 0 "^watch: 10 frames, 10 analysed, 0 unreadable, 10 reads" -- \
  "$bin" watch --source samples --print --min-frames 1
check no-destination 1 "say where reads go" -- "$bin" watch --source samples
check no-source 1 "no such file or folder" -- "$bin" watch --source "$tmp/none.mp4" --print
printf 'not a video' >"$tmp/junk.mp4"
check junk-source 1 "cannot open .*junk.mp4 as video" -- "$bin" watch --source "$tmp/junk.mp4" --print
check store-refuses 1 "10 reads wait in the outbox" -- \
  "$bin" watch --source samples --camera cam9 --db "$db" --outbox "$tmp/outbox.db" --min-frames 1
[ "$(reads)" = 0 ] || { echo "FAIL nothing stored while the store refuses: $(reads)"; fails=$((fails + 1)); }
check camera 0 "" -- "$bin" ingest --db "$db" --camera cam9:CITYPD </dev/null
mkdir "$tmp/empty"
check delivered-next-run 0 "0 frames" -- \
  "$bin" watch --source "$tmp/empty" --camera cam9 --db "$db" --outbox "$tmp/outbox.db"
[ "$(reads)" = 10 ] || { echo "FAIL the waiting reads stored once each: $(reads)"; fails=$((fails + 1)); }
check again-nothing-waits 0 "0 frames" -- \
  "$bin" watch --source "$tmp/empty" --camera cam9 --db "$db" --outbox "$tmp/outbox.db"
[ "$(reads)" = 10 ] || { echo "FAIL no read stored twice: $(reads)"; fails=$((fails + 1)); }
crops=$(sqlite3 "$tmp/c.db" "SELECT COUNT(*) FROM reads WHERE crop_sha IS NOT NULL AND frame_sha IS NOT NULL")
[ "$crops" = 10 ] || { echo "FAIL every read has its crop and frame: $crops"; fails=$((fails + 1)); }
check server-needs-key 1 "needs the camera's API key" -- env -u CUSTODIAN_CAMERA_KEY \
  "$bin" watch --source "$tmp/empty" --camera cam9 --server https://localhost:1 --outbox "$tmp/o2.db"
# A config file: two cameras, one thread each, into the store; a camera whose source is
# broken gets one line and the other still delivers.
mkdir "$tmp/a" "$tmp/b"
for i in 0 1 2; do
  cp samples/sample_00_us_ca.jpg "$tmp/a/f$i.jpg"
  cp samples/sample_03_us_generic.jpg "$tmp/b/f$i.jpg"
done
printf '{"db": "%s", "outbox_dir": "%s", "cameras": [{"id": "cam1", "source": "%s"}, {"id": "cam9", "source": "%s"}]}' \
  "$db" "$tmp/ob" "$tmp/a" "$tmp/b" >"$tmp/watch.json"
check config-two-cameras 0 "camera cam9: 3 frames, 3 analysed, 0 unreadable, 1 reads" -- "$bin" watch --config "$tmp/watch.json" --print
[ "$(reads)" = 12 ] || { echo "FAIL one read per camera's pass: $(reads)"; fails=$((fails + 1)); }
cp -r "$tmp/a" "$tmp/a2" && touch -d '2026-02-01 10:00:00' "$tmp"/a2/*.jpg  # another pass of cam1
printf '{"db": "%s", "outbox_dir": "%s", "cameras": [{"id": "cam1", "source": "%s"}, {"id": "bad", "source": "%s"}]}' \
  "$db" "$tmp/ob" "$tmp/a2" "$tmp/none" >"$tmp/broken.json"
check config-broken-source 1 "camera bad: not_found: no such file or folder" -- "$bin" watch --config "$tmp/broken.json"
[ "$(reads)" = 13 ] || { echo "FAIL the good camera still delivered: $(reads)"; fails=$((fails + 1)); }
printf '{"db": "%s", "cameras": [{"id": "x"}]}' "$db" >"$tmp/bad.json"
check config-error 1 "bad.json: cameras\[0\].source: is required" -- "$bin" watch --config "$tmp/bad.json"
# A folder read again gives the same event ids (its times come from the files), so a second
# run stores nothing new; and a run killed at any point, then run again, stores each pass
# once: before the kill it was not queued, queued but not delivered, or delivered.
for d in c k; do
  mkdir "$tmp/$d"
  for i in 0 1 2; do cp samples/sample_00_us_ca.jpg "$tmp/$d/f$i.jpg"; done
done
touch -d '2026-03-01 10:00:00' "$tmp"/c/*.jpg
touch -d '2026-03-02 10:00:00' "$tmp"/k/*.jpg
before=$(reads)
check run-once 0 "1 reads" -- "$bin" watch --source "$tmp/c" --camera cam1 --db "$db" --outbox "$tmp/o3.db"
check run-again 0 "1 reads" -- "$bin" watch --source "$tmp/c" --camera cam1 --db "$db" --outbox "$tmp/o3.db"
[ "$(reads)" = $((before + 1)) ] || { echo "FAIL a folder read twice is stored once: $(reads) (was $before)"; fails=$((fails + 1)); }
timeout -s KILL 0.5 "$bin" watch --source "$tmp/k" --camera cam1 --db "$db" --outbox "$tmp/o4.db" >/dev/null 2>&1
check after-kill 0 "1 reads" -- "$bin" watch --source "$tmp/k" --camera cam1 --db "$db" --outbox "$tmp/o4.db"
[ "$(reads)" = $((before + 2)) ] || { echo "FAIL a killed run then a new one store the pass once: $(reads)"; fails=$((fails + 1)); }
[ "$fails" = 0 ] && echo "cli_watch: all passed"
exit $((fails > 0))
