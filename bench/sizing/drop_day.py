# Sizing for a per-day table layout on SQLite (session 10, bench/RESULTS.md): builds DAYS days
# of N reads-like rows (the reads columns and five of Custodian's indexes, random plates with
# repeat vehicles) either in one table per day (`perday`) or in one table (`single`, today's
# layout), then purges the oldest day: DROP TABLE of its day table (`drop`, perday only) or
# DELETE by id in transactions of BATCH rows. WAL, synchronous=FULL, secure_delete=ON and a
# checkpoint every 4096 pages, as Custodian's driver. Debian's /usr/bin/python3 (sqlite3 module
# on the system libsqlite3).
# Usage: /usr/bin/python3 bench/sizing/drop_day.py FILE perday|single drop|BATCH [N [DAYS]]
import os, random, sqlite3, sys, time
path = sys.argv[1]; layout = sys.argv[2]; mode = sys.argv[3]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 333340
ndays = int(sys.argv[5]) if len(sys.argv) > 5 else 3
assert layout in ("perday", "single") and (mode != "drop" or layout == "perday")
for suf in ("", "-wal", "-shm"):
    try: os.remove(path + suf)
    except FileNotFoundError: pass
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL"); db.execute("PRAGMA secure_delete=ON")
db.execute("PRAGMA cache_size=-524288"); db.execute("PRAGMA wal_autocheckpoint=4096")
rng = random.Random(1)
plates = ["%d%s%03d" % (rng.randrange(10), "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3)), rng.randrange(1000)) for _ in range(200000)]
cams = ["cam-%03d" % i for i in range(300)]
def make(day):
    t = "reads_d%d" % day
    db.execute(f"""CREATE TABLE {t} (id INTEGER PRIMARY KEY, event_id TEXT, camera_id TEXT NOT NULL, captured_ms INTEGER NOT NULL,
      ingested_ms INTEGER NOT NULL, plate_raw TEXT NOT NULL, plate TEXT NOT NULL, plate_rev TEXT NOT NULL, confusion_key TEXT NOT NULL,
      confidence REAL NOT NULL, candidates TEXT NOT NULL, country TEXT NOT NULL, region TEXT NOT NULL, box_x INTEGER, box_y INTEGER,
      box_w INTEGER, box_h INTEGER, lat REAL, lon REAL, data_class INTEGER NOT NULL, crop_sha TEXT, frame_sha TEXT)""")
    for ix, cols in (("plate", "plate, captured_ms"), ("time", "captured_ms"), ("camera", "camera_id, captured_ms"), ("class", "data_class, captured_ms")):
        db.execute(f"CREATE INDEX {t}_by_{ix} ON {t} ({cols})")
    db.execute(f"CREATE UNIQUE INDEX {t}_by_event ON {t} (event_id)")
    return t
days = [make(d) for d in range(ndays)] if layout == "perday" else [make(0)] * ndays
t0 = time.time()
for d, t in enumerate(days):
    base = 1700000000000 + d * 86400000
    for b in range(0, n, 1000):
        db.execute("BEGIN")
        rows = []
        for i in range(b, min(n, b + 1000)):
            p = plates[min(int(rng.paretovariate(1.1)) - 1, len(plates) - 1) if rng.random() < 0.5 else rng.randrange(len(plates))]
            ms = base + i * 259
            rows.append(("b%d-%d" % (d, i), rng.choice(cams), ms, ms + 5, p, p, p[::-1], p, 0.9, '[{"plate":"%s","confidence":0.9}]' % p,
                         "us", "CA", 10, 20, 120, 40, 37.1, -122.1, rng.randrange(2)))
        db.executemany(f"INSERT INTO {t} (event_id, camera_id, captured_ms, ingested_ms, plate_raw, plate, plate_rev, confusion_key, confidence, candidates, country, region, box_x, box_y, box_w, box_h, lat, lon, data_class) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.execute("COMMIT")
print("%s: built %d rows in %.1f s; file %.0f MB" % (layout, ndays * n, time.time() - t0, os.path.getsize(path) / 1e6), flush=True)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
# Exact-plate search, newest 51 reads (a page and one more): per day table one bounded walk of
# its plate index, all merged in one statement; in the single table one walk.
sample = [plates[min(int(rng.paretovariate(1.1)) - 1, len(plates) - 1) if rng.random() < 0.5 else rng.randrange(len(plates))]
          for _ in range(300)]
# Per day, either whole rows in every arm (`rows`) or, first, only (time, id, day) from each
# plate index, which covers them (`keys`), then the 51 newest rows fetched by id.
shapes = {}
if layout == "perday":
    arms = " UNION ALL ".join(f"SELECT * FROM (SELECT * FROM {t} WHERE plate = ?1 ORDER BY captured_ms DESC LIMIT 51)"
                              for t in reversed(days))
    shapes["rows"] = f"SELECT * FROM ({arms}) ORDER BY captured_ms DESC LIMIT 51"
    arms = " UNION ALL ".join(f"SELECT * FROM (SELECT captured_ms, id, {d} AS day FROM {t} WHERE plate = ?1 "
                              f"ORDER BY captured_ms DESC LIMIT 51)" for d, t in reversed(list(enumerate(days))))
    shapes["keys"] = f"SELECT * FROM ({arms}) ORDER BY captured_ms DESC LIMIT 51"
else:
    shapes["rows"] = "SELECT * FROM reads_d0 WHERE plate = ?1 ORDER BY captured_ms DESC LIMIT 51"
for shape, sql in shapes.items():
    ms = []
    for p in sample:
        q0 = time.perf_counter()
        found = db.execute(sql, (p,)).fetchall()
        if shape == "keys":
            found = [db.execute(f"SELECT * FROM {days[d]} WHERE id = ?", (i,)).fetchone() for _, i, d in found]
        ms.append((time.perf_counter() - q0) * 1000)
    ms.sort()
    print("exact (%s): median %.2f ms, p99 %.2f ms (%d days)" % (shape, ms[len(ms) // 2], ms[int(len(ms) * 0.99)], ndays), flush=True)
pages_before = db.execute("PRAGMA freelist_count").fetchone()[0]
t0 = time.time()
if mode == "drop":
    db.execute("BEGIN"); db.execute("DROP TABLE reads_d0"); db.execute("COMMIT")
else:
    batch = int(mode)
    while True:
        db.execute("BEGIN")
        ids = [r[0] for r in db.execute("SELECT id FROM reads_d0 WHERE captured_ms < ? ORDER BY id LIMIT ?",
                                        (1700000000000 + 86400000, batch))]
        if not ids: db.execute("COMMIT"); break
        db.execute("DELETE FROM reads_d0 WHERE id BETWEEN ? AND ?", (ids[0], ids[-1]))
        db.execute("COMMIT")
t1 = time.time()
db.execute("PRAGMA wal_checkpoint(PASSIVE)")
t2 = time.time()
print("%s: purge %.2f s, then checkpoint %.2f s; freelist pages %d -> %d" % (mode, t1 - t0, t2 - t1, pages_before, db.execute("PRAGMA freelist_count").fetchone()[0]))
