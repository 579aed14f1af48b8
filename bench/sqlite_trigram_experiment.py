#!/usr/bin/python3
"""Sizes a possible change to the SQLite store (issue 3): the cost of indexing a NEW plate for
wildcard search with our B-tree trigram table (plate_grams, plus plates_by_rev for suffixes;
what migrations/sqlite/0002 and 0006 build) against SQLite's FTS5 trigram tokenizer.

Standalone (Python's sqlite3 module on Debian's libsqlite3, WAL, synchronous=FULL), random
7-character plates, 500 new plates a transaction; "none" is the plates table with its
confusion-key index alone. Not part of make bench; figures in bench/RESULTS.md.

  /usr/bin/python3 bench/sqlite_trigram_experiment.py [PLATES]     (default 300000)
"""
import os
import random
import sqlite3
import string
import sys
import time


def run(kind, plates, folder):
    path = os.path.join(folder, f"trigram_{kind}.db")
    for s in ("", "-wal", "-shm"):
        if os.path.exists(path + s):
            os.remove(path + s)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE plates (plate TEXT PRIMARY KEY, plate_rev TEXT, confusion_key TEXT) WITHOUT ROWID")
    db.execute("CREATE INDEX plates_by_confusion ON plates (confusion_key)")
    if kind == "btree":
        db.execute("CREATE INDEX plates_by_rev ON plates (plate_rev)")
        db.execute("CREATE TABLE plate_grams (gram TEXT NOT NULL, plate TEXT NOT NULL, PRIMARY KEY (gram, plate)) "
                   "WITHOUT ROWID")
    elif kind == "fts5":
        db.execute("CREATE VIRTUAL TABLE plate_fts USING fts5(plate, tokenize='trigram', detail='none')")
    t = time.perf_counter()
    for i in range(0, len(plates), 500):
        db.execute("BEGIN")
        for p in plates[i:i + 500]:
            db.execute("INSERT INTO plates VALUES (?, ?, ?)", (p, p[::-1], p.replace("O", "0")))
            if kind == "btree":
                db.executemany("INSERT OR IGNORE INTO plate_grams VALUES (?, ?)", [(p[j:j + 3], p) for j in range(len(p) - 2)])
            elif kind == "fts5":
                db.execute("INSERT INTO plate_fts (plate) VALUES (?)", (p,))
        db.execute("COMMIT")
    dt = time.perf_counter() - t
    pattern = plates[123][:4] + "%"  # four known characters
    hits = 0
    t = time.perf_counter()
    for _ in range(50):
        if kind == "btree":
            hits = db.execute("SELECT count(*) FROM plates WHERE plate IN (SELECT plate FROM plate_grams WHERE gram = ?) "
                              "AND plate LIKE ?", (pattern[:3], pattern)).fetchone()[0]
        elif kind == "fts5":
            hits = db.execute("SELECT count(*) FROM plate_fts WHERE plate LIKE ?", (pattern,)).fetchone()[0]
    query_ms = (time.perf_counter() - t) / 50 * 1000
    print(f"{kind}: {len(plates)} plates, {len(plates) / dt:,.0f} plates/s ({dt / len(plates) * 1e6:.1f} us each), "
          f"prefix query {query_ms:.2f} ms ({hits} hits), file {os.path.getsize(path) / 1e6:.0f} MB", flush=True)
    db.close()
    for s in ("", "-wal", "-shm"):
        if os.path.exists(path + s):
            os.remove(path + s)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300000
    random.seed(1)
    plates = list({"".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(7)) for _ in range(n)})
    folder = os.environ.get("TMPDIR", "/tmp")
    for kind in ("none", "btree", "fts5"):
        run(kind, plates, folder)


if __name__ == "__main__":
    main()
