#!/usr/bin/python3
"""Trains Custodian's plate detector (a small fully-convolutional mask network) and exports ONNX.

The network maps a [1,3,H,W] BGR/255 image (H, W multiples of 32) to "mask" [1,1,H/4,W/4]:
the probability that each stride-4 cell lies on a licence plate.  The C++ engine runs it with
OpenCV 4.6 dnn at 384x640 (DET_H x DET_W; the engine's default) and turns the mask into plate quads exactly as
`detect()` below does; keep the two in step.

Data (training split only, common.is_validation):
  - openalpr-bench/endtoend/{us,eu,br} scenes (one labelled plate each),
  - plates-us-eu-yolo train+valid+test (class 0), split by source group (common.yolo_group),
  - copy-paste of real plate crops (br-plate-crops, eu-plate-crops/eu*, openalpr-bench/plates/us)
    and, when training/synth.py is importable, synthetic plates into the scenes.

  /usr/bin/python3 training/train_detector.py --minutes 70            # train, export, verify, eval
  /usr/bin/python3 training/train_detector.py --minutes 70 --resume   # continue runs/detector/last.pt
  /usr/bin/python3 training/train_detector.py --eval-only             # figures of models/detector.onnx
  # the shipped light detector, from an exported base one (runs/detector_light/last.pt):
  /usr/bin/python3 training/train_detector.py --arch light --init-onnx BASE.onnx --distill BASE.onnx \
      --minutes 50 --lr 1.5e-3

The time budget (--minutes) counts training-loop time only (loading excluded) and is stored in
the checkpoint, so a resumed run continues the same learning-rate schedule up to the same total.
"""
import argparse
import glob
import math
import os
import sys
import time

sys.dont_write_bytecode = True  # keep training/__pycache__ out of the work tree

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import DET_H, DET_W, DET_STRIDE, is_validation, yolo_group  # noqa: E402

RUN_DIR = os.path.join(common.REPO, "training", "runs", "detector")
DEFAULT_OUT = os.path.join("models", "detector.onnx")

# Post-processing constants (the C++ engine must use the same values).
MASK_THRESHOLD = 0.5      # cell is "plate" when its probability is > this
MIN_CELLS = 2             # components with fewer cells are dropped
EXPAND_CELLS = 2.0        # minAreaRect width and height each grow by this many cells
SHRINK = 0.9              # training targets: plate quads shrunk to 90% about their centre

_synth = None
_synth_note = ""


def load_synth():
    """training/synth.py is written by another engineer; use it when it imports, never block on it."""
    global _synth, _synth_note
    try:
        import synth  # noqa: F401
        for fn in ("render_plate", "degrade", "composite"):
            if not hasattr(synth, fn):
                raise ImportError(f"synth.py has no {fn}()")
        _synth = synth
        _synth_note = "synthetic plates from training/synth.py in use"
    except Exception as e:  # optional
        _synth = None
        _synth_note = f"synthetic generator unavailable ({e}); pasting real crops only"
    print(_synth_note, flush=True)


# ============================================================================= model
def conv_bn(cin, cout, k=3, s=1, d=1):
    p = d * (k // 2)
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, p, dilation=d, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def sep_bn(c):
    """Depthwise 3x3 then pointwise 1x1, each with BN and ReLU: ~1/8 of a 3x3 conv's MACs."""
    return nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, groups=c, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),
                         conv_bn(c, c, k=1))


class Detector(nn.Module):
    """Stride-4 plate mask.  Encoder to stride 32, FPN-style top-down path back to stride 4.

    Only Conv, BatchNorm, Relu, Add, Resize (nearest, x2) and Sigmoid: all in OpenCV 4.6 dnn.
    arch "light" makes the three costliest layers (the second stride-4 and stride-8 convs and
    the head's 3x3, ~45% of the forward time on one core) depthwise-separable.
    """

    def __init__(self, arch="base"):
        super().__init__()
        if arch not in ("base", "light"):
            raise ValueError(f"unknown detector arch {arch!r}")
        light = arch == "light"
        self.s2 = conv_bn(3, 16, s=2)                                     # /2
        self.s4 = nn.Sequential(conv_bn(16, 32, s=2), sep_bn(32) if light else conv_bn(32, 32))    # /4   32
        self.s8 = nn.Sequential(conv_bn(32, 64, s=2), sep_bn(64) if light else conv_bn(64, 64))    # /8   64
        self.s16 = nn.Sequential(conv_bn(64, 96, s=2), conv_bn(96, 96, d=2))   # /16  96
        self.s32 = nn.Sequential(conv_bn(96, 128, s=2), conv_bn(128, 128))    # /32 128 (context)
        self.top32 = conv_bn(128, 96, k=1)
        self.lat16 = conv_bn(96, 96, k=1)
        self.top16 = conv_bn(96, 64, k=1)
        self.lat8 = conv_bn(64, 64, k=1)
        self.top8 = conv_bn(64, 32, k=1)
        self.lat4 = conv_bn(32, 32, k=1)
        self.head = nn.Sequential(sep_bn(32) if light else conv_bn(32, 32), nn.Conv2d(32, 1, 1))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        nn.init.constant_(self.head[1].bias, -4.0)  # start near "no plate": stabler early training

    def forward(self, x):
        """Returns logits [N,1,H/4,W/4]."""
        f4 = self.s4(self.s2(x))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        f32 = self.s32(f16)
        t = self.up(self.top32(f32)) + self.lat16(f16)
        t = self.up(self.top16(t)) + self.lat8(f8)
        t = self.up(self.top8(t)) + self.lat4(f4)
        return self.head(t)


