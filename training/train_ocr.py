#!/usr/bin/python3
"""Trains Custodian's plate recognizer (a small conv network with CTC) and exports ONNX.

Data: real labelled crops from ../shared/data (US plate crops, Brazilian crops, plates
cut out of the benchmark scenes with jittered boxes, as the detector would cut them),
each training-split only (common.is_validation), mixed with synthetic plates from
training/synth.py when it is present.

  /usr/bin/python3 training/train_ocr.py --minutes 60            # train (resumable: --resume)
  /usr/bin/python3 training/train_ocr.py --eval-only              # figures of models/ocr.onnx

The ONNX contract (input/output shapes, charset) is in training/common.py.
"""
import argparse
import json
import os
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import CHARSET, OCR_H, OCR_W, OCR_T  # noqa: E402

try:
    import synth  # noqa: E402
except Exception as e:  # the generator is optional; real data alone still trains
    print(f"synthetic generator unavailable ({e}); training on real data only", flush=True)
    synth = None

RUN_DIR = os.path.join(common.REPO, "training", "runs", "ocr")


# ----------------------------------------------------------------------------- model
def conv_bn(cin, cout, k=3, s=1, p=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Recognizer(nn.Module):
    """48x160 gray -> 40 timesteps x 37 classes. About 0.4M parameters."""

    def __init__(self, width=1.0):
        super().__init__()
        c = [int(v * width) for v in (32, 64, 96, 96, 128, 128, 160)]
        self.features = nn.Sequential(
            conv_bn(1, c[0]), nn.MaxPool2d(2),                 # 24x80
            conv_bn(c[0], c[1]), nn.MaxPool2d(2),              # 12x40
            conv_bn(c[1], c[2]), conv_bn(c[2], c[3]),
            nn.MaxPool2d((2, 1)),                              # 6x40
            conv_bn(c[3], c[4]), conv_bn(c[4], c[5]),
            nn.MaxPool2d((2, 1)),                              # 3x40
            conv_bn(c[5], c[6], k=(3, 3), s=1, p=(0, 1)),      # 1x40
            conv_bn(c[6], c[6], k=(1, 5), s=1, p=(0, 2)),      # context across characters
        )
        self.drop = nn.Dropout(0.15)
        self.head = nn.Conv2d(c[6], len(CHARSET) + 1, 1)

    def forward(self, x):
        return self.head(self.drop(self.features(x)))       # [N, C, 1, T]


# ----------------------------------------------------------------------------- data
def load_bgr(path):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise RuntimeError(f"cannot read {path}")
    return img


def clean(text):
    return "".join(ch for ch in text.upper() if ch in CHARSET)


def collect(split_validation: bool):
    """Returns dict name -> list of (image, box, text) for the given side of the split."""
    sets = {}
    for region in ("us", "eu", "br"):
        items = []
        for path, box, plate in common.endtoend(region):
            if common.is_validation(path) != split_validation:
                continue
            items.append((load_bgr(path), box, clean(plate)))
        sets[f"scene_{region}"] = items
    items = []
    for path, _, plate in common.crops_csv(os.path.join(common.DATA, "openalpr-bench", "plates", "us")):
        if common.is_validation(path) != split_validation:
            continue
        img = load_bgr(path)
        items.append((img, (0, 0, img.shape[1], img.shape[0]), clean(plate)))
    sets["crops_us"] = items
    items = []
    for path, _, plate in common.crops_csv(os.path.join(common.DATA, "br-plate-crops"), "images"):
        # Split by plate text: the same plate appears in several crops.
        if common.is_validation(plate) != split_validation:
            continue
        img = load_bgr(path)
        items.append((img, (0, 0, img.shape[1], img.shape[0]), clean(plate)))
    sets["crops_br"] = items
    return sets


def warp_box(img, box, rng, jitter=True):
    """Cuts the box out of img into OCR_H x OCR_W gray, like the engine's rectifier."""
    x, y, w, h = box
    if jitter:
        # Loose as well as tight boxes: the detector's boxes are coarse (stride 4) and
        # often taller than the plate, so the recognizer must read both.
        l, r = rng.uniform(-0.05, 0.14, 2) * w
        t, b = rng.uniform(-0.08, 0.26, 2) * h
        ang = rng.normal(0, 3.0)
    else:
        # The mean of the training jitter; the engine uses the same margins (engine.cc).
        l = r = 0.045 * w
        t = b = 0.09 * h
        ang = 0.0
    src = np.float32([[x - l, y - t], [x + w + r, y - t], [x + w + r, y + h + b], [x - l, y + h + b]])
    if ang:
        c = src.mean(0)
        rot = cv2.getRotationMatrix2D((float(c[0]), float(c[1])), ang, 1.0)
        src = (np.hstack([src, np.ones((4, 1), np.float32)]) @ rot.T).astype(np.float32)
    dst = np.float32([[0, 0], [OCR_W, 0], [OCR_W, OCR_H], [0, OCR_H]])
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(img, m, (OCR_W, OCR_H), flags=cv2.INTER_AREA if w > OCR_W else cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REPLICATE)
    return cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)


