#!/usr/bin/python3
"""Writes the US states (the words on their plates, their serial formats) into the US
profile of models/plate_formats.json, where the engine reads them (`regions`).

The names and slogans and the standard formats below are written by hand from what the
states issue. To them are added the formats of the training split's US crop labels
(../shared/data/openalpr-bench/plates/us/labels.csv, whose `region` column is the state;
common.is_validation keeps the held-out quarter out), except all-letter ones (vanity
plates, which say nothing of where a state puts letters).

  /usr/bin/python3 training/us_regions.py            # rewrites models/plate_formats.json
"""
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

# code: (words printed on the plate, spaces dropped; standard formats, L letter, N digit)
STATES = {
    "ak": (["ALASKA", "NORTHTOTHEFUTURE"], ["LLLNNN"]),
    "al": (["ALABAMA", "HEARTOFDIXIE", "STARSFELLON"], ["NNLNNNL", "NLNNNNL", "NNLLNNN", "NLLNNNN", "NNNLNNN"]),
    "ar": (["ARKANSAS", "THENATURALSTATE"], ["NNNLLL", "LLLNNL", "LLLNNN"]),
    "az": (["ARIZONA", "GRANDCANYONSTATE"], ["LLLNNNN", "NNNLLL", "LLLNNN", "LNNNNN"]),
    "ca": (["CALIFORNIA", "DMVCAGOV"], ["NLLLNNN", "NLNNNNN", "NNLLNNN"]),
    "co": (["COLORADO"], ["NNNLLL", "LLLNNN", "LLLNNNN", "LLNNNN"]),
    "ct": (["CONNECTICUT", "CONSTITUTIONSTATE"], ["NNNLLL", "LLNNNNN", "NLLLLN", "LLNNNN"]),
    "dc": (["WASHINGTONDC", "DISTRICTOFCOLUMBIA", "TAXATIONWITHOUT"], ["LLNNNN", "NNNNNN"]),
    "de": (["DELAWARE", "THEFIRSTSTATE"], ["NNNNNN", "NNNNN", "NNNNNNN"]),
    "fl": (["FLORIDA", "MYFLORIDA", "SUNSHINESTATE", "INGODWETRUST"], ["NNNLLL", "LLLLNN", "LLLLNL", "NNNNLL", "LLLNNL"]),
    "ga": (["GEORGIA", "PEACHSTATE"], ["LLLNNNN", "LLLNNN", "NNNNLLL"]),
    "hi": (["HAWAII", "ALOHASTATE"], ["LLLNNN", "NNNLLL"]),
    "ia": (["IOWA"], ["NNNLLL", "LLLNNN", "NNNNLL"]),
    "id": (["IDAHO", "FAMOUSPOTATOES", "SCENICIDAHO"], ["NLNNNNN", "NLLNNNN", "NLNNNN", "NLNNLLL", "NNLNNNN"]),
    "il": (["ILLINOIS", "LANDOFLINCOLN"], ["LNNNNNN", "LLNNNNN", "NNNNNNN", "LLLNNNN"]),
    "in": (["INDIANA", "CROSSROADSOFAMERICA"], ["NNNLLL", "NNNL", "NNNLL", "NNNLLLL"]),
    "ks": (["KANSAS"], ["NNNLLL", "LLLNNN"]),
    "ky": (["KENTUCKY", "UNBRIDLEDSPIRIT"], ["NNNLLL", "LLLNNN"]),
    "la": (["LOUISIANA", "SPORTSMANSPARADISE"], ["LLLNNN", "NNNLLL", "LNNNNNN"]),
    "ma": (["MASSACHUSETTS", "THESPIRITOFAMERICA"], ["NNLLNN", "NLLNNN", "NNNLLL", "NLLLNN"]),
    "md": (["MARYLAND"], ["NLLNNNN", "NLLLNN", "LLLNNNN", "NLLNNN"]),
    "me": (["MAINE", "VACATIONLAND"], ["NNNNLL", "NNNLLL", "NNNNNLL"]),
    "mi": (["MICHIGAN", "PUREMICHIGAN", "GREATLAKES"], ["LLLNNNN", "NLLNNN", "LLLNNN", "NLLLNN"]),
    "mn": (["MINNESOTA", "10000LAKES", "EXPLOREMINNESOTA"], ["LLLNNN", "NNNLLL", "LLLNNNN"]),
    "mo": (["MISSOURI", "SHOWMESTATE"], ["LLNLNL", "LLNNLL", "NNNLLL", "LLLNNN"]),
    "ms": (["MISSISSIPPI", "BIRTHPLACEOFAMERICASMUSIC"], ["LLLNNN", "LLLNNNN", "NNNLLL"]),
    "mt": (["MONTANA", "BIGSKYCOUNTRY", "TREASURESTATE"], ["NNNNNNL", "NLNNNNL", "NNLNNNNL", "LLLNNN"]),
    "nc": (["NORTHCAROLINA", "FIRSTINFLIGHT", "FIRSTINFREEDOM"], ["LLLNNNN", "LLLNNN", "NNNLLL"]),
    "nd": (["NORTHDAKOTA", "PEACEGARDENSTATE", "LEGENDARY"], ["LLLNNN", "NNNLLL"]),
    "ne": (["NEBRASKA", "THEGOODLIFE", "CORNHUSKERSTATE"], ["LLLNNN", "NLNNNN", "NNLNNN", "NNLLNNN"]),
    "nh": (["NEWHAMPSHIRE", "LIVEFREEORDIE"], ["NNNNNNN", "NNNNNN", "LLLNNNN", "NNNLLLL"]),
    "nj": (["NEWJERSEY", "GARDENSTATE"], ["LLLNNL", "LNNLLL", "LLLNNNN", "LLNNNLL"]),
    "nm": (["NEWMEXICO", "LANDOFENCHANTMENT"], ["LLLNNN", "NNNLLL", "LLLNNNN"]),
    "nv": (["NEVADA", "SILVERSTATE", "HOMEMEANSNEVADA"], ["NNNLLL", "NNNLNN", "NNLNNN", "LLLNNN"]),
    "ny": (["NEWYORK", "EMPIRESTATE", "EXCELSIOR"], ["LLLNNNN", "LLLNNN", "NNNLLL"]),
    "oh": (["OHIO", "BIRTHPLACEOFAVIATION", "BEAUTIFULOHIO"], ["LLLNNNN", "LLNNNN", "LLLNNN"]),
    "ok": (["OKLAHOMA", "NATIVEAMERICA"], ["NNNLLL", "LLLNNN", "LLLNNNN"]),
    "or": (["OREGON", "PACIFICWONDERLAND"], ["NNNLLL", "LLLNNN", "NNNNN"]),
    "pa": (["PENNSYLVANIA", "VISITPA", "KEYSTONESTATE"], ["LLLNNNN", "LLLNNN"]),
    "ri": (["RHODEISLAND", "OCEANSTATE"], ["LLNNN", "NNNNNN", "NNNNN", "LLNNNN"]),
    "sc": (["SOUTHCAROLINA", "WHILEIBREATHEIHOPE", "TRAVEL2SC"], ["LLLNNN", "NNNLLL", "LLLNNNN"]),
    "sd": (["SOUTHDAKOTA", "GREATFACES", "GREATPLACES", "MOUNTRUSHMORE"], ["NLLNNN", "NNLNNN", "NLNNNN", "NNLLNNN"]),
    "tn": (["TENNESSEE", "TNVACATION", "VOLUNTEERSTATE"], ["NNNLLL", "LNNNNL", "LLLNNNN"]),
    "tx": (["TEXAS", "LONESTARSTATE"], ["LLNLNNN", "LLLNNNN", "NNNLLL", "LLLNNN"]),
    "ut": (["UTAH", "LIFEELEVATED", "GREATESTSNOWONEARTH"], ["LNNNLL", "NNNLLL", "LLLNNN", "NNNLNN"]),
    "vt": (["VERMONT", "GREENMOUNTAINSTATE"], ["LLLNNN", "NNNLNNN"]),
    "va": (["VIRGINIA", "VIRGINIAISFORLOVERS"], ["LLLNNNN", "LLLNNN", "NNNLLL"]),
    "wa": (["WASHINGTON", "EVERGREENSTATE"], ["LLLNNNN", "NNNLLL", "LLLNNN"]),
    "wi": (["WISCONSIN", "AMERICASDAIRYLAND"], ["LLLNNNN", "NNNLLL", "LLLNNN"]),
    "wv": (["WESTVIRGINIA", "WILDWONDERFUL", "ALMOSTHEAVEN"], ["NLLNNN", "NLNNNN", "LLLNNN"]),
    "wy": (["WYOMING"], ["NNNNN", "NNNNNN", "NNNNL", "NNNNNL", "NNNNLL"]),
}