class Exported(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image):
        return torch.sigmoid(self.net(image))


def init_from_onnx(net, path):
    """Copies an exported detector's weights into every layer of `net` that has their shape.

    torch.onnx.export folds each BatchNorm into its conv, so a conv_bn gets the folded weight
    and its BatchNorm becomes the identity plus the folded bias.  The export lists the convs
    in the base architecture's module order; a layer that `net` has in another form (a light
    layer in place of a full one) keeps its fresh initialisation.  Returns the count copied.
    """
    import onnx
    from onnx import numpy_helper
    graph = onnx.load(path).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    pairs = [(init[n.input[1]], init[n.input[2]]) for n in graph.node if n.op_type == "Conv"]
    names = [name for name, m in Detector("base").named_modules() if isinstance(m, nn.Sequential) and len(m) == 3
             and isinstance(m[0], nn.Conv2d) and isinstance(m[1], nn.BatchNorm2d)]
    if len(pairs) != len(names) + 1:
        raise SystemExit(f"{path}: {len(pairs)} convs, expected {len(names) + 1}")
    modules = dict(net.named_modules())

    def as_identity(bn, bias):
        # BatchNorm in eval mode = x + bias: the folded conv already did the scaling.
        bn.weight.fill_(1.0)
        bn.bias.copy_(torch.as_tensor(np.array(bias)))
        bn.running_mean.zero_()
        bn.running_var.fill_(1.0 - bn.eps)

    copied = 0
    for name, (w, b) in zip(names, pairs):
        m = modules.get(name)
        if isinstance(m, nn.Sequential) and len(m) == 4 and m[0].groups > 1 and w.shape[2:] == (3, 3):
            # A light layer in place of a full 3x3 conv: the depthwise conv starts as the
            # identity (its input is post-ReLU, so the ReLU keeps it) and the pointwise conv
            # as the full conv's centre taps, a rough copy the training then refines.
            with torch.no_grad():
                m[0].weight.zero_()
                m[0].weight[:, 0, 1, 1] = 1.0
                as_identity(m[1], np.zeros(m[1].num_features, np.float32))
            m, w = m[3], w[:, :, 1:2, 1:2]
        if not (isinstance(m, nn.Sequential) and len(m) == 3 and isinstance(m[0], nn.Conv2d)
                and tuple(m[0].weight.shape) == w.shape):
            continue
        with torch.no_grad():
            m[0].weight.copy_(torch.as_tensor(np.array(w)))
            as_identity(m[1], b)
        copied += 1
    w, b = pairs[-1]
    with torch.no_grad():
        net.head[-1].weight.copy_(torch.as_tensor(np.array(w)))
        net.head[-1].bias.copy_(torch.as_tensor(np.array(b)))
    return copied + 1


def count_macs(model, h=DET_H, w=DET_W):
    """Multiply-accumulates of the conv layers for one [1,3,h,w] forward pass."""
    macs = []

    def hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        macs.append(out.numel() * k)

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    was = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, h, w))
    model.train(was)
    for x in hs:
        x.remove()
    return sum(macs)


# ============================================================================= data
def _imread(path, cap=1280):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        return None, 1.0
    s = min(1.0, cap / max(img.shape[:2]))
    if s < 1.0:
        img = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
    return img, s


def rect_quad(x, y, w, h):
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)


def load_scenes():
    """[(set name, bgr uint8, [quad (4,2) float32 in image pixels])], training split only."""
    scenes = []
    for region in ("us", "eu", "br"):
        n = 0
        for path, (x, y, w, h), _ in common.endtoend(region):
            if is_validation(path):
                continue
            img, s = _imread(path)
            if img is None:
                continue
            scenes.append((region, img, [rect_quad(x * s, y * s, w * s, h * s)]))
            n += 1
        print(f"  endtoend/{region}: {n} training scenes", flush=True)
    n = nb = 0
    for split in ("train", "valid", "test"):
        for path, boxes in common.yolo_boxes(split):
            if is_validation(yolo_group(path)):
                continue
            img, _ = _imread(path)
            if img is None:
                continue
            H, W = img.shape[:2]
            quads = [rect_quad((cx - bw / 2) * W, (cy - bh / 2) * H, bw * W, bh * H) for cx, cy, bw, bh in boxes]
            scenes.append(("yolo", img, quads))
            n += 1
            nb += len(quads)
    print(f"  plates-us-eu-yolo: {n} training images, {nb} plates", flush=True)
    return scenes