def photometric(g, rng):
    g = g.astype(np.float32)
    if rng.random() < 0.3:  # lower resolution, as a far plate
        f = rng.uniform(0.35, 0.8)
        small = cv2.resize(g, (max(8, int(OCR_W * f)), max(4, int(OCR_H * f))), interpolation=cv2.INTER_AREA)
        g = cv2.resize(small, (OCR_W, OCR_H), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.25:
        k = int(rng.choice([3, 5]))
        g = cv2.GaussianBlur(g, (k, k), rng.uniform(0.5, 1.4))
    a = rng.uniform(0.6, 1.4)
    b = rng.uniform(-40, 40)
    g = g * a + b
    if rng.random() < 0.3:
        gamma = rng.uniform(0.6, 1.6)
        g = 255.0 * np.power(np.clip(g, 0, 255) / 255.0, gamma)
    if rng.random() < 0.3:  # shadow band
        x0 = rng.integers(0, OCR_W)
        g[:, x0:] *= rng.uniform(0.4, 0.8)
    if rng.random() < 0.4:
        g += rng.normal(0, rng.uniform(2, 12), g.shape)
    g = np.clip(g, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        ok, enc = cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 80))])
        g = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    return g


class Sampler:
    def __init__(self, sets, weights, synth_weight, seed):
        self.rng = np.random.default_rng(seed)
        self.sets = [(sets[k], w) for k, w in weights.items() if sets.get(k)]
        self.synth_weight = synth_weight if synth is not None else 0.0
        total = sum(w for _, w in self.sets) + self.synth_weight
        self.p = np.array([w for _, w in self.sets] + [self.synth_weight]) / total

    def sample(self):
        k = self.rng.choice(len(self.p), p=self.p)
        if k == len(self.sets):
            g, text = synth.ocr_sample(self.rng, OCR_H, OCR_W)
            if g.ndim == 3:
                g = cv2.cvtColor(g, cv2.COLOR_BGR2GRAY)
            return photometric(g, self.rng) if self.rng.random() < 0.3 else g, clean(text)
        items = self.sets[k][0]
        img, box, text = items[self.rng.integers(len(items))]
        return photometric(warp_box(img, box, self.rng), self.rng), text

    def batch(self, n):
        xs, ys = [], []
        for _ in range(n):
            g, t = self.sample()
            xs.append(g)
            ys.append(t)
        x = torch.from_numpy(np.stack(xs)[:, None].astype(np.float32) / 255.0)
        return x, ys


