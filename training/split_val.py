#!/usr/bin/python3
"""Lays out the held-out validation split (common.is_validation) as folders that
`custodian eval` reads: symbolic links to ../shared/data files, nothing copied.

  /usr/bin/python3 training/split_val.py --out /tmp/custodian-val
  build/custodian eval /tmp/custodian-val/endtoend-us --country us

Folders: endtoend-{us,eu,br} (scenes + NAME.txt), plates-us (labels.csv), and also
all-endtoend-{us,eu,br} / all-plates-us with every development image (for reference only:
most of those were trained on).
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def link(src, dst):
    if not os.path.exists(dst):
        os.symlink(os.path.abspath(src), dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/custodian-val")
    args = ap.parse_args()
    common.require_data()
    shutil.rmtree(args.out, ignore_errors=True)
    counts = {}
    for region in ("us", "eu", "br"):
        for prefix, only_val in (("endtoend", True), ("all-endtoend", False)):
            d = os.path.join(args.out, f"{prefix}-{region}")
            os.makedirs(d)
            n = 0
            for img, _, _ in common.endtoend(region):
                if only_val and not common.is_validation(img):
                    continue
                stem = os.path.splitext(img)[0]
                link(img, os.path.join(d, os.path.basename(img)))
                link(stem + ".txt", os.path.join(d, os.path.basename(stem) + ".txt"))
                n += 1
            counts[os.path.basename(d)] = n
    for prefix, only_val in (("plates-us", True), ("all-plates-us", False)):
        d = os.path.join(args.out, prefix)
        os.makedirs(d)
        src = os.path.join(common.DATA, "openalpr-bench", "plates", "us")
        rows = ["image,region,plate"]
        for img, region, plate in common.crops_csv(src):
            if only_val and not common.is_validation(img):
                continue
            link(img, os.path.join(d, os.path.basename(img)))
            rows.append(f"{os.path.basename(img)},{region},{plate}")
        with open(os.path.join(d, "labels.csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        counts[prefix] = len(rows) - 1
    print(counts)


if __name__ == "__main__":
    main()
