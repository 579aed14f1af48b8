#!/usr/bin/python3
"""Writes the project's own sample scenes (samples/): synthetic plates from training/synth.py
composited onto procedurally drawn street-like backgrounds. No real data is used, so the
files may be committed. Each image gets a NAME.txt label in the benchmark format.

  /usr/bin/python3 training/make_samples.py --out samples --n 8
"""
import argparse
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402


def background(rng, w, h):
    """A road, a sky, and a car-like body with a bumper where the plate goes."""
    img = np.zeros((h, w, 3), np.uint8)
    sky = rng.integers(120, 220, 3)
    road = rng.integers(50, 110)
    horizon = int(h * rng.uniform(0.25, 0.45))
    for y in range(h):
        c = sky * (1 - y / h * 0.5) if y < horizon else np.full(3, road + (y - horizon) * 0.05)
        img[y] = np.clip(c, 0, 255)
    car = rng.integers(20, 230, 3).tolist()
    cx, cy = int(w * rng.uniform(0.35, 0.65)), int(h * rng.uniform(0.5, 0.65))
    bw, bh = int(w * rng.uniform(0.3, 0.45)), int(h * rng.uniform(0.3, 0.4))
    cv2.rectangle(img, (cx - bw // 2, cy - bh // 2), (cx + bw // 2, cy + bh // 2), car, -1)
    cv2.rectangle(img, (cx - bw // 2 + 10, cy - bh // 2 + 10), (cx + bw // 2 - 10, cy - bh // 8),
                  (40, 40, 40), -1)  # rear window
    for sx in (-1, 1):  # lights
        cv2.rectangle(img, (cx + sx * bw // 2 - (30 if sx > 0 else -30), cy), (cx + sx * (bw // 2 - 5), cy + 20),
                      (30, 30, 200), -1)
    noise = rng.normal(0, 6, img.shape)
    img = np.clip(img + noise, 0, 255).astype(np.uint8)
    return img, (cx, cy + bh // 4)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="samples")
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    styles = ["us_ca", "eu_de", "br_old", "us_generic", "eu_fr", "br_mercosul", "us_dark", "eu_nl", "us_yellow", "eu_it"]
    for i in range(args.n):
        w, h = (1280, 720) if i % 2 == 0 else (960, 720)
        scene, (px, py) = background(rng, w, h)
        style = styles[i % len(styles)]
        plate, text, quad = synth.render_plate(rng, style)
        target = rng.uniform(110, 180)
        # Paste where the bumper is: composite picks a random spot, so shift the scene
        # window instead by compositing into a crop around the bumper.
        x0, y0 = max(0, px - 200), max(0, py - 100)
        region = scene[y0:y0 + 200, x0:x0 + 400].copy()
        region, q = synth.composite(rng, region, plate, quad, target)
        scene[y0:y0 + region.shape[0], x0:x0 + region.shape[1]] = region
        q = q + np.float32([x0, y0])
        x, y = q[:, 0].min(), q[:, 1].min()
        bw, bh = q[:, 0].max() - x, q[:, 1].max() - y
        name = f"sample_{i:02d}_{style}"
        cv2.imwrite(os.path.join(args.out, name + ".jpg"), scene, [cv2.IMWRITE_JPEG_QUALITY, 88])
        with open(os.path.join(args.out, name + ".txt"), "w") as f:
            f.write(f"{name}.jpg\t{int(x)}\t{int(y)}\t{int(bw)}\t{int(bh)}\t{text}\n")
        print(name, text)


if __name__ == "__main__":
    main()