def load_crops():
    """Real plate crops for copy-paste (tightly cut plates)."""
    crops = []
    d = common.DATA
    paths = sorted(glob.glob(os.path.join(d, "br-plate-crops", "images", "*.jpg")))
    paths += sorted(glob.glob(os.path.join(d, "br-plate-crops", "*.jpg")))
    for sub in sorted(glob.glob(os.path.join(d, "eu-plate-crops", "eu*"))):
        paths += sorted(p for p in glob.glob(os.path.join(sub, "*")) if p.lower().endswith((".png", ".jpg", ".jpeg")))
    paths += sorted(p for p in glob.glob(os.path.join(d, "openalpr-bench", "plates", "us", "*.png")) if not is_validation(p))
    for p in paths:
        img = cv2.imread(p, cv2.IMREAD_COLOR)
        if img is not None and min(img.shape[:2]) >= 8:
            crops.append(img)
    print(f"  plate crops for copy-paste: {len(crops)}", flush=True)
    return crops


class PlateSamples(torch.utils.data.Dataset):
    """Random training crops (size x size) with stride-4 targets; every item is freshly drawn."""

    SET_P = {"us": 0.2, "eu": 0.15, "br": 0.15, "yolo": 0.5}

    def __init__(self, scenes, crops, size=320, seed=0, length=10 ** 9):
        self.scenes, self.crops, self.size, self.length = scenes, crops, size, length
        self.by_set = {}
        for i, (name, _, _) in enumerate(scenes):
            self.by_set.setdefault(name, []).append(i)
        names = [k for k in self.SET_P if k in self.by_set]
        p = np.array([self.SET_P[k] for k in names])
        self.set_names, self.set_p = names, p / p.sum()
        self.rng = np.random.default_rng(seed)
        self.synth_fail = 0

    def __len__(self):
        return self.length

    # ------------------------------------------------------------------ geometry
    def _geometric(self, img, quads):
        rng, S = self.rng, self.size
        H, W = img.shape[:2]
        ref = quads[rng.integers(len(quads))] if quads else None
        if ref is not None and rng.random() < 0.55:
            # plate-width driven scale: plates 12..200 px wide in the 640-wide frame
            pw = max(2.0, np.ptp(ref[:, 0]))
            target = math.exp(rng.uniform(math.log(12), math.log(200)))
            s = target / pw
        else:
            # the engine's letterbox scale, jittered
            s = min(DET_W / W, DET_H / H) * math.exp(rng.uniform(-0.45, 0.45))
        s = float(np.clip(s, 0.08, 4.0))
        ang = rng.normal(0, 4.0) if rng.random() < 0.4 else 0.0
        aspect = math.exp(rng.uniform(-0.12, 0.12))
        sx, sy = s * aspect, s / aspect
        # source -> output affine: scale/rotate about origin, then translate
        c, si = math.cos(math.radians(ang)), math.sin(math.radians(ang))
        A = np.array([[sx * c, -sy * si], [sx * si, sy * c]], np.float32)
        corners = (A @ rect_quad(0, 0, W, H).T).T
        ilo, ihi = corners.min(0), corners.max(0)
        # translations that keep the crop on the image (or the image inside the crop), 10% slack
        slack = 0.1 * S
        img_rng = [(S - ihi[k] - slack, -ilo[k] + slack) if ihi[k] - ilo[k] >= S else
                   (-ilo[k] - slack, S - ihi[k] + slack) for k in (0, 1)]
        if ref is not None and rng.random() < 0.85:
            pc = (A @ ref.T).T
            lo, hi = pc.min(0), pc.max(0)
            t = []
            for k in (0, 1):
                # place the plate anywhere inside the crop (clipped when the plate is bigger)
                a, b = min(-lo[k], S - hi[k]), max(-lo[k], S - hi[k])
                a2, b2 = max(a, img_rng[k][0]), min(b, img_rng[k][1])
                t.append(rng.uniform(a2, b2) if a2 <= b2 else rng.uniform(a, b))
            tx, ty = t
        else:
            tx, ty = (rng.uniform(*img_rng[k]) for k in (0, 1))
        M = np.hstack([A, [[tx], [ty]]]).astype(np.float32)
        src = img
        eff = math.sqrt(abs(np.linalg.det(A)))
        if eff < 0.7:  # anti-alias big downscales (warpAffine samples point-wise)
            f = eff * rng.uniform(1.0, 1.4)
            if f < 1.0:
                src = cv2.resize(img, (max(1, round(W * f)), max(1, round(H * f))), interpolation=cv2.INTER_AREA)
                M = M.copy()
                M[:, :2] /= f  # maps the resized image now
        interp = cv2.INTER_LINEAR if rng.random() < 0.8 else cv2.INTER_CUBIC
        out = cv2.warpAffine(src, M, (S, S), flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
        Mq = np.hstack([A, [[tx], [ty]]]).astype(np.float32)
        quads = [(Mq[:, :2] @ q.T).T + Mq[:, 2] for q in quads]
        if rng.random() < 0.5:
            out = out[:, ::-1].copy()
            quads = [np.stack([S - q[:, 0], q[:, 1]], 1) for q in quads]
        return out, quads

    # ------------------------------------------------------------------ copy-paste
    def _free_spot(self, quads, w, h):
        S, rng = self.size, self.rng
        boxes = [(q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()) for q in quads]
        for _ in range(12):
            x = rng.uniform(-0.1 * w, S - 0.9 * w)
            y = rng.uniform(-0.1 * h, S - 0.9 * h)
            ok = True
            for bx0, by0, bx1, by1 in boxes:
                m = 0.15 * max(w, h)
                if x < bx1 + m and x + w > bx0 - m and y < by1 + m and y + h > by0 - m:
                    ok = False
                    break
            if ok:
                return x, y
        return None

    def _paste_crop(self, scene, quads):
        rng = self.rng
        plate = self.crops[rng.integers(len(self.crops))]
        ph, pw = plate.shape[:2]
        if rng.random() < 0.3:  # trim a little (tight crops) or keep the border
            t = rng.uniform(0, 0.06, 4)
            y0, y1 = int(t[0] * ph), ph - int(t[1] * ph)
            x0, x1 = int(t[2] * pw), pw - int(t[3] * pw)
            plate = plate[y0:y1, x0:x1]
            ph, pw = plate.shape[:2]
        w = math.exp(rng.uniform(math.log(14), math.log(210)))
        h = w * ph / pw * math.exp(rng.uniform(-0.15, 0.15))
        spot = self._free_spot(quads, w, h)
        if spot is None:
            return scene, None
        x, y = spot
        # mild perspective: rotation, keystone and corner jitter
        q = rect_quad(0, 0, w, h) - [w / 2, h / 2]
        ang = math.radians(rng.normal(0, 5))
        R = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]], np.float32)
        q = q @ R.T
        k = rng.uniform(-0.12, 0.12)  # keystone: one side shorter
        q[[1, 2], 1] *= 1 + k
        q[[0, 3], 1] *= 1 - k
        q += rng.normal(0, 0.025, (4, 2)).astype(np.float32) * [w, h]
        q += [x + w / 2, y + h / 2]
        q = q.astype(np.float32)
        src = rect_quad(0, 0, pw, ph)
        P = cv2.getPerspectiveTransform(src, q)
        S = self.size
        # photometric match: pull brightness towards the local scene, random gain/contrast
        p = plate.astype(np.float32)
        if rng.random() < 0.7:
            x0, y0 = int(max(0, q[:, 0].min())), int(max(0, q[:, 1].min()))
            x1, y1 = int(min(S, q[:, 0].max())), int(min(S, q[:, 1].max()))
            if x1 > x0 and y1 > y0:
                local = float(scene[y0:y1, x0:x1].mean())
                gain = np.clip((0.35 * local + 0.65 * p.mean()) / max(p.mean(), 1.0), 0.4, 1.6)
                p *= gain
        p = p * rng.uniform(0.75, 1.2) + rng.uniform(-25, 25)
        p = np.clip(p, 0, 255)
        warped = cv2.warpPerspective(p, P, (S, S), flags=cv2.INTER_LINEAR if rng.random() < 0.7 else cv2.INTER_AREA,
                                     borderMode=cv2.BORDER_CONSTANT)
        alpha = cv2.warpPerspective(np.ones((ph, pw), np.float32), P, (S, S), flags=cv2.INTER_LINEAR)
        if rng.random() < 0.6:
            alpha = cv2.GaussianBlur(alpha, (0, 0), rng.uniform(0.4, 1.2))
        if rng.random() < 0.3:  # dark frame / bumper shadow around the plate
            ring = cv2.dilate((alpha > 0.01).astype(np.uint8), np.ones((3, 3), np.uint8), iterations=int(rng.integers(1, 4)))
            ring = (ring.astype(np.float32) - np.clip(alpha, 0, 1)) * rng.uniform(0.3, 0.8)
            scene = scene.astype(np.float32) * (1 - ring[..., None])
        a = alpha[..., None]
        scene = scene.astype(np.float32) * (1 - a) + warped * a
        if rng.random() < 0.3:  # blur the pasted region a little (plates are rarely sharper than scenes)
            k = rng.uniform(0.5, 1.3)
            scene = scene * (1 - a) + cv2.GaussianBlur(scene, (0, 0), k) * a
        return np.clip(scene, 0, 255).astype(np.uint8), q

    def _paste_synth(self, scene, quads):
        rng = self.rng
        plate, _, pq = _synth.render_plate(rng)
        plate, pq = _synth.degrade(rng, plate, pq)
        w = math.exp(rng.uniform(math.log(14), math.log(210)))
        before = scene.copy()
        out, q = _synth.composite(rng, scene, plate, pq, w)
        q = np.asarray(q, np.float32).reshape(4, 2)
        if out is None or out.shape != before.shape or not np.isfinite(q).all():
            raise ValueError("composite() returned an unexpected result")
        # reject a paste that lands on an existing plate
        bx = (q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max())
        for o in quads:
            if bx[0] < o[:, 0].max() and bx[2] > o[:, 0].min() and bx[1] < o[:, 1].max() and bx[3] > o[:, 1].min():
                return before, None
        return out.astype(np.uint8), q

    def _copy_paste(self, img, quads):
        rng = self.rng
        n = rng.choice(4, p=[0.35, 0.33, 0.2, 0.12])
        for _ in range(n):
            q = None
            if _synth is not None and self.synth_fail < 20 and rng.random() < 0.35:
                try:
                    img, q = self._paste_synth(img, quads)
                except Exception as e:
                    self.synth_fail += 1
                    if self.synth_fail in (1, 20):
                        print(f"synth paste failed ({e!r}){'; giving up on synth' if self.synth_fail == 20 else ''}", flush=True)
                    q = None
            else:
                img, q = self._paste_crop(img, quads)
            if q is not None:
                quads = quads + [q]
        return img, quads

    # ------------------------------------------------------------------ photometric
    def _photometric(self, img):
        rng = self.rng
        f = img.astype(np.float32)
        if rng.random() < 0.8:
            f = f * rng.uniform(0.6, 1.35) + rng.uniform(-30, 30)
            f = (f - f.mean()) * rng.uniform(0.7, 1.3) + f.mean()
        if rng.random() < 0.5:
            f = f * rng.uniform(0.85, 1.15, 3).astype(np.float32)
        if rng.random() < 0.3:  # saturation
            g = f.mean(2, keepdims=True)
            f = g + (f - g) * rng.uniform(0.3, 1.5)
        r = rng.random()
        if r < 0.12:  # grayscale
            g = cv2.cvtColor(np.clip(f, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY).astype(np.float32)
            f = np.repeat(g[..., None], 3, 2)
        elif r < 0.2:  # IR camera look: gray, gamma, strong contrast
            g = cv2.cvtColor(np.clip(f, 0, 255).astype(np.uint8), cv2.COLOR_BGR2GRAY).astype(np.float32) / 255
            g = g ** rng.uniform(0.5, 1.6)
            g = np.clip((g - 0.5) * rng.uniform(1.0, 2.0) + 0.5 + rng.uniform(-0.15, 0.15), 0, 1) * 255
            f = np.repeat(g[..., None], 3, 2)
        if rng.random() < 0.1:  # low light
            f = 255 * (np.clip(f, 0, 255) / 255) ** rng.uniform(1.3, 2.2)
        img = np.clip(f, 0, 255).astype(np.uint8)
        if rng.random() < 0.15:  # low resolution
            s = rng.uniform(0.35, 0.8)
            S = img.shape[0]
            small = cv2.resize(img, (max(8, int(S * s)), max(8, int(S * s))), interpolation=cv2.INTER_AREA)
            img = cv2.resize(small, (S, S), interpolation=cv2.INTER_LINEAR)
        r = rng.random()
        if r < 0.25:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.4))
        elif r < 0.33:  # motion blur
            k = int(rng.integers(3, 8))
            ker = np.zeros((k, k), np.float32)
            ker[k // 2, :] = 1.0 / k
            ker = cv2.warpAffine(ker, cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1.0), (k, k))
            ker /= max(ker.sum(), 1e-6)
            img = cv2.filter2D(img, -1, ker)
        if rng.random() < 0.25:
            n = rng.normal(0, rng.uniform(2, 10), img.shape).astype(np.float32)
            img = np.clip(img.astype(np.float32) + n, 0, 255).astype(np.uint8)
        if rng.random() < 0.5:
            ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 92))])
            if ok:
                img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        return img

    # ------------------------------------------------------------------ targets
    def _targets(self, quads):
        """target (1 on shrunk plates), weight (0 on the ring between shrunk and full plate)."""
        S = self.size // DET_STRIDE
        tgt = np.zeros((S, S), np.uint8)
        full = np.zeros((S, S), np.uint8)
        SH = 4  # fillPoly fractional bits
        for q in quads:
            c = q.mean(0)
            cell = q / DET_STRIDE - 0.5  # cell (i, j) centre is at ((j + .5) * 4, (i + .5) * 4) pixels
            cs = (q - c) * SHRINK + c
            cs = cs / DET_STRIDE - 0.5
            cv2.fillPoly(full, [np.round(cell * (1 << SH)).astype(np.int32)], 1, lineType=cv2.LINE_8, shift=SH)
            cv2.fillPoly(tgt, [np.round(cs * (1 << SH)).astype(np.int32)], 1, lineType=cv2.LINE_8, shift=SH)
            cx, cy = int(math.floor(c[0] / DET_STRIDE)), int(math.floor(c[1] / DET_STRIDE))
            if 0 <= cx < S and 0 <= cy < S:  # small plates still mark their centre cell
                tgt[cy, cx] = 1
        weight = np.where((full > 0) & (tgt == 0), 0.0, 1.0).astype(np.float32)
        return tgt.astype(np.float32), weight

    def __getitem__(self, _):
        rng = self.rng
        name = self.set_names[rng.choice(len(self.set_names), p=self.set_p)]
        idx = self.by_set[name][rng.integers(len(self.by_set[name]))]
        _, img, quads = self.scenes[idx]
        img, quads = self._geometric(img, quads)
        if self.crops:
            img, quads = self._copy_paste(img, quads)
        img = self._photometric(img)
        tgt, weight = self._targets(quads)
        x = torch.from_numpy(img.transpose(2, 0, 1).astype(np.float32) / 255.0)
        return x, torch.from_numpy(tgt[None]), torch.from_numpy(weight[None])