def init_from_onnx(model, path):
    """Copies an exported recognizer's weights into `model` (same architecture).

    The export folds each BatchNorm into its conv; the conv gets the folded weight and its
    BatchNorm becomes the identity plus the folded bias (exact in eval mode, which is why
    fine-tuning from an ONNX file keeps the BatchNorms frozen: --init-onnx sets that).
    Convs are matched by the node names the export gives them (`/features/features.K/...`).
    Returns the count copied.
    """
    import onnx
    from onnx import numpy_helper
    graph = onnx.load(path).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    modules = dict(model.named_modules())
    copied = 0
    for n in graph.node:
        if n.op_type != "Conv":
            continue
        name = n.name.strip("/").rsplit("/", 1)[0].split("/")[-1]  # e.g. features.4.0 or head
        w = torch.as_tensor(np.array(init[n.input[1]]))
        b = torch.as_tensor(np.array(init[n.input[2]]))
        with torch.no_grad():
            if name == "head":
                model.head.weight.copy_(w)
                model.head.bias.copy_(b)
            else:
                seq = modules[name.rsplit(".", 1)[0]]
                if tuple(seq[0].weight.shape) != tuple(w.shape):
                    raise SystemExit(f"{path}: {name} has shape {tuple(w.shape)}, the model {tuple(seq[0].weight.shape)}")
                seq[0].weight.copy_(w)
                bn = seq[1]
                bn.weight.fill_(1.0)
                bn.bias.copy_(b)
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
        copied += 1
    if copied != 9:
        raise SystemExit(f"{path}: {copied} convs, expected 9")
    return copied


