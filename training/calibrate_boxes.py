#!/usr/bin/python3
"""Fits the detector's box calibration (models/detector.json) on the TRAINING split.

The detector marks plate cells at stride 4; the rectangle of a component (grown one cell a
side, as the engine does) is coarse and, for small plates, too large. This fits
plate_size = a * rect_size + b (in cells, long and short side separately) by least squares
over the training split's benchmark scenes, and reports the size ratios on the validation split before and
after. The same is fitted for the engine's second look (a 256x128 window around each plate,
scaled so the plate is about 96 px wide, through the same detector). The engine
(src/vision/engine.cc) applies both fits.

  /usr/bin/python3 training/calibrate_boxes.py [--model models/detector.json]
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import train_detector as td  # noqa: E402


def rects(net, bgr):
    blob, scale = td.letterbox(bgr)
    net.setInput(blob, "image")
    mask = net.forward("mask")[0, 0]
    out = []
    for ((cx, cy), (rw, rh), _), _ in td.mask_rects(mask):
        cxp, cyp = (cx + 0.5) * 4 / scale, (cy + 0.5) * 4 / scale
        out.append(((cxp, cyp), max(rw, rh), min(rw, rh), scale))
    return out


FINE_W, FINE_H, FINE_PLATE_PX = 256, 128, 96.0  # the engine's second-look window (engine.cc kFineW/kFineH)


def second_look(net, bgr, centre, plate_w):
    """The engine's second look: (long, short) in cells of the component nearest the window centre, and the scale."""
    s = FINE_PLATE_PX / max(plate_w, 8.0)
    m = np.float32([[s, 0, FINE_W / 2 - s * centre[0]], [0, s, FINE_H / 2 - s * centre[1]]])
    win = cv2.warpAffine(bgr, m, (FINE_W, FINE_H), flags=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT)
    net.setInput(cv2.dnn.blobFromImage(win, 1 / 255.0))
    mask = net.forward()[0, 0]
    best = None
    for ((cx, cy), (rw, rh), _), _ in td.mask_rects(mask):
        d = (cx + 0.5 - FINE_W / 8) ** 2 + (cy + 0.5 - FINE_H / 8) ** 2
        if best is None or d < best[0]:
            best = (d, max(rw, rh), min(rw, rh))
    return None if best is None else (best[1], best[2], s)


def pairs(net, items, first_fit=None):
    """(rect long, rect short, truth long, truth short) in cells for matched plates."""
    rows = []
    for path, boxes in items:
        bgr = cv2.imread(path)
        if bgr is None:
            continue
        for (c, rl, rs, scale) in rects(net, bgr):
            for (x, y, w, h) in boxes:
                if not (x <= c[0] <= x + w and y <= c[1] <= y + h):
                    continue
                if first_fit is None:
                    rows.append((rl, rs, max(w, h) * scale / 4, min(w, h) * scale / 4))
                    continue
                (aw, bw) = first_fit
                fine = second_look(net, bgr, c, (aw * rl + bw) * 4 / scale)
                if fine is not None:
                    fl, fs, s = fine
                    rows.append((fl, fs, max(w, h) * s / 4, min(w, h) * s / 4))
    return np.array(rows, np.float64)


def scenes(validation):
    items = []
    for region in ("us", "eu", "br"):
        for path, box, _ in common.endtoend(region):
            if common.is_validation(path) == validation:
                items.append((path, [box]))
    if False:  # plates-us-eu-yolo boxes are looser than the benchmark's; they would skew the fit
        for split in ("train", "valid", "test"):
            for path, boxes in common.yolo_boxes(split):
                if common.is_validation(common.yolo_group(path)):
                    continue
                im = cv2.imread(path)
                if im is None:
                    continue
                H, W = im.shape[:2]
                items.append((path, [((cx - w / 2) * W, (cy - h / 2) * H, w * W, h * H) for cx, cy, w, h in boxes]))
    return items


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detector", default=os.path.join(common.REPO, "models", "detector.onnx"))
    ap.add_argument("--out", default=os.path.join(common.REPO, "models", "detector.json"))
    args = ap.parse_args()
    common.require_data()
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(args.detector)
    train = pairs(net, scenes(False))
    def fit(r, t):
        # Least squares on relative error, then rescaled so the median ratio is exactly 1.
        a, b = np.polyfit(r, t, 1, w=1.0 / t)
        k = 1.0 / np.median((a * r + b) / t)
        return a * k, b * k
    aw, bw = fit(train[:, 0], train[:, 2])
    ah, bh = fit(train[:, 1], train[:, 3])
    val = pairs(net, scenes(True))
    before = np.median(val[:, 0] / val[:, 2]), np.median(val[:, 1] / val[:, 3])
    after = (np.median((aw * val[:, 0] + bw) / val[:, 2]), np.median((ah * val[:, 1] + bh) / val[:, 3]))
    fine_train = pairs(net, scenes(False), first_fit=(aw, bw))
    faw, fbw = fit(fine_train[:, 0], fine_train[:, 2])
    fah, fbh = fit(fine_train[:, 1], fine_train[:, 3])
    fine_val = pairs(net, scenes(True), first_fit=(aw, bw))
    fine_after = (np.median((faw * fine_val[:, 0] + fbw) / fine_val[:, 2]),
                  np.median((fah * fine_val[:, 1] + fbh) / fine_val[:, 3]))
    spread = lambda r: [round(float(v), 3) for v in np.percentile(r, [10, 90])]  # noqa: E731
    fit = {"_comment": "written by training/calibrate_boxes.py: plate size (cells) = a * mask rect size + b",
           "width_fit": [round(float(aw), 4), round(float(bw), 4)],
           "height_fit": [round(float(ah), 4), round(float(bh), 4)],
           "fitted_on": f"{len(train)} training-split plates",
           "validation_size_ratio_before": [round(float(v), 3) for v in before],
           "validation_size_ratio_after": [round(float(v), 3) for v in after],
           "validation_width_ratio_p10_p90": spread((aw * val[:, 0] + bw) / val[:, 2]),
           "fine_plate_px": FINE_PLATE_PX,
           "fine_width_fit": [round(float(faw), 4), round(float(fbw), 4)],
           "fine_height_fit": [round(float(fah), 4), round(float(fbh), 4)],
           "fine_validation_size_ratio": [round(float(v), 3) for v in fine_after],
           "fine_validation_width_ratio_p10_p90": spread((faw * fine_val[:, 0] + fbw) / fine_val[:, 2])}
    with open(args.out, "w") as f:
        json.dump(fit, f, indent=2)
        f.write("\n")
    print(json.dumps(fit, indent=2))


if __name__ == "__main__":
    main()