def _worker_init(wid):
    info = torch.utils.data.get_worker_info()
    info.dataset.rng = np.random.default_rng([info.seed % (2 ** 32), wid])
    cv2.setNumThreads(1)
    torch.set_num_threads(1)


# ============================================================================= loss
def loss_fn(logits, tgt, weight, pos_weight=4.0):
    w = weight * (1 + (pos_weight - 1) * tgt)
    bce = (F.binary_cross_entropy_with_logits(logits, tgt, reduction="none") * w).sum() / w.sum().clamp(min=1)
    p = torch.sigmoid(logits) * weight
    t = tgt * weight
    dice = 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)
    return bce + dice, bce.detach(), dice.detach()


# ============================================================================= export / verify
def export_onnx(net, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    was = net.training
    net.eval()
    m = Exported(net).eval()
    dummy = torch.zeros(1, 3, DET_H, DET_W)
    with torch.no_grad():
        torch.onnx.export(m, dummy, path, opset_version=11, input_names=["image"], output_names=["mask"],
                          do_constant_folding=True)
    net.train(was)
    inline_identities(path)
    print(f"exported {path} ({os.path.getsize(path) / 1e6:.2f} MB)", flush=True)


def inline_identities(path):
    """The exporter shares equal folded tensors (two fresh BatchNorms fold to the same zero
    bias) through Identity nodes on an initializer, which OpenCV 4.6 cannot import; give each
    user its own copy instead."""
    import onnx
    m = onnx.load(path)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    ids = [n for n in g.node if n.op_type == "Identity" and n.input[0] in inits]
    if not ids:
        return
    for n in ids:
        t = onnx.TensorProto()
        t.CopyFrom(inits[n.input[0]])
        t.name = n.output[0]
        g.initializer.append(t)
        g.node.remove(n)
    onnx.save(m, path)


def time_net(net, h=DET_H, w=DET_W, runs=30):
    cv2.setNumThreads(1)
    blob = np.random.default_rng(1).random((1, 3, h, w), dtype=np.float32)
    for _ in range(3):
        net.setInput(blob, "image")
        net.forward("mask")
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        net.setInput(blob, "image")
        net.forward("mask")
        ts.append((time.perf_counter() - t0) * 1000)
    return float(np.median(ts))


def verify_onnx(net_torch, path):
    """cv2.dnn must load the file and agree with torch within 1e-4; prints the single-thread speed."""
    cv2.setNumThreads(1)
    dnn = cv2.dnn.readNetFromONNX(path)
    x = np.random.default_rng(0).random((1, 3, DET_H, DET_W), dtype=np.float32)
    dnn.setInput(x, "image")
    out = dnn.forward("mask")
    net_torch.eval()
    with torch.no_grad():
        ref = torch.sigmoid(net_torch(torch.from_numpy(x))).numpy()
    net_torch.train()
    diff = float(np.abs(out - ref).max())
    ok = out.shape == ref.shape == (1, 1, DET_H // DET_STRIDE, DET_W // DET_STRIDE) and diff < 1e-4
    ms = time_net(dnn)
    print(f"cv2.dnn check: output {tuple(out.shape)}, max |cv2 - torch| = {diff:.2e} -> {'OK' if ok else 'FAIL'}; "
          f"forward {DET_H}x{DET_W} single thread: {ms:.1f} ms", flush=True)
    if not ok:
        raise SystemExit("ONNX verification failed")
    return ms


# ============================================================================= inference (C++ mirrors this)
def letterbox(bgr, h=DET_H, w=DET_W):
    """Resize keeping aspect ratio to fit h x w (up- or down-scaling), image at the top-left, zero padding.

    INTER_AREA when shrinking, INTER_LINEAR when enlarging.  Returns (blob [1,3,h,w] BGR/255, scale).
    """
    H, W = bgr.shape[:2]
    scale = min(w / W, h / H)
    nw, nh = min(w, max(1, round(W * scale))), min(h, max(1, round(H * scale)))
    img = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    canvas = np.zeros((h, w, 3), np.uint8)
    canvas[:nh, :nw] = img
    blob = canvas.astype(np.float32).transpose(2, 0, 1)[None] / 255.0
    return np.ascontiguousarray(blob), scale


def mask_to_quads(mask, scale):
    """mask: [H/4, W/4] probabilities.  Returns [(quad (4,2) float32 in original image pixels, score)].

    1. cells with probability > 0.5; 8-connected components; drop components of < 2 cells;
    2. cv2.minAreaRect of the component's cell coordinates (x = column, y = row);
    3. the rect's width and height each grow by EXPAND_CELLS (2) cells;
    4. its 4 corners (cv2.boxPoints) map back: pixel = (cell + 0.5) * 4 / scale;
    5. score = mean probability over the component's cells.
    """
    out = []
    for rect, score in mask_rects(mask):
        quad = (cv2.boxPoints(rect) + 0.5) * DET_STRIDE / scale
        out.append((quad.astype(np.float32), score))
    out.sort(key=lambda d: -d[1])
    return out


def mask_rects(mask):
    """Steps 1-3 of mask_to_quads: [(cv2 rotated rect in cells, grown by EXPAND_CELLS; score)]."""
    binm = (mask > MASK_THRESHOLD).astype(np.uint8)
    n, labels = cv2.connectedComponents(binm, connectivity=8)
    out = []
    for k in range(1, n):
        ys, xs = np.nonzero(labels == k)
        if len(xs) < MIN_CELLS:
            continue
        (cx, cy), (rw, rh), ang = cv2.minAreaRect(np.stack([xs, ys], 1).astype(np.float32))
        out.append((((cx, cy), (rw + EXPAND_CELLS, rh + EXPAND_CELLS), ang), float(mask[ys, xs].mean())))
    return out


def detect(net, bgr):
    """Runs the exported detector (cv2.dnn) on a BGR image: list of (quad (4,2), score), best first."""
    blob, scale = letterbox(bgr)
    net.setInput(blob, "image")
    mask = net.forward("mask")[0, 0]
    return mask_to_quads(mask, scale)


# ============================================================================= evaluation
def iou(a, b):
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    iw = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    ih = max(0.0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    u = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / u if u > 0 else 0.0


def evaluate(path, viz=0, viz_prefix="/tmp/det_"):
    if not common.have_data():
        print(f"real data not found at {common.DATA}; skipping evaluation", flush=True)
        return {}
    cv2.setNumThreads(1)
    net = cv2.dnn.readNetFromONNX(path)
    print(f"evaluation of {path} on the validation split (IoU >= 0.3 of the detection's bounding box):", flush=True)
    res = {}
    nviz = 0
    for region in ("us", "eu", "br"):
        hits, ndet, ms, n = 0, 0, [], 0
        for img_path, (x, y, w, h), _ in common.endtoend(region):
            if not is_validation(img_path):
                continue
            bgr = cv2.imread(img_path, cv2.IMREAD_COLOR)
            if bgr is None:
                continue
            t0 = time.perf_counter()
            blob, scale = letterbox(bgr)
            net.setInput(blob, "image")
            t1 = time.perf_counter()
            mask = net.forward("mask")[0, 0]
            ms.append((time.perf_counter() - t1) * 1000)
            dets = mask_to_quads(mask, scale)
            truth = (x, y, x + w, y + h)
            hit = any(iou((q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()), truth) >= 0.3 for q, _ in dets)
            hits += hit
            ndet += len(dets)
            n += 1
            if nviz < viz and (n <= max(1, viz // 3) or not hit):
                nviz += 1
                draw_overlay(bgr, mask, scale, dets, truth, f"{viz_prefix}{region}_{n:03d}{'' if hit else '_miss'}.png")
        res[region] = dict(images=n, detection=hits / max(n, 1), dets_per_image=ndet / max(n, 1),
                           median_ms=float(np.median(ms)) if ms else 0.0)
        r = res[region]
        print(f"  endtoend/{region}: {n} images  detection {r['detection']:.3f}  "
              f"detections/image {r['dets_per_image']:.2f}  median forward {r['median_ms']:.1f} ms", flush=True)
    return res


def draw_overlay(bgr, mask, scale, dets, truth, path):
    H, W = bgr.shape[:2]
    m = cv2.resize(mask, (round(mask.shape[1] * DET_STRIDE / scale), round(mask.shape[0] * DET_STRIDE / scale)),
                   interpolation=cv2.INTER_NEAREST)[:H, :W]
    vis = bgr.copy()
    heat = np.zeros_like(vis)
    heat[..., 2] = (np.clip(m, 0, 1) * 255).astype(np.uint8)
    vis = cv2.addWeighted(vis, 1.0, heat, 0.6, 0)
    x0, y0, x1, y1 = (int(v) for v in truth)
    cv2.rectangle(vis, (x0, y0), (x1, y1), (0, 255, 0), 2)
    for q, s in dets:
        cv2.polylines(vis, [np.round(q).astype(np.int32)], True, (255, 255, 0), 2)
        cv2.putText(vis, f"{s:.2f}", (int(q[:, 0].min()), int(q[:, 1].min()) - 3), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    (255, 255, 0), 1)
    f = min(1.0, 960 / max(H, W))
    if f < 1:
        vis = cv2.resize(vis, (round(W * f), round(H * f)), interpolation=cv2.INTER_AREA)
    cv2.imwrite(path, vis)


# ============================================================================= training
def train(args):
    common.require_data()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    load_synth()
    torch.manual_seed(int(time.time()))
    net = Detector(args.arch)
    teacher = None
    if args.init_onnx and not (args.resume and os.path.exists(args.ckpt)):
        print(f"initialised {init_from_onnx(net, args.init_onnx)} layers from {args.init_onnx}", flush=True)
    if args.distill:
        teacher = Detector("base")
        init_from_onnx(teacher, args.distill)
        teacher.eval()
        print(f"distilling from {args.distill} (weight {args.distill_weight})", flush=True)
    macs = count_macs(net)
    print(f"detector: {sum(p.numel() for p in net.parameters()) / 1e3:.0f}k parameters, "
          f"{macs / 1e9:.3f} GMAC ({2 * macs / 1e9:.2f} GFLOP) at {DET_H}x{DET_W}", flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    step, elapsed, budget = 0, 0.0, args.minutes * 60.0
    if args.resume and os.path.exists(args.ckpt):
        ck = torch.load(args.ckpt, map_location="cpu")
        net.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, elapsed = ck["step"], ck["elapsed"]
        if args.minutes_given is None:
            budget = ck.get("budget", budget)
        print(f"resumed {args.ckpt}: step {step}, {elapsed / 60:.1f} of {budget / 60:.1f} min done", flush=True)
    elif args.resume:
        print(f"--resume: no checkpoint at {args.ckpt}; starting fresh", flush=True)

    print("loading data ...", flush=True)
    t0 = time.time()
    scenes = load_scenes()
    crops = load_crops()
    print(f"loaded in {time.time() - t0:.0f} s", flush=True)
    ds = PlateSamples(scenes, crops, size=args.crop, seed=int(time.time()))
    dl = torch.utils.data.DataLoader(ds, batch_size=args.batch, num_workers=args.workers, worker_init_fn=_worker_init,
                                     persistent_workers=args.workers > 0, shuffle=False,
                                     **({"prefetch_factor": 4} if args.workers > 0 else {}))

    def lr_at(frac):
        warm = min(1.0, (step + 1) / 200)
        return args.lr * warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))

    def save():
        tmp = args.ckpt + ".tmp"
        torch.save(dict(model=net.state_dict(), optimizer=opt.state_dict(), step=step, elapsed=elapsed,
                        budget=budget, arch=args.arch, args=vars(args)), tmp)
        os.replace(tmp, args.ckpt)

    net.train()
    it = iter(dl)
    t_start = time.time() - elapsed
    last_log = last_ckpt = time.time()
    acc = np.zeros(3)
    nacc = 0
    nsamp = 0
    while elapsed < budget:
        x, tgt, weight = next(it)
        for g in opt.param_groups:
            g["lr"] = lr_at(elapsed / budget)
        logits = net(x)
        loss, bce, dice = loss_fn(logits, tgt, weight, args.pos_weight)
        if teacher is not None:
            # The teacher's mask as a soft target, over the crop's valid cells.
            with torch.no_grad():
                soft = torch.sigmoid(teacher(x))
            kd = (F.binary_cross_entropy_with_logits(logits, soft, reduction="none") * weight).sum() / weight.sum().clamp(min=1)
            loss = loss + args.distill_weight * kd
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        acc += [loss.item(), bce.item(), dice.item()]
        nacc += 1
        nsamp += x.shape[0]
        now = time.time()
        elapsed = now - t_start
        if now - last_log >= args.log_every or elapsed >= budget:
            a = acc / max(nacc, 1)
            print(f"step {step:6d}  {elapsed / 60:5.1f}/{budget / 60:.0f} min  loss {a[0]:.4f} (bce {a[1]:.4f} "
                  f"dice {a[2]:.4f})  lr {opt.param_groups[0]['lr']:.2e}  {nsamp / (now - last_log):.1f} samples/s",
                  flush=True)
            acc[:] = 0
            nacc = nsamp = 0
            last_log = now
        if now - last_ckpt >= 120:
            save()
            last_ckpt = now
    save()
    print(f"training done: step {step}, checkpoint {args.ckpt}", flush=True)
    del it, dl
    export_onnx(net, args.out)
    verify_onnx(net, args.out)
    evaluate(args.out, viz=args.viz)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=None, help="training-loop budget (default 60)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3, help="AdamW peak learning rate (cosine decay over the budget)")
    ap.add_argument("--crop", type=int, default=320, help="training crop size (multiple of 32)")
    ap.add_argument("--pos-weight", type=float, default=4.0, help="BCE weight of plate cells")
    ap.add_argument("--workers", type=int, default=1, help="DataLoader workers (0 or 1 on this machine)")
    ap.add_argument("--out", default=DEFAULT_OUT, help="ONNX output (relative to the repository root)")
    ap.add_argument("--resume", action="store_true", help="continue from the run's last.pt")
    ap.add_argument("--arch", choices=("base", "light"), default="base",
                    help="base (session 1's detector) or light (depthwise-separable stride-4/8 layers and head)")
    ap.add_argument("--init-onnx", default=None, help="start from an exported base detector's weights (layers that match)")
    ap.add_argument("--distill", default=None, help="also learn an exported base detector's mask (knowledge distillation)")
    ap.add_argument("--distill-weight", type=float, default=1.0, help="weight of the distillation loss")
    ap.add_argument("--run-dir", default=None, help="checkpoint folder (default training/runs/detector, "
                                                     "training/runs/detector_light for --arch light)")
    ap.add_argument("--eval-only", action="store_true", help="evaluate the exported ONNX and exit")
    ap.add_argument("--export-only", action="store_true", help="export + verify the checkpoint, then evaluate")
    ap.add_argument("--viz", type=int, default=0, help="write this many overlays /tmp/det_*.png during evaluation")
    ap.add_argument("--log-every", type=float, default=30.0, help="seconds between log lines")
    args = ap.parse_args()
    args.minutes_given = args.minutes
    run_dir = args.run_dir or (RUN_DIR if args.arch == "base" else RUN_DIR + "_" + args.arch)
    os.makedirs(run_dir, exist_ok=True)
    args.ckpt = os.path.join(run_dir, "last.pt")
    if args.minutes is None:
        args.minutes = 60.0
    if args.crop % 32:
        ap.error("--crop must be a multiple of 32")
    if not os.path.isabs(args.out):
        args.out = os.path.join(common.REPO, args.out)
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    if args.eval_only:
        if not os.path.exists(args.out):
            raise SystemExit(f"{args.out} not found; train first")
        evaluate(args.out, viz=args.viz)
        return
    if args.export_only:
        ck = torch.load(args.ckpt, map_location="cpu")
        net = Detector(ck.get("arch", "base"))
        net.load_state_dict(ck["model"])
        export_onnx(net, args.out)
        verify_onnx(net, args.out)
        evaluate(args.out, viz=args.viz)
        return
    train(args)


if __name__ == "__main__":
    main()