def freeze_batchnorm(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()


def encode(texts):
    targets = torch.tensor([CHARSET.index(c) + 1 for t in texts for c in t], dtype=torch.long)
    lengths = torch.tensor([len(t) for t in texts], dtype=torch.long)
    return targets, lengths


def greedy(probs):
    """probs [C, T] -> text (collapse repeats, drop blanks)."""
    best = probs.argmax(0)
    out, prev = [], 0
    for k in best:
        if k != prev and k != 0:
            out.append(CHARSET[k - 1])
        prev = k
    return "".join(out)


# ----------------------------------------------------------------------------- eval
def evaluate_onnx(onnx_path, sets, verbose=False):
    net = cv2.dnn.readNetFromONNX(onnx_path)
    cv2.setNumThreads(1)
    res = {}
    rng = np.random.default_rng(0)
    times = []
    for name, items in sets.items():
        if not items:
            continue
        ok = 0
        errors = 0
        chars = 0
        for img, box, text in items:
            g = warp_box(img, box, rng, jitter=False)
            blob = (g.astype(np.float32) / 255.0)[None, None]
            net.setInput(blob)
            t0 = time.perf_counter()
            logits = net.forward()[0, :, 0, :]
            times.append((time.perf_counter() - t0) * 1000)
            pred = greedy(logits)
            ok += pred == text
            errors += edit_distance(pred, text)
            chars += len(text)
            if verbose and pred != text:
                print(f"  {name}: {text} -> {pred}")
        res[name] = {"n": len(items), "top1": round(ok / len(items), 4), "cer": round(errors / max(1, chars), 4)}
    res["median_ms"] = round(float(np.median(times)), 3) if times else None
    return res


def edit_distance(a, b):
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[len(b)]


def export(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, OCR_H, OCR_W)
    torch.onnx.export(model, dummy, path, opset_version=11, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}})
    net = cv2.dnn.readNetFromONNX(path)
    x = torch.rand(2, 1, OCR_H, OCR_W)
    with torch.no_grad():
        ref = model(x).numpy()
    net.setInput(x.numpy())
    got = net.forward()
    err = float(np.abs(ref - got).max())
    print(f"exported {path}; OpenCV dnn vs torch max abs diff {err:.2e}", flush=True)
    if err > 1e-3:
        raise SystemExit("OpenCV dnn output differs from torch")


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--synth", type=float, default=0.35, help="share of synthetic samples")
    ap.add_argument("--out", default=os.path.join(common.REPO, "models", "ocr.onnx"))
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument("--export-only", action="store_true", help="export the last checkpoint to --out and evaluate")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--init", help="start from this checkpoint's weights with a fresh optimizer and schedule (fine-tuning)")
    ap.add_argument("--init-onnx", help="start from an exported recognizer (e.g. models/ocr.onnx) with its "
                    "BatchNorms frozen, a fresh optimizer and schedule (fine-tuning without a checkpoint)")
    ap.add_argument("--run-dir", default=RUN_DIR, help="where checkpoints go")
    ap.add_argument("--weights", help='JSON object overriding the sampling weights of the real sets, '
                    'e.g. \'{"crops_us": 0.3}\'')
    args = ap.parse_args()
    common.require_data()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    val = collect(split_validation=True)
    if args.eval_only:
        print(evaluate_onnx(args.out, val, verbose=args.verbose))
        return
    if args.export_only:
        model = Recognizer()
        model.load_state_dict(torch.load(os.path.join(args.run_dir, "last.pt"))["model"])
        export(model, args.out)
        print(evaluate_onnx(args.out, val, verbose=args.verbose))
        return
    train = collect(split_validation=False)
    print({k: len(v) for k, v in train.items()}, "validation:", {k: len(v) for k, v in val.items()}, flush=True)
    weights = {"scene_us": 0.14, "scene_eu": 0.10, "scene_br": 0.10, "crops_us": 0.16, "crops_br": 0.15}
    if args.weights:
        weights.update(json.loads(args.weights))
    sampler = Sampler(train, weights, args.synth, args.seed + int(time.time()) % 1000)

    os.makedirs(args.run_dir, exist_ok=True)
    model = Recognizer()
    if args.init:
        model.load_state_dict(torch.load(args.init)["model"])
        print(f"fine-tuning from {args.init}", flush=True)
    elif args.init_onnx:
        print(f"fine-tuning from {args.init_onnx} ({init_from_onnx(model, args.init_onnx)} convs)", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    ckpt_path = os.path.join(args.run_dir, "last.pt")
    step, elapsed_before = 0, 0.0
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed_before = ck["step"], ck["elapsed"]
        print(f"resumed at step {step}, {elapsed_before / 60:.1f} min done", flush=True)
    budget = args.minutes * 60
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    t_start = time.time()
    last_log = last_ckpt = t_start
    seen = 0
    loss_avg = None

    def save():
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                    "elapsed": elapsed_before + time.time() - t_start}, ckpt_path)

    model.train()
    if args.init_onnx:
        freeze_batchnorm(model)  # the folded statistics stay as exported
    while True:
        elapsed = elapsed_before + time.time() - t_start
        if elapsed >= budget:
            break
        frac = elapsed / budget
        lr = args.lr * (0.5 * (1 + np.cos(np.pi * frac))) if frac > 0.05 else args.lr * max(0.1, frac / 0.05)
        for g in opt.param_groups:
            g["lr"] = lr
        x, texts = sampler.batch(args.batch)
        targets, lengths = encode(texts)
        logits = model(x)                                     # N,C,1,T
        logp = F.log_softmax(logits[:, :, 0, :], dim=1).permute(2, 0, 1)  # T,N,C
        loss = ctc(logp, targets, torch.full((x.shape[0],), OCR_T, dtype=torch.long), lengths)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        seen += x.shape[0]
        loss_avg = loss.item() if loss_avg is None else 0.98 * loss_avg + 0.02 * loss.item()
        now = time.time()
        if now - last_log > 60:
            print(f"step {step} loss {loss_avg:.3f} lr {lr:.2e} {seen / (now - t_start):.0f} samples/s "
                  f"{elapsed / 60:.1f}/{args.minutes} min", flush=True)
            last_log = now
        if now - last_ckpt > 180:
            save()
            last_ckpt = now
    save()
    export(model, args.out)
    res = evaluate_onnx(args.out, val)
    print("validation:", res, flush=True)


if __name__ == "__main__":
    main()
