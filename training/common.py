"""Shared definitions for Custodian's training code.

Contracts with the C++ engine (src/vision) live here: the character set, the
model input sizes and normalisation, and the rule that splits the real data
into training and validation. Change them only together with the engine.
"""
import csv
import glob
import hashlib
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("CUSTODIAN_DATA", os.path.join(REPO, "..", "shared", "data"))

# OCR model contract: input "image" [N,1,OCR_H,OCR_W] float32 gray in 0..1,
# output "logits" [N, len(CHARSET)+1, 1, OCR_T] raw scores (softmax over dim 1
# gives per-timestep probabilities), class 0 = CTC blank, class i+1 = CHARSET[i].
CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OCR_H, OCR_W = 48, 160
OCR_T = OCR_W // 4

# Detector contract: input [1,3,H,W] float32 BGR in 0..1 (H, W multiples of 32;
# the engine uses DET_H x DET_W, letterboxed at the top-left, zero padding),
# output "mask" [1,1,H/4,W/4]: probability that the cell lies on a plate.
DET_H, DET_W = 384, 640
DET_STRIDE = 4


def have_data():
    return os.path.isdir(DATA)


def require_data():
    if not have_data():
        raise SystemExit(f"real data not found at {DATA} (set CUSTODIAN_DATA); skipping real-data steps")


def is_validation(name: str) -> bool:
    """Deterministic split: one file in four (by SHA-1 of its base name) is held out.

    Every training script uses this rule, so no validation image is ever trained on.
    """
    base = os.path.basename(name)
    return hashlib.sha1(base.encode()).digest()[0] % 4 == 0


def endtoend(region: str):
    """Yields (image_path, (x, y, w, h), plate) for an openalpr-bench endtoend set."""
    for txt in sorted(glob.glob(os.path.join(DATA, "openalpr-bench", "endtoend", region, "*.txt"))):
        with open(txt) as f:
            parts = f.read().strip().split("\t")
        img = os.path.join(os.path.dirname(txt), parts[0])
        x, y, w, h = (int(v) for v in parts[1:5])
        yield img, (x, y, w, h), parts[5].upper()


def crops_csv(folder: str, image_subdir: str = ""):
    """Yields (image_path, region, plate) for a crops folder with labels.csv.

    br-plate-crops keeps its images in images/ beside labels.csv (image_subdir="images").
    """
    with open(os.path.join(folder, "labels.csv")) as f:
        for row in csv.DictReader(f):
            yield os.path.join(folder, image_subdir, row["image"]), row["region"], row["plate"].upper()


def yolo_boxes(split: str):
    """Yields (image_path, [(x, y, w, h) in pixels]) of plates (class 0) in plates-us-eu-yolo."""
    import cv2
    for lab in sorted(glob.glob(os.path.join(DATA, "plates-us-eu-yolo", split, "labels", "*.txt"))):
        stem = os.path.splitext(os.path.basename(lab))[0]
        img = os.path.join(DATA, "plates-us-eu-yolo", split, "images", stem + ".jpg")
        if not os.path.exists(img):
            continue
        boxes = []
        with open(lab) as f:
            for line in f:
                p = line.split()
                if len(p) == 5 and p[0] == "0":
                    boxes.append(tuple(float(v) for v in p[1:]))
        yield img, boxes  # normalised cx, cy, w, h


def yolo_group(path: str) -> str:
    """Roboflow augments each source image ~3 times; the source id groups them for splitting."""
    return os.path.basename(path).split("_jpg")[0]