def pattern(plate):
    return "".join("L" if c.isalpha() else "N" for c in plate)


def main():
    path = os.path.join(common.REPO, "models", "plate_formats.json")
    learned = collections.defaultdict(list)
    crops = os.path.join(common.DATA, "openalpr-bench", "plates", "us")
    if os.path.isdir(crops):
        import csv
        for row in csv.DictReader(open(os.path.join(crops, "labels.csv"))):
            if common.is_validation(row["image"]):
                continue
            p = pattern(row["plate"].upper())
            if set(p) == {"L"} or not row["plate"].isalnum():
                continue
            learned[row["region"].lower()].append(p)
    else:
        print(f"{crops} not found: hand-written formats only", flush=True)
    regions = []
    added = 0
    for code, (names, formats) in sorted(STATES.items()):
        fmts = list(formats)
        for p in sorted(set(learned.get(code, []))):
            if p not in fmts:
                fmts.append(p)
                added += 1
        regions.append({"code": code, "names": names, "formats": fmts})
    # The file is laid out by hand: only the US profile's "regions" block is (re)written,
    # one state a line, after its "formats".
    text = open(path).read()
    start = text.index('"name": "us"')
    old = re.compile(r',\n {6}"regions": \[\n.*?\n {6}\]', re.S)
    m = old.search(text, start)
    end_of_profile = text.index("\n    }", start)
    if m and m.start() < end_of_profile:
        text = text[:m.start()] + text[m.end():]
        end_of_profile = text.index("\n    }", start)
    block = ',\n      "regions": [\n' + ",\n".join("        " + json.dumps(r) for r in regions) + "\n      ]"
    text = text[:end_of_profile] + block + text[end_of_profile:]
    json.loads(text)  # still valid
    with open(path, "w") as f:
        f.write(text)
    print(f"{path}: {len(regions)} US regions, {added} formats added from the training split's labels")


if __name__ == "__main__":
    main()
