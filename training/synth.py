"""Synthetic licence-plate generator for Custodian's OCR (CTC) and detector training.

Renders US (several state-like layouts), EU (several countries' formats) and Brazilian
(old grey/red and Mercosul) plates with numpy + OpenCV, using cached glyph masks from
the system's TrueType fonts (Roadgeek 2014, OSP-DIN, DejaVu) so that no font rendering
happens per sample.  Public API:

    STYLES                                  list of style names
    render_plate(rng, style=None)           clean plate (+ a little surrounding car), label, quad
    degrade(rng, img, quad)                 photometric + geometric corruption, new quad
    ocr_sample(rng, out_h=48, out_w=160)    degraded gray crop for the recognizer, label
    composite(rng, scene, plate, quad, w)   paste a plate into a scene, quad in scene coords

Labels contain only common.CHARSET characters (no spaces/dashes even where the plate
prints them).  Everything is deterministic given the numpy Generator.

    /usr/bin/python3 training/synth.py --sheet /tmp/sheet.png --n 64 [--kind ocr|plate|scene]
writes a contact sheet for humans to look at; --bench N times ocr_sample.
"""
import glob
import math
import os

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

try:
    from common import CHARSET
except ImportError:  # imported as training.synth from the repository root
    from training.common import CHARSET

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
assert set(LETTERS + DIGITS) <= set(CHARSET)

US_STYLES = ["us_ca", "us_generic", "us_dark", "us_yellow", "us_graphic", "us_band",
             "us_emblem", "us_embossed", "us_gradient"]
EU_STYLES = ["eu_de", "eu_fr", "eu_nl", "eu_uk", "eu_it", "eu_es", "eu_pl", "eu_sk", "eu_cz", "eu"]
BR_STYLES = ["br_old", "br_mercosul"]
STYLES = US_STYLES + EU_STYLES + BR_STYLES

# plate sizes (width, height) in px at render_plate's scale
_SIZE = {"us": (300, 150), "eu": (520, 110), "br": (400, 130)}  # br: old and Mercosul


def _region(style):
    return style.split("_")[0]


# --------------------------------------------------------------------------- fonts

_FONT_FILES = {
    "rgB": "/usr/share/fonts/truetype/roadgeek/RG2014B.ttf",
    "rgC": "/usr/share/fonts/truetype/roadgeek/RG2014C.ttf",
    "rgD": "/usr/share/fonts/truetype/roadgeek/RG2014D.ttf",
    "rgE": "/usr/share/fonts/truetype/roadgeek/RG2014E.ttf",
    "din": "/usr/share/fonts/truetype/opendin/OSP-DIN.ttf",
    "djc": "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "djs": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "djr": "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "dsc": "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed-Bold.ttf",
    "dsi": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
    "dsr": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
}
_FALLBACK = ["din", "djc", "djs", "rgD"]


def _font_path(key):
    p = _FONT_FILES[key]
    if os.path.exists(p):
        return p
    for k in _FALLBACK:
        if os.path.exists(_FONT_FILES[k]):
            return _FONT_FILES[k]
    found = glob.glob("/usr/share/fonts/truetype/**/*.ttf", recursive=True)
    if not found:
        raise SystemExit("synth.py: no TrueType fonts found under /usr/share/fonts/truetype")
    return sorted(found)[0]


class _Bank:
    """Glyph masks of one font at one size/stroke, all sharing one row range (common baseline)."""

    def __init__(self, key, size, stroke, chars):
        font = ImageFont.truetype(_font_path(key), size)
        asc, desc = font.getmetrics()
        pad = stroke + 6
        hc = asc + desc + 2 * pad
        wc = int(size * 1.8) + 2 * pad
        raw = {}
        top, bot = hc, 0
        for ch in chars:
            im = Image.new("L", (wc, hc), 0)
            ImageDraw.Draw(im).text((pad, pad), ch, font=font, fill=255, stroke_width=stroke, stroke_fill=255)
            a = np.asarray(im)
            cols = np.flatnonzero(a.max(0) > 40)
            rows = np.flatnonzero(a.max(1) > 40)
            adv = font.getlength(ch) + 2 * stroke
            if len(cols) == 0:
                raw[ch] = (None, 0, adv)
                continue
            top, bot = min(top, rows[0]), max(bot, rows[-1])
            raw[ch] = (a[:, cols[0]:cols[-1] + 1], cols[0] - pad, adv)
        self.rows = bot - top + 1
        self.glyphs = {}
        for ch, (a, xoff, adv) in raw.items():
            if a is None:
                self.glyphs[ch] = (np.zeros((self.rows, 0), np.uint8), 0, adv)
            else:
                self.glyphs[ch] = (np.ascontiguousarray(a[top:bot + 1]), xoff, adv)
        h = self.glyphs["H"][0]
        hr = np.flatnonzero(h.max(1) > 40)
        self.cap_top, self.cap_h = int(hr[0]), int(hr[-1] - hr[0] + 1)
        ws = [self.glyphs[c][0].shape[1] for c in LETTERS + DIGITS if c in self.glyphs]
        self.wmax = max(ws)
        self.wmed = float(np.median(ws))


_BANKS = {}
_MAIN_CHARS = DIGITS + LETTERS
_SMALL_CHARS = "".join(chr(c) for c in range(32, 127))
_STROKES = {128: (0, 2, 4), 64: (0, 1, 2), 36: (0, 0, 0)}


def _bank(key, stroke=0, size=128):
    """size 128 / 64: registration glyphs (stroke level 0..2); size 36: all printable ASCII for small text."""
    k = (key, stroke, size)
    b = _BANKS.get(k)
    if b is None:
        b = _Bank(key, size, _STROKES[size][stroke], _SMALL_CHARS if size == 36 else _MAIN_CHARS)
        _BANKS[k] = b
    return b


def warm_up():
    """Builds every glyph bank now (a second or two) instead of lazily on first use."""
    for key in _FONT_FILES:
        _bank(key, 0, 36)
        for s in range(3):
            _bank(key, s, 64)
            _bank(key, s, 128)


# --------------------------------------------------------------------------- noise banks

_NB = {}


def _noise_bank():
    if "n" not in _NB:
        g = np.random.default_rng(20240601)
        _NB["n"] = g.standard_normal((512, 512, 3)).astype(np.float32)
        lf = cv2.GaussianBlur(g.standard_normal((256, 256)).astype(np.float32), (0, 0), 6)
        _NB["lf"] = lf / lf.std()
    return _NB


def _noise(rng, h, w, c):
    nb = _noise_bank()["n"]
    if h > 512 or w > 512:
        nb = np.pad(nb, ((0, max(0, h - 512)), (0, max(0, w - 512)), (0, 0)), mode="wrap")
    y = int(rng.integers(0, nb.shape[0] - h + 1))
    x = int(rng.integers(0, nb.shape[1] - w + 1))
    n = nb[y:y + h, x:x + w]
    return n[:, :, :c] if c > 1 else n[:, :, 0]


def _lowfreq(rng, h, w, cells):
    """Smooth noise field of shape (h, w), std ~1, with about `cells` blobs across."""
    lf = _noise_bank()["lf"]
    cw = int(min(255, max(8, 256 * cells / 40)))
    ch = int(min(255, max(8, cw * h / max(w, 1))))
    y = int(rng.integers(0, 256 - ch + 1))
    x = int(rng.integers(0, 256 - cw + 1))
    return cv2.resize(lf[y:y + ch, x:x + cw], (w, h), interpolation=cv2.INTER_LINEAR)


# --------------------------------------------------------------------------- small helpers

def _u(rng, a, b):
    return a + (b - a) * rng.random()


def _pick(rng, seq, p=None):
    if p is None:
        return seq[int(rng.integers(len(seq)))]
    p = np.asarray(p, np.float64)
    return seq[int(np.searchsorted(np.cumsum(p) / p.sum(), rng.random(), side="right"))]


def _col(c, jitter=0, rng=None):
    c = np.array(c, np.float32)
    if jitter and rng is not None:
        c = c + rng.uniform(-jitter, jitter, 3).astype(np.float32)
    return np.minimum(np.maximum(c, 0), 255)


def _lum(c):
    return 0.114 * c[0] + 0.587 * c[1] + 0.299 * c[2]


def _put(img, mask, x, y, color, alpha=1.0):
    """Alpha-blends uint8 mask (h, w) at integer (x, y) of float image with a colour."""
    h, w = mask.shape
    H, W = img.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    m = mask[y0 - y:y1 - y, x0 - x:x1 - x].astype(np.float32) * (alpha / 255.0)
    roi = img[y0:y1, x0:x1]
    roi += (np.asarray(color, np.float32) - roi) * m[:, :, None]


def _fill_gradient(img, c0, c1, vertical=True, x0=0, y0=0, x1=None, y1=None):
    x1 = img.shape[1] if x1 is None else x1
    y1 = img.shape[0] if y1 is None else y1
    if x1 <= x0 or y1 <= y0:
        return
    g = np.array([c0, c1], np.float32)
    g = g[:, None, :] if vertical else g[None, :, :]
    img[y0:y1, x0:x1] = cv2.resize(g, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)


def _ri(v):
    return int(round(v))


# --------------------------------------------------------------------------- text

def _gen_text(rng, pattern):
    """Pattern: L letter, N digit, A either; ' ' space, '-' dash, '.' middle dot, '*' emblem gap."""
    toks, label = [], []
    for p in pattern:
        if p == "L":
            c = LETTERS[int(rng.integers(26))]
        elif p == "N":
            c = DIGITS[int(rng.integers(10))]
        elif p == "A":
            c = CHARSET[int(rng.integers(len(CHARSET)))]
        else:
            toks.append(p)
            continue
        toks.append(c)
        label.append(c)
    return toks, "".join(label)


def _compose(bank, toks, spacing, mono=False, sep_w=None, dash=(0.38, 0.1), dot=(0.16, 0.1)):
    """Concatenates glyphs at bank resolution. Returns mask, list of (kind, x0, x1) gaps."""
    sep_w = sep_w or {}
    sp = spacing * bank.cap_h
    cell = bank.wmed * 1.02
    parts, specials = [], []
    x = 0.0
    for t in toks:
        if t in bank.glyphs and t not in " -.*":
            g = bank.glyphs[t][0]
            gw = g.shape[1]
            if mono:
                cw = max(cell, gw)
                parts.append((g, x + (cw - gw) / 2))
                x += cw + sp
            else:
                parts.append((g, x))
                x += gw + sp
        else:
            w = sep_w.get(t, {" ": 0.45, "-": dash[0] + 0.1, ".": dot[0] + 0.12, "*": 0.8}[t]) * bank.cap_h
            specials.append((t, x, x + w))
            x += w + sp
    total = max(1, int(math.ceil(x - sp)))
    m = np.zeros((bank.rows, total), np.uint8)
    for g, gx in parts:
        xi = int(gx)
        w = min(g.shape[1], total - xi)
        np.maximum(m[:, xi:xi + w], g[:, :w], out=m[:, xi:xi + w])
    mid = bank.cap_top + bank.cap_h * 0.5
    for t, a, b in specials:
        if t in "-.":
            dw, dh = dash if t == "-" else dot
            w = dw * bank.cap_h
            c = (a + b) / 2
            hh = max(1, int(dh * bank.cap_h / 2))
            m[int(mid - hh):int(mid + hh) + 1, int(c - w / 2):int(c + w / 2) + 1] = 255
    return m, specials


def _stroke(rng, font, heavy=False):
    """Stroke level for the registration: Roadgeek is thin (needs 1-2), DIN medium, DejaVu Bold already heavy."""
    if font.startswith("rg"):
        return int(_pick(rng, [0, 1, 2], [0.15, 0.45, 0.4] if heavy else [0.25, 0.45, 0.3]))
    if font == "din":
        return int(_pick(rng, [0, 1, 2], [0.4, 0.45, 0.15] if heavy else [0.5, 0.4, 0.1]))
    return 0


def _main_text(rng, img, toks, font, stroke, cap, cx, cy, max_w, color, xstretch=1.0, spacing=0.12,
               mono=False, emboss=0.0, sep_w=None, dash=(0.38, 0.1), dot=(0.16, 0.1), shadow=None):
    """Draws the registration centred at (cx, cy = cap centre). Returns gap boxes in image coords."""
    b = _bank(font, stroke, 64 if cap < 40 else 128)
    m, specials = _compose(b, toks, spacing, mono, sep_w, dash, dot)
    s = cap / b.cap_h
    sx = s * xstretch
    if m.shape[1] * sx > max_w:
        sx = max_w / m.shape[1]
        if sx < 0.7 * s:  # too squeezed: shrink the glyphs too
            s = max(sx / 0.7, cap * 0.6 / b.cap_h)
            sx = min(sx, max_w / m.shape[1])
    tw, th = max(1, _ri(m.shape[1] * sx)), max(1, _ri(m.shape[0] * s))
    mm = cv2.resize(m, (tw, th), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    x = _ri(cx - tw / 2)
    y = _ri(cy - (b.cap_top + b.cap_h / 2) * s)
    if emboss > 0:
        d = max(1, _ri(emboss * cap))
        light = np.minimum(np.asarray(color, np.float32) * 0.3 + 200, 255)
        _put(img, mm, x - d, y - d, light, 0.55)
        _put(img, mm, x + d, y + d, np.asarray(color, np.float32) * 0.35, 0.6)
    if shadow is not None:
        d = max(1, _ri(0.04 * cap))
        _put(img, mm, x + d, y + d, shadow, 0.7)
    _put(img, mm, x, y, color)
    y0, y1 = y + b.cap_top * s, y + (b.cap_top + b.cap_h) * s
    return [(t, x + a * sx, x + e * sx, y0, y1) for t, a, e in specials], (x, y0, x + tw, y1)


def _small_text(img, text, font, cap, cx, cy, color, max_w=None, xstretch=1.0, tracking=0.0,
                align="center", alpha=1.0):
    """Small text (state names, slogans...) from the advance-width glyph bank."""
    if cap < 1.5 or not text:
        return
    b = _bank(font, 0, 36)
    pen, parts = 0.0, []
    for ch in text:
        g, xoff, adv = b.glyphs.get(ch, b.glyphs["?"])
        parts.append((g, pen + xoff))
        pen += adv + tracking * b.cap_h
    x_min = min(0.0, min(px for _, px in parts))
    total = int(math.ceil(max(pen, max(px + g.shape[1] for g, px in parts)) - x_min)) + 1
    m = np.zeros((b.rows, total), np.uint8)
    for g, px in parts:
        xi = int(px - x_min)
        w = min(g.shape[1], total - xi)
        if w > 0:
            np.maximum(m[:, xi:xi + w], g[:, :w], out=m[:, xi:xi + w])
    s = cap / b.cap_h
    sx = s * xstretch
    if max_w is not None and total * sx > max_w:
        sx = max_w / total
    tw, th = max(1, _ri(total * sx)), max(1, _ri(b.rows * s))
    mm = cv2.resize(m, (tw, th), interpolation=cv2.INTER_AREA)
    if align == "center":
        x = _ri(cx - tw / 2)
    elif align == "left":
        x = _ri(cx)
    else:
        x = _ri(cx - tw)
    y = _ri(cy - (b.cap_top + b.cap_h / 2) * s)
    _put(img, mm, x, y, color, alpha)


# --------------------------------------------------------------------------- vocabularies

_STATES = ["Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
           "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
           "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi",
           "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico",
           "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania",
           "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont",
           "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "myflorida.com"]
_SLOGANS = ["Sunshine State", "Garden State", "Live Free or Die", "Land of Lincoln", "The Empire State",
            "Famous Potatoes", "Wild, Wonderful", "Constitution State", "Ocean State", "Green Mountain State",
            "The Natural State", "Great Lakes", "Lone Star State", "Heart of Dixie", "Show Me State",
            "America's Dairyland", "Peach State", "Grand Canyon State", "Land of Enchantment",
            "Sportsman's Paradise", "Keystone State", "First in Flight", "Vacationland", "Pure Michigan",
            "Explore Minnesota", "Great Faces. Great Places.", "Spirit of America", "Discover the Spirit",
            "The First State", "Evergreen State", "In God We Trust", "Conquer Cancer", "dmv.ca.gov",
            "Celebrating Statehood 1959-2009", "Peace Garden State", "We Care", "Choose Life",
            "Protect Wildlife", "Support Education", "Veteran", "Wild Wonderful", "visitPA.com",
            "Beautiful Wisconsin", "Official Seal", "Imagine", "10,000 Lakes", "The Volunteer State"]
_DEALERS = ["HONDA OF DOWNTOWN", "TOYOTA", "FORD", "CHEVROLET", "BMW", "VOLVO", "MERCEDES-BENZ", "NISSAN",
            "AUTOHAUS MUELLER", "Autohaus Schmidt GmbH", "www.autoplaza.com", "LEGENDS", "RAM", "SUBARU",
            "DODGE", "KIA", "MAZDA", "Auto Center 555-0199", "JEEP", "www.cars.nl", "GARAGE DU CENTRE",
            "CONCESSIONARIA", "AUTO MOBIL s.r.o.", "Henk Scholten", "VW Partner", "PEUGEOT", "RENAULT"]
_BR_CITIES = ["SP - SAO PAULO", "BA - SALVADOR", "PR - CURITIBA", "MG - BELO HORIZONTE", "RJ - RIO DE JANEIRO",
              "SP - DIADEMA", "BA - LAURO DE FREITAS", "ES - VITORIA", "PR - PARANAGUA", "SC - FLORIANOPOLIS",
              "RS - PORTO ALEGRE", "GO - GOIANIA", "DF - BRASILIA", "MG - MONTES CLAROS", "PE - RECIFE",
              "CE - FORTALEZA", "BA - SIMOES FILHO", "BA - DIAS D'AVILA", "SP - CAMPINAS", "PR - CASCAVEL",
              "SP - SANTOS", "MG - UBERLANDIA", "PR - LONDRINA", "SP - GUARULHOS", "BA - FEIRA DE SANTANA",
              "AM - MANAUS", "PA - BELEM", "SP - OSASCO", "RJ - NITEROI", "PR - MARINGA"]
_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def _word(rng):
    n = int(rng.integers(3, 10))
    w = "".join(LETTERS[int(rng.integers(26))] for _ in range(n))
    r = rng.random()
    return w if r < 0.4 else (w.capitalize() if r < 0.85 else w.lower())


def _slogan(rng):
    if rng.random() < 0.6:
        s = _pick(rng, _SLOGANS)
        return s.upper() if rng.random() < 0.35 else s
    return " ".join(_word(rng) for _ in range(int(rng.integers(1, 4))))


# --------------------------------------------------------------------------- graphics

def _rivets(rng, img, pts, r, bg):
    kind = int(rng.integers(3))
    for x, y in pts:
        x, y = _ri(x), _ri(y)
        rr = max(1, _ri(r * _u(rng, 0.8, 1.2)))
        if kind == 0:  # bolt head: metallic with a slot
            g = _u(rng, 110, 200)
            cv2.circle(img, (x, y), rr, (g, g, g), -1, cv2.LINE_AA)
            cv2.circle(img, (x, y), rr, (g * 0.5,) * 3, max(1, rr // 4), cv2.LINE_AA)
            a = rng.random() * math.pi
            dx, dy = rr * 0.8 * math.cos(a), rr * 0.8 * math.sin(a)
            cv2.line(img, (_ri(x - dx), _ri(y - dy)), (_ri(x + dx), _ri(y + dy)), (g * 0.4,) * 3,
                     max(1, rr // 3), cv2.LINE_AA)
        elif kind == 1:  # empty hole: dark
            d = _u(rng, 10, 60)
            cv2.ellipse(img, (x, y), (_ri(rr * _u(rng, 1, 1.8)), rr), 0, 0, 360, (d, d, d), -1, cv2.LINE_AA)
        else:  # rivet painted over with the plate colour
            c = tuple(float(v) * 0.75 for v in bg)
            cv2.circle(img, (x, y), rr, c, max(1, rr // 3), cv2.LINE_AA)


def _sticker(rng, img, x, y, w, h, txt_frac=0.5):
    cols = [(30, 30, 210), (40, 200, 250), (200, 90, 20), (40, 160, 40), (230, 230, 230), (20, 120, 250),
            (160, 40, 160), (30, 30, 30)]
    c = _col(_pick(rng, cols), 15, rng)
    x, y, w, h = _ri(x), _ri(y), max(2, _ri(w)), max(2, _ri(h))
    cv2.rectangle(img, (x, y), (x + w, y + h), tuple(float(v) for v in c), -1)
    tc = (20, 20, 20) if _lum(c) > 120 else (240, 240, 240)
    txt = _pick(rng, [str(int(rng.integers(0, 100))).zfill(2), str(int(rng.integers(1995, 2026))),
                      _pick(rng, _MONTHS), str(int(rng.integers(1, 13)))])
    _small_text(img, txt, "djc", h * txt_frac, x + w / 2, y + h * 0.55, tc, max_w=w * 0.9)
    if rng.random() < 0.5:
        _small_text(img, str(int(rng.integers(100000, 9999999))), "djc", h * 0.16, x + w / 2, y + h * 0.15,
                    tc, max_w=w * 0.9)


def _emblem(rng, img, kind, x0, x1, y0, y1, color, bg):
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = x1 - x0, y1 - y0
    if kind == "seals":  # German registration seals: coloured sticker over the state seal
        r = max(1.5, min(w * 0.42, h * 0.2))
        c1 = _col(_pick(rng, [(60, 140, 240), (200, 130, 40), (80, 180, 80), (180, 120, 230), (60, 200, 230)]))
        cv2.circle(img, (_ri(cx), _ri(cy - h * 0.22)), _ri(r), tuple(map(float, c1)), -1, cv2.LINE_AA)
        cv2.circle(img, (_ri(cx), _ri(cy + h * 0.22)), _ri(r), (200, 200, 200), -1, cv2.LINE_AA)
        cv2.circle(img, (_ri(cx), _ri(cy + h * 0.22)), _ri(r * 0.55),
                    tuple(map(float, _col(_pick(rng, [(40, 40, 200), (30, 30, 30), (160, 60, 20)])))), -1,
                    cv2.LINE_AA)
    elif kind == "shield":
        sw, sh = min(w * 0.8, h * 0.5), h * 0.62
        top = cy - sh / 2
        pts = np.array([[cx - sw / 2, top], [cx + sw / 2, top], [cx + sw / 2, top + sh * 0.6], [cx, top + sh],
                        [cx - sw / 2, top + sh * 0.6]], np.float32)
        c = _col(_pick(rng, [(40, 40, 200), (160, 60, 20), (40, 140, 40), (30, 160, 220)]))
        cv2.fillPoly(img, [np.round(pts).astype(np.int32)], tuple(map(float, c)), cv2.LINE_AA)
        cv2.line(img, (_ri(cx), _ri(top + sh * 0.15)), (_ri(cx), _ri(top + sh * 0.7)), (235, 235, 235),
                 max(1, _ri(sw * 0.12)))
        cv2.line(img, (_ri(cx - sw * 0.25), _ri(top + sh * 0.3)), (_ri(cx + sw * 0.25), _ri(top + sh * 0.3)),
                 (235, 235, 235), max(1, _ri(sw * 0.1)))
    elif kind == "star":
        r = min(w, h) * _u(rng, 0.3, 0.45)
        a0 = -math.pi / 2
        pts = [(cx + (r if i % 2 == 0 else r * 0.42) * math.cos(a0 + i * math.pi / 5),
                cy + (r if i % 2 == 0 else r * 0.42) * math.sin(a0 + i * math.pi / 5)) for i in range(10)]
        cv2.fillPoly(img, [np.round(np.array(pts)).astype(np.int32)], tuple(map(float, color)), cv2.LINE_AA)
    elif kind == "shape":  # state silhouette-ish blob
        n = 7
        r = min(w * 0.45, h * 0.3)
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = r * rng.uniform(0.6, 1.1, n)
        pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang) * 1.2], 1)
        cv2.fillPoly(img, [np.round(pts).astype(np.int32)], tuple(map(float, color)), cv2.LINE_AA)
    elif kind == "seal":
        r = min(w * 0.48, h * 0.42)
        c = _col((60, 150, 190), 30, rng)
        cv2.circle(img, (_ri(cx), _ri(cy)), _ri(r), tuple(map(float, c)), -1, cv2.LINE_AA)
        cv2.circle(img, (_ri(cx), _ri(cy)), _ri(r), tuple(map(float, color)), max(1, _ri(r * 0.12)), cv2.LINE_AA)
        cv2.circle(img, (_ri(cx), _ri(cy)), _ri(r * 0.45), tuple(float(v) * 0.6 for v in c), -1, cv2.LINE_AA)
    elif kind == "sticker":
        _sticker(rng, img, cx - w * 0.4, cy - h * 0.3, w * 0.8, h * 0.6, txt_frac=0.4)


# --------------------------------------------------------------------------- US

_US_DARK_TEXT = [(110, 35, 15), (25, 25, 25), (40, 80, 20), (35, 30, 120), (120, 50, 30), (60, 30, 20)]
_US_LIGHT_BG = [(245, 245, 245), (232, 238, 242), (245, 238, 225), (215, 240, 248), (228, 228, 228),
                (250, 240, 230), (220, 235, 220)]
_US_DARK_BG = [(100, 40, 10), (45, 80, 15), (30, 30, 30), (40, 25, 100), (140, 70, 20), (60, 60, 70),
               (70, 30, 20)]
_US_YELLOW_BG = [(40, 200, 245), (70, 215, 250), (30, 170, 240), (110, 225, 245)]
_US_FORMATS = [("NLLLNNN", 3), ("LLL NNNN", 4), ("LLL-NNNN", 2), ("LLLNNNN", 3), ("LLL NNN", 3), ("LLL-NNN", 2),
               ("NNN LLL", 2), ("NNN-LLL", 1), ("LL NNNNN", 1), ("NLL NNNN", 1), ("NNN NNN", 1), ("NNN NNNN", 1),
               ("LL-NNNN", 1), ("NLLNNN", 1), ("LLNNNN", 1), ("AAAAA", 1), ("AAAAAA", 1.5), ("AAAAAAA", 1),
               ("NLL NNN", 1), ("LLLNNN", 2), ("NNNLLL", 1), ("NN LLNN", 0.5), ("NNNNNNN", 0.5), ("LLNN LL", 0.5),
               ("NLNNNNL", 0.5), ("LNNNNN", 0.5), ("AAAA", 0.3), ("AAAAAAAA", 0.3)]


def _us_format(rng, style):
    if style == "us_ca" and rng.random() < 0.85:
        return "NLLLNNN"
    if style == "us_emblem":
        return _pick(rng, ["LLL*NNNN", "LLL*NNN", "NNN*LLL", "LL*NNNNN", "NLL*NNN", "NNN*NNN", "LLL*NNLL",
                           "NN*LLNN"])
    f = _pick(rng, [f for f, _ in _US_FORMATS], [w for _, w in _US_FORMATS])
    if " " in f and rng.random() < 0.15:
        f = f.replace(" ", "*")
    return f


def _us_plate(rng, style, W, H):
    img = np.empty((H, W, 3), np.float32)
    emboss = 0.0
    state = _pick(rng, _STATES)
    state = state.upper() if rng.random() < 0.5 else state
    state_font = _pick(rng, ["dsc", "dsi", "djs", "djc", "rgD", "dsr", "din"])
    emblem_kind = _pick(rng, ["shape", "star", "seal", "sticker"])
    if style == "us_ca":
        bg = _col((242, 242, 240), 10, rng)
        _fill_gradient(img, bg, bg * _u(rng, 0.9, 1.0))
        text_c = _col((95, 35, 20), 20, rng)
        state, state_font, state_c = "California", "dsi", _col((40, 30, 200), 25, rng)
    elif style == "us_dark":
        bg = _col(_pick(rng, _US_DARK_BG), 20, rng)
        img[:] = bg
        text_c = _col(_pick(rng, [(240, 240, 240), (80, 200, 240), (200, 230, 240), (150, 230, 250)]), 10, rng)
        state_c = text_c if rng.random() < 0.6 else _col((240, 240, 240))
    elif style == "us_yellow":
        bg = _col(_pick(rng, _US_YELLOW_BG), 15, rng)
        _fill_gradient(img, bg, bg * _u(rng, 0.85, 1.0), vertical=rng.random() < 0.5)
        text_c = _col(_pick(rng, [(110, 35, 15), (25, 25, 25), (40, 80, 20), (120, 60, 20)]), 15, rng)
        state_c = text_c if rng.random() < 0.6 else _col(_pick(rng, _US_DARK_TEXT))
    elif style == "us_embossed":
        if rng.random() < 0.5:
            bg = _col(_pick(rng, _US_DARK_BG + _US_YELLOW_BG), 20, rng)
        else:
            bg = _col(_pick(rng, _US_LIGHT_BG), 10, rng)
        img[:] = bg
        light_bg = _lum(bg) > 120
        text_c = _col(_pick(rng, _US_DARK_TEXT) if light_bg else _pick(rng, [(240, 240, 240), (80, 200, 240)]),
                      15, rng)
        state_c = text_c
        emboss = _u(rng, 0.025, 0.05)
    else:  # generic, graphic, band, emblem, gradient: light backgrounds
        bg = _col(_pick(rng, _US_LIGHT_BG), 10, rng)
        img[:] = bg
        text_c = _col(_pick(rng, _US_DARK_TEXT), 15, rng)
        state_c = _col(_pick(rng, _US_DARK_TEXT + [(40, 40, 200), (30, 30, 160)]), 15, rng)
        if style == "us_gradient":
            c2 = _col(_pick(rng, [(235, 200, 160), (200, 225, 250), (180, 215, 240), (225, 225, 200),
                                  (205, 235, 205)]), 15, rng)
            _fill_gradient(img, bg, c2, vertical=rng.random() < 0.7)
            if rng.random() < 0.5:
                _fill_gradient(img, c2, bg, vertical=True, y1=H // 2)
        elif style == "us_graphic":
            sky = _col(_pick(rng, [(235, 200, 150), (250, 225, 200), (200, 230, 250), (230, 240, 245)]), 15, rng)
            _fill_gradient(img, sky, bg, vertical=True)
            if rng.random() < 0.7:  # hills / mountains along the bottom
                n = int(rng.integers(4, 9))
                xs = np.linspace(-0.1, 1.1, n) * W
                ys = H * rng.uniform(0.62, 0.85, n)
                pts = np.concatenate([np.stack([xs, ys], 1), [[W * 1.1, H], [-0.1 * W, H]]])
                hc = _col(_pick(rng, [(90, 130, 60), (160, 110, 70), (120, 160, 200), (70, 90, 130)]), 20, rng)
                cv2.fillPoly(img, [np.round(pts).astype(np.int32)], tuple(map(float, hc)), cv2.LINE_AA)
            if rng.random() < 0.55:  # big silhouette / logo behind the characters
                gc = _col(_pick(rng, [(40, 140, 240), (60, 120, 60), (150, 100, 60), (60, 60, 60),
                                      (120, 150, 120)]), 25, rng)
                cxg, cyg = _u(rng, 0.2, 0.8) * W, _u(rng, 0.35, 0.7) * H
                n = int(rng.integers(6, 12))
                ang = np.sort(rng.uniform(0, 2 * np.pi, n))
                rad = H * _u(rng, 0.18, 0.4) * rng.uniform(0.5, 1.2, n)
                pts = np.stack([cxg + rad * np.cos(ang), cyg + rad * np.sin(ang)], 1)
                layer = img.copy()
                cv2.fillPoly(layer, [np.round(pts).astype(np.int32)], tuple(map(float, gc)), cv2.LINE_AA)
                a = _u(rng, 0.25, 0.85)
                img[:] = img * (1 - a) + layer * a
            if rng.random() < 0.3:
                cv2.circle(img, (_ri(_u(rng, 0.1, 0.9) * W), _ri(_u(rng, 0.15, 0.4) * H)), _ri(H * _u(rng, 0.08, 0.2)),
                           tuple(map(float, _col((60, 200, 250), 20, rng))), -1, cv2.LINE_AA)
    top_band = bot_band = 0.0
    if style == "us_band" or (style == "us_generic" and rng.random() < 0.15):
        band_c = _col(_pick(rng, [(110, 40, 10), (30, 30, 170), (40, 90, 20), (30, 30, 30), (20, 120, 230)]), 15, rng)
        top_band = _u(rng, 0.17, 0.26) * H
        img[:_ri(top_band)] = band_c
        if rng.random() < 0.5:
            bot_band = _u(rng, 0.1, 0.16) * H
            img[H - _ri(bot_band):] = band_c
        state_c = _col((245, 245, 245)) if rng.random() < 0.8 else _col((60, 200, 240))
        if rng.random() < 0.6:
            text_c = band_c * 0.9
    # faint background motif (seal / outline) behind the text
    if style in ("us_generic", "us_gradient") and rng.random() < 0.3:
        c = bg * 0.85 + _col(_pick(rng, _US_DARK_TEXT)) * 0.15
        cv2.circle(img, (_ri(W * _u(rng, 0.3, 0.7)), _ri(H * 0.5)), _ri(H * _u(rng, 0.25, 0.4)), tuple(map(float, c)),
                   -1 if rng.random() < 0.5 else max(1, _ri(H * 0.03)), cv2.LINE_AA)
    # border
    if rng.random() < 0.5 or style == "us_embossed":
        inset = _u(rng, 0.015, 0.05) * H
        th = max(1, _ri(_u(rng, 0.01, 0.03) * H))
        bc = text_c if rng.random() < 0.7 else state_c
        cv2.rectangle(img, (_ri(inset), _ri(inset)), (_ri(W - 1 - inset), _ri(H - 1 - inset)), tuple(map(float, bc)),
                      th, cv2.LINE_AA)
    # state name on top (sometimes at the bottom)
    state_bottom = rng.random() < 0.12 and style != "us_ca"
    scap = _u(rng, 0.1, 0.17) * H if style != "us_ca" else _u(rng, 0.13, 0.16) * H
    sy = (top_band / 2 if top_band else _u(rng, 0.12, 0.17) * H) if not state_bottom else _u(rng, 0.85, 0.9) * H
    if rng.random() < 0.97:
        sx_, tr = W / 2 + _u(rng, -0.05, 0.05) * W, _u(rng, 0, 0.12)
        if emboss:
            d = max(1.0, 0.05 * scap)
            _small_text(img, state, state_font, scap, sx_ + d, sy + d, bg * 0.5, max_w=W * 0.7, tracking=tr)
        _small_text(img, state, state_font, scap, sx_, sy, state_c, max_w=W * 0.7, tracking=tr)
    # slogan
    if rng.random() < 0.75:
        syb = (H - bot_band / 2) if bot_band else _u(rng, 0.86, 0.91) * H
        if state_bottom:
            syb = _u(rng, 0.1, 0.14) * H
        sc = state_c if rng.random() < 0.5 else text_c
        if bot_band:
            sc = _col((245, 245, 245))
        _small_text(img, _slogan(rng), _pick(rng, ["djc", "djs", "dsc", "dsi", "rgD", "djr", "dsr"]),
                    _u(rng, 0.055, 0.09) * H, W / 2, syb, sc, max_w=W * 0.75, tracking=_u(rng, 0, 0.1))
    # the registration
    fmt = _us_format(rng, style)
    toks, label = _gen_text(rng, fmt)
    font = _pick(rng, ["rgC", "rgD", "rgB", "din", "djc", "rgE"], [0.3, 0.25, 0.08, 0.2, 0.12, 0.05])
    stroke = _stroke(rng, font)
    if style == "us_embossed" or emboss == 0 and rng.random() < 0.25:
        emboss = emboss or _u(rng, 0.01, 0.03)
    cap = _u(rng, 0.38, 0.5) * H
    if style == "us_ca":
        cap = _u(rng, 0.4, 0.46) * H
    cy = _u(rng, 0.48, 0.56) * H
    if top_band:
        cy = max(cy, top_band + cap * 0.55 + 0.04 * H)
    xs = _u(rng, 0.85, 1.2) if font in ("din", "rgB") else _u(rng, 0.8, 1.05)
    sep_w = {"*": _u(rng, 0.5, 1.1), " ": _u(rng, 0.25, 0.8)}
    gaps, box = _main_text(rng, img, toks, font, stroke, cap, W / 2 + _u(rng, -0.02, 0.02) * W, cy, W * 0.9, text_c,
                           xstretch=xs, spacing=_u(rng, 0.06, 0.22), mono=rng.random() < 0.3, emboss=emboss,
                           sep_w=sep_w, dash=(_u(rng, 0.2, 0.45), _u(rng, 0.07, 0.12)))
    for t, x0, x1, y0, y1 in gaps:
        if t == "*":
            _emblem(rng, img, emblem_kind, x0, x1, y0, y1, text_c, bg)
    # stickers at the top corners (sometimes bottom), bolt holes
    sw, sh = _u(rng, 0.1, 0.16) * W, _u(rng, 0.11, 0.17) * H
    for side in (0, 1):
        if rng.random() < (0.75 if style == "us_ca" else 0.4):
            x = _u(rng, 0.03, 0.08) * W if side == 0 else W - _u(rng, 0.03, 0.08) * W - sw
            y = _u(rng, 0.04, 0.09) * H if rng.random() < 0.8 else H - _u(rng, 0.05, 0.1) * H - sh
            _sticker(rng, img, x, y, sw, sh)
    if rng.random() < 0.85:
        pts = [(0.21 * W, 0.12 * H), (0.79 * W, 0.12 * H)]
        if rng.random() < 0.5:
            pts += [(0.21 * W, 0.88 * H), (0.79 * W, 0.88 * H)]
        _rivets(rng, img, [(x + _u(rng, -3, 3) * W / 300, y) for x, y in pts], 0.028 * H, bg)
    return img, label, bg


# --------------------------------------------------------------------------- EU

_EU_CODES = {"eu_de": "D", "eu_fr": "F", "eu_nl": "NL", "eu_uk": "GB", "eu_it": "I", "eu_es": "E", "eu_pl": "PL",
             "eu_sk": "SK", "eu_cz": "CZ"}
# misc countries: (code, formats, text colour, emblem)
_EU_MISC = [("A", ["L*NNNNNL", "LL*NNNLL", "L*NNNLL"], None, "shield"), ("B", ["N-LLL-NNN"], (30, 25, 170), None),
            ("RO", ["LL NN LLL", "L NNN LLL"], None, None), ("H", ["LLL-NNN", "LLLL-NNN"], None, None),
            ("SLO", ["LL*LL-NNN", "LL*NN-NLL"], None, "shield"), ("IRL", ["NN-L-NNNNN", "NNN-LL-NNNN"], None, None),
            ("P", ["NN-LL-NN", "LL-NN-LL"], None, None), ("GR", ["LLL-NNNN"], None, None),
            ("HR", ["LL*NNN-LL", "LL*NNNN-L"], None, "shield"), ("LT", ["LLL NNN"], None, None),
            ("BG", ["L NNNN LL", "LL NNNN LL"], None, None), ("L", ["LL NNNN"], None, None),
            ("DK", ["LL NN NNN"], None, None), ("S", ["LLL NNL", "LLL NNN"], None, None),
            ("FIN", ["LLL-NNN"], None, None), ("LV", ["LL-NNNN"], None, None)]


def _eu_format(rng, style):
    if style == "eu_de":
        d = "L" * int(_pick(rng, [1, 2, 3], [0.3, 0.45, 0.25]))
        l2 = "L" * int(_pick(rng, [1, 2], [0.35, 0.65]))
        n = "N" * int(_pick(rng, [1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4]))
        while len(d) + len(l2) + len(n) > 8:
            n = n[:-1]
        while len(d) + len(l2) + len(n) < 4:
            n += "N"
        sep = "*" if rng.random() < 0.8 else _pick(rng, ["-", " "])
        return d + sep + l2 + " " + n + ("L" if rng.random() < 0.03 else ""), None, "seals", None
    if style == "eu_fr":
        return "LL-NNN-LL", None, None, None
    if style == "eu_nl":
        return _pick(rng, ["NN-LLL-N", "N-LLL-NN", "LL-NNN-L", "L-NNN-LL", "LLL-NN-L", "NN-LL-LL", "LL-NN-NN",
                           "NN-LLL-N", "LL-LL-NN"]), None, None, None
    if style == "eu_uk":
        return _pick(rng, ["LLNN LLL", "LLNN LLL", "LLNNLLL", "LNNN LLL", "LLL NNNL"]), None, None, None
    if style == "eu_it":
        return _pick(rng, ["LL NNNLL", "LLNNNLL"]), None, None, None
    if style == "eu_es":
        return _pick(rng, ["NNNN LLL", "NNNN-LLL", "L-NNNN-LL"], [0.8, 0.1, 0.1]), None, None, None
    if style == "eu_pl":
        return _pick(rng, ["LL NNNNN", "LLL NNNN", "LL NNNLL", "LLL NNLL", "LL NNNNL", "LLL LNNN"]), None, None, None
    if style == "eu_sk":
        return _pick(rng, ["LL*NNNLL", "LL-NNNLL", "LL NNNLL"], [0.6, 0.3, 0.1]), None, "shield", None
    if style == "eu_cz":
        return _pick(rng, ["NLN NNNN", "NLN NNNN", "NLL NNNN", "NLNNNNN"]), None, None, None
    code, fmts, tc, em = _pick(rng, _EU_MISC)
    return _pick(rng, fmts), tc, em, code


def _eu_stars(img, cx, cy, r, color):
    rr = max(1, _ri(r * 0.17))
    for i in range(12):
        a = i * math.pi / 6
        cv2.circle(img, (_ri(cx + r * math.cos(a)), _ri(cy + r * math.sin(a))), rr, color, -1, cv2.LINE_AA)


def _eu_plate(rng, style, W, H):
    img = np.empty((H, W, 3), np.float32)
    fmt, tcol, em, code = _eu_format(rng, style)
    code = code or _EU_CODES[style]
    yellow = style == "eu_nl" or (style == "eu_uk" and rng.random() < 0.5) or (style == "eu" and rng.random() < 0.03)
    bg = _col((30, 195, 250) if yellow else (244, 244, 244), 10, rng)
    _fill_gradient(img, bg, bg * _u(rng, 0.9, 1.0), vertical=rng.random() < 0.5)
    if rng.random() < 0.25:  # retroreflective sheeting watermark / hologram texture
        c = bg * 0.93
        for _ in range(int(rng.integers(2, 6))):
            y = _u(rng, 0, 1) * H
            cv2.line(img, (0, _ri(y)), (W, _ri(y + _u(rng, -0.5, 0.5) * H)), tuple(map(float, c)),
                     max(1, _ri(0.03 * H)), cv2.LINE_AA)
    text_c = _col(tcol if tcol is not None else (25, 25, 25), 12, rng)
    blue = _col((165, 60, 0), 20, rng)
    left = _u(rng, 0.015, 0.03) * W
    right = W - _u(rng, 0.015, 0.03) * W
    band = style != "eu_uk" or rng.random() < 0.6
    if style == "eu" and code in ("H", "FIN") and rng.random() < 0.5:
        band = False
    if band:
        bw = _u(rng, 0.07, 0.09) * W
        img[:, :_ri(bw)] = blue
        _eu_stars(img, bw / 2, H * 0.33, bw * 0.3, (0, 210, 255))
        if style == "eu_uk" and rng.random() < 0.3:
            code = "UK"
        _small_text(img, code, "djs", H * _u(rng, 0.2, 0.25), bw / 2, H * 0.76, (245, 245, 245), max_w=bw * 0.85)
        left = bw + _u(rng, 0.01, 0.03) * W
    if style in ("eu_fr", "eu_it") and rng.random() < 0.85:
        bw = _u(rng, 0.065, 0.085) * W
        x0 = _ri(W - bw)
        img[:, x0:] = blue
        if style == "eu_fr":
            _small_text(img, str(int(rng.integers(1, 96))).zfill(2), "djs", H * 0.22, W - bw / 2, H * 0.73,
                        (245, 245, 245), max_w=bw * 0.85)
            cv2.rectangle(img, (_ri(x0 + bw * 0.2), _ri(H * 0.12)), (_ri(W - bw * 0.2), _ri(H * 0.45)),
                          tuple(map(float, _col(_pick(rng, [(40, 40, 200), (200, 200, 200), (60, 160, 60)])))), -1)
        else:
            cv2.circle(img, (_ri(W - bw / 2), _ri(H * 0.3)), _ri(bw * 0.28), (0, 210, 255), max(1, _ri(H * 0.02)),
                       cv2.LINE_AA)
            _small_text(img, _pick(rng, ["RM", "MI", "TO", "NA", "BO", "FI", "VE", "PA", "GE", "BA"]), "djs",
                        H * 0.2, W - bw / 2, H * 0.75, (245, 245, 245), max_w=bw * 0.85)
        right = x0 - _u(rng, 0.01, 0.02) * W
    if rng.random() < 0.75:  # black rim
        inset = _u(rng, 0.01, 0.04) * H
        cv2.rectangle(img, (_ri(inset), _ri(inset)), (_ri(W - 1 - inset), _ri(H - 1 - inset)), tuple(map(float, text_c)),
                      max(1, _ri(_u(rng, 0.015, 0.035) * H)), cv2.LINE_AA)
    toks, label = _gen_text(rng, fmt)
    if style in ("eu_uk", "eu_cz", "eu_pl", "eu_it"):
        font = _pick(rng, ["din", "djc", "rgD", "djs"], [0.5, 0.25, 0.15, 0.1])
    else:
        font = _pick(rng, ["din", "djc", "rgD", "rgE", "djs"], [0.6, 0.15, 0.1, 0.07, 0.08])
    xs = _u(rng, 1.15, 1.5) if font == "din" else (_u(rng, 1.05, 1.3) if font.startswith("rg") else _u(rng, 0.8, 1.0))
    stroke = _stroke(rng, font)
    cap = _u(rng, 0.6, 0.72) * H
    cy = _u(rng, 0.48, 0.53) * H
    emboss = _u(rng, 0.01, 0.03) if rng.random() < 0.3 else 0.0
    gaps, box = _main_text(rng, img, toks, font, stroke, cap, (left + right) / 2 + _u(rng, -0.01, 0.01) * W, cy,
                           right - left, text_c, xstretch=xs, spacing=_u(rng, 0.05, 0.16), mono=rng.random() < 0.2,
                           emboss=emboss, sep_w={"*": _u(rng, 0.55, 0.8), " ": _u(rng, 0.3, 0.7)},
                           dash=(_u(rng, 0.25, 0.45), _u(rng, 0.07, 0.11)))
    for t, x0, x1, y0, y1 in gaps:
        if t == "*":
            _emblem(rng, img, em or "shield", x0, x1, y0 - 0.05 * H, y1 + 0.05 * H, text_c, bg)
    if rng.random() < 0.3:  # maker's mark / small print at the bottom
        _small_text(img, _pick(rng, _DEALERS), "djr", H * 0.05, (left + right) / 2, H * 0.93, text_c * 0.8 + bg * 0.2,
                    max_w=W * 0.5)
    if rng.random() < 0.2:
        _rivets(rng, img, [(W * 0.3, H * 0.5), (W * 0.7, H * 0.5)] if rng.random() < 0.3 else
                [(W * 0.22, H * 0.09), (W * 0.78, H * 0.09)], 0.03 * H, bg)
    return img, label, bg


# --------------------------------------------------------------------------- Brazil

def _br_old(rng, W, H):
    img = np.empty((H, W, 3), np.float32)
    red = rng.random() < 0.22
    if red:
        bg = _col((45, 45, 150), 20, rng)
        text_c = _col((225, 225, 225), 20, rng)
    else:
        g = _u(rng, 165, 215)
        bg = _col((g + _u(rng, -4, 10), g, g - _u(rng, 0, 8)), 6, rng)
        text_c = _col((35, 35, 35), 15, rng)
    _fill_gradient(img, bg * _u(rng, 0.92, 1.05), bg * _u(rng, 0.92, 1.05), vertical=rng.random() < 0.5)
    if rng.random() < 0.4:  # brushed metal streaks
        n = _lowfreq(rng, H, W, 10)
        img *= (1 + 0.03 * n)[:, :, None]
    if rng.random() < 0.85:  # stamped rim
        inset = _u(rng, 0.025, 0.06) * H
        th = max(1, _ri(_u(rng, 0.015, 0.03) * H))
        p0, p1 = (_ri(inset), _ri(inset)), (_ri(W - 1 - inset), _ri(H - 1 - inset))
        cv2.rectangle(img, (p0[0] + 1, p0[1] + 1), (p1[0] + 1, p1[1] + 1), tuple(map(float, bg * 0.55)), th)
        cv2.rectangle(img, p0, p1, tuple(map(float, np.minimum(bg * 1.2 + 20, 255) if rng.random() < 0.5 else text_c)),
                      th, cv2.LINE_AA)
    city = _pick(rng, _BR_CITIES)
    if rng.random() < 0.2:
        city = city[:5] + _word(rng).upper()
    cap_city = _u(rng, 0.07, 0.1) * H
    _small_text(img, city, _pick(rng, ["djc", "din", "djs", "rgD"]), cap_city, W / 2, _u(rng, 0.13, 0.16) * H,
                text_c, max_w=W * 0.55, tracking=_u(rng, 0, 0.1))
    toks, label = _gen_text(rng, "LLL.NNNN" if rng.random() < 0.85 else "LLL-NNNN")
    font = _pick(rng, ["rgD", "rgE", "din", "djc", "rgC"], [0.3, 0.2, 0.3, 0.1, 0.1])
    xs = _u(rng, 1.1, 1.35) if font == "din" else (_u(rng, 0.95, 1.2) if font.startswith("rg") else 0.9)
    stroke = _stroke(rng, font, heavy=True)
    cap = _u(rng, 0.55, 0.63) * H
    cy = _u(rng, 0.58, 0.62) * H
    emboss = _u(rng, 0.015, 0.04) if rng.random() < 0.6 else 0.0
    _main_text(rng, img, toks, font, stroke, cap, W / 2, cy, W * 0.9, text_c, xstretch=xs, spacing=_u(rng, 0.05, 0.14),
               mono=rng.random() < 0.4, emboss=emboss, sep_w={".": _u(rng, 0.3, 0.45), "-": _u(rng, 0.35, 0.5)},
               dot=(_u(rng, 0.1, 0.2), _u(rng, 0.08, 0.12)), dash=(_u(rng, 0.2, 0.3), _u(rng, 0.08, 0.12)))
    hx = _u(rng, 0.15, 0.22)
    if rng.random() < 0.8:
        pts = [(hx * W, 0.14 * H), ((1 - hx) * W, 0.14 * H)]
        _rivets(rng, img, pts, 0.035 * H, bg)
        if rng.random() < 0.45:  # lacre: the red lead seal on one bolt
            x, y = pts[0] if rng.random() < 0.7 else pts[1]
            cv2.circle(img, (_ri(x), _ri(y)), max(1, _ri(0.05 * H)), tuple(map(float, _col((40, 40, 200), 30, rng))),
                       -1, cv2.LINE_AA)
    return img, label, bg


def _br_mercosul(rng, W, H):
    img = np.empty((H, W, 3), np.float32)
    bg = _col((242, 242, 242), 10, rng)
    img[:] = bg
    if rng.random() < 0.7:  # the faint wave pattern
        c = tuple(map(float, bg * _u(rng, 0.88, 0.95)))
        xs = np.linspace(0, W, 40)
        for k in range(int(rng.integers(3, 8))):
            ph, amp, y0 = _u(rng, 0, 6.3), _u(rng, 0.03, 0.1) * H, _u(rng, 0.3, 1.0) * H
            ys = y0 + amp * np.sin(xs / W * _u(rng, 4, 12) + ph)
            cv2.polylines(img, [np.round(np.stack([xs, ys], 1)).astype(np.int32)], False, c, 1, cv2.LINE_AA)
    bh = _u(rng, 0.19, 0.24) * H
    blue = _col((160, 70, 0), 20, rng)
    _fill_gradient(img, blue, blue * _u(rng, 0.8, 1.0), vertical=False, y1=_ri(bh))
    _small_text(img, "BRASIL", _pick(rng, ["djs", "din", "djc"]), bh * _u(rng, 0.45, 0.6), W / 2, bh / 2,
                (245, 245, 245), tracking=_u(rng, 0.05, 0.2))
    # flag at the right of the band, Mercosul logo at the left
    fw, fh = bh * 1.1, bh * 0.7
    fx, fy = W - _u(rng, 0.04, 0.07) * W - fw, (bh - fh) / 2
    cv2.rectangle(img, (_ri(fx), _ri(fy)), (_ri(fx + fw), _ri(fy + fh)), (50, 150, 0), -1)
    dm = np.array([[fx + fw / 2, fy + fh * 0.1], [fx + fw * 0.92, fy + fh / 2], [fx + fw / 2, fy + fh * 0.9],
                   [fx + fw * 0.08, fy + fh / 2]])
    cv2.fillPoly(img, [np.round(dm).astype(np.int32)], (0, 220, 250), cv2.LINE_AA)
    cv2.circle(img, (_ri(fx + fw / 2), _ri(fy + fh / 2)), max(1, _ri(fh * 0.25)), (120, 40, 0), -1, cv2.LINE_AA)
    lx = _u(rng, 0.04, 0.07) * W + bh * 0.4
    _small_text(img, "MERCOSUL", "djc", bh * 0.18, lx + bh * 0.6, bh * 0.5, (245, 245, 245), max_w=W * 0.1)
    if rng.random() < 0.7:
        _small_text(img, "BR", "djs", H * 0.1, _u(rng, 0.03, 0.05) * W, H * 0.36, (30, 30, 30), align="left")
    if rng.random() < 0.5:  # QR code
        q = max(2, _ri(H * 0.12))
        qr = (rng.random((7, 7)) < 0.5).astype(np.uint8) * 255
        qr = cv2.resize(qr, (q, q), interpolation=cv2.INTER_NEAREST)
        _put(img, qr, _ri(_u(rng, 0.02, 0.04) * W), _ri(H * 0.48), (30, 30, 30))
    if rng.random() < 0.85:
        cv2.rectangle(img, (1, 1), (W - 2, H - 2), (25, 25, 25), max(1, _ri(0.025 * H)), cv2.LINE_AA)
    text_c = _col(_pick(rng, [(20, 20, 20), (30, 30, 190), (150, 60, 0), (40, 120, 20), (60, 160, 200),
                              (170, 170, 170)], [0.82, 0.08, 0.04, 0.02, 0.02, 0.02]), 10, rng)
    toks, label = _gen_text(rng, "LLLNLNN")
    font = _pick(rng, ["din", "djc", "rgE"], [0.7, 0.2, 0.1])
    xs = _u(rng, 1.25, 1.55) if font == "din" else _u(rng, 0.9, 1.1)
    stroke = _stroke(rng, font) if font != "din" else int(rng.integers(0, 2))
    cap = _u(rng, 0.5, 0.58) * H
    cy = bh + (H - bh) * _u(rng, 0.47, 0.52)
    _main_text(rng, img, toks, font, stroke, cap, W / 2, cy, W * 0.84, text_c, xstretch=xs,
               spacing=_u(rng, 0.04, 0.12), mono=rng.random() < 0.3)
    if rng.random() < 0.4:
        _rivets(rng, img, [(0.2 * W, bh + 0.06 * H), (0.8 * W, bh + 0.06 * H)], 0.03 * H, bg)
    return img, label, bg


# --------------------------------------------------------------------------- assembly

def _pick_style(rng):
    r = rng.random()
    if r < 0.45:
        return _pick(rng, US_STYLES, [1.2, 1.6, 1, 0.7, 1, 0.8, 0.8, 0.7, 0.8])
    if r < 0.70:
        return _pick(rng, EU_STYLES, [1.5, 1, 0.8, 1, 0.8, 0.7, 0.7, 1, 0.6, 1.6])
    return _pick(rng, BR_STYLES, [0.7, 0.3])


_CAR = [(240, 240, 240), (190, 190, 195), (120, 120, 125), (30, 30, 32), (30, 30, 150), (130, 60, 20),
        (60, 60, 60), (90, 120, 140), (40, 70, 30), (200, 210, 220)]


def _render(rng, style, scale):
    if style is None:
        style = _pick_style(rng)
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose from {STYLES}")
    reg = _region(style)
    W0, H0 = _SIZE[reg]
    W, H = max(8, _ri(W0 * scale)), max(4, _ri(H0 * scale))
    if reg == "us":
        plate, label, bg = _us_plate(rng, style, W, H)
    elif reg == "eu":
        plate, label, bg = _eu_plate(rng, style, W, H)
    elif style == "br_old":
        plate, label, bg = _br_old(rng, W, H)
    else:
        plate, label, bg = _br_mercosul(rng, W, H)
    # surroundings: car body, plate recess, frame
    mx = _ri(W * _u(rng, 0.14, 0.2)) + 2
    my = _ri(H * _u(rng, 0.28, 0.36)) + 2
    if reg == "eu":
        my = _ri(H * _u(rng, 0.4, 0.5)) + 2
    out = np.empty((H + 2 * my, W + 2 * mx, 3), np.float32)
    car = _col(_pick(rng, _CAR), 20, rng)
    _fill_gradient(out, car * _u(rng, 0.8, 1.2), car * _u(rng, 0.5, 1.0))
    if rng.random() < 0.5:  # bumper edge / recess lines
        y = _ri(_pick(rng, [my * _u(rng, 0.1, 0.7), H + my + my * _u(rng, 0.3, 0.9)]))
        cv2.line(out, (0, y), (out.shape[1], y), tuple(map(float, car * 0.4)), max(1, _ri(H * 0.04)), cv2.LINE_AA)
    if rng.random() < 0.5:  # dark recess around the plate
        e = _u(rng, 0.02, 0.12)
        c = _u(rng, 10, 60)
        cv2.rectangle(out, (_ri(mx - e * H), _ri(my - e * H)), (_ri(mx + W + e * H), _ri(my + H + e * H)), (c, c, c), -1)
    # soft shadow under the plate
    d = max(1, _ri(0.03 * H))
    cv2.rectangle(out, (mx + d, my + d), (mx + W + d, my + H + d), tuple(map(float, car * 0.3)), -1)
    # the plate, with rounded corners
    under = out[my:my + H, mx:mx + W].copy()
    out[my:my + H, mx:mx + W] = plate
    r = max(1, _ri(H * _u(rng, 0.02, 0.08)))
    r = min(r, H // 2, W // 2)
    cm = np.zeros((r, r), np.uint8)
    cv2.circle(cm, (r, r), r, 255, -1, cv2.LINE_AA)
    cmf = (cm.astype(np.float32) / 255)[:, :, None]
    for fy, fx in ((False, False), (False, True), (True, False), (True, True)):
        ys = slice(H - r, H) if fy else slice(0, r)
        xs = slice(W - r, W) if fx else slice(0, r)
        a = cmf[::-1 if fy else 1, ::-1 if fx else 1]
        roi = out[my:my + H, mx:mx + W][ys, xs]
        roi[:] = under[ys, xs] * (1 - a) + roi * a
    # frame over the plate edges
    pf = {"us": 0.45, "eu": 0.25, "br": 0.3}[reg]
    if rng.random() < pf:
        fc = _col(_pick(rng, [(20, 20, 20), (35, 35, 35), (170, 170, 175), (200, 200, 205), (40, 40, 120),
                              (60, 40, 20)], [3, 2, 1, 0.6, 0.3, 0.3]), 10, rng)
        t_out = _u(rng, 0.03, 0.1) * H
        top = _u(rng, 0.0, 0.1) * H if reg != "eu" else _u(rng, 0, 0.05) * H
        bot = _u(rng, 0.03, 0.2) * H if reg != "eu" else _u(rng, 0, 0.1) * H
        side = _u(rng, 0.0, 0.04) * W
        ox0, oy0, ox1, oy1 = _ri(mx - t_out), _ri(my - t_out), _ri(mx + W + t_out), _ri(my + H + t_out + bot * 0.5)
        ix0, iy0, ix1, iy1 = _ri(mx + side), _ri(my + top), _ri(mx + W - side), _ri(my + H - bot)
        c = tuple(map(float, fc))
        for p0, p1 in (((ox0, oy0), (ox1, iy0)), ((ox0, iy1), (ox1, oy1)), ((ox0, iy0), (ix0, iy1)),
                       ((ix1, iy0), (ox1, iy1))):
            if p1[0] > p0[0] and p1[1] > p0[1]:
                cv2.rectangle(out, p0, (p1[0] - 1, p1[1] - 1), c, -1)
        if fc.mean() > 120:  # chrome: highlight and shade lines
            cv2.rectangle(out, (ox0, oy0), (ox1 - 1, oy1 - 1), tuple(map(float, np.minimum(fc * 1.2, 255))),
                          max(1, _ri(0.02 * H)))
            cv2.rectangle(out, (ix0, iy0), (ix1, iy1), tuple(map(float, fc * 0.5)), max(1, _ri(0.015 * H)))
        if rng.random() < 0.6 and bot + t_out > 0.08 * H:
            tc = (230, 230, 230) if fc.mean() < 120 else (30, 30, 30)
            _small_text(out, _pick(rng, _DEALERS + [_slogan(rng).upper()]), _pick(rng, ["djs", "djc", "dsc"]),
                        min(bot + t_out * 0.5, 0.1 * H) * _u(rng, 0.5, 0.7), mx + W / 2, (iy1 + oy1) / 2,
                        tc, max_w=W * 0.7)
    quad = np.array([[mx, my], [mx + W, my], [mx + W, my + H], [mx, my + H]], np.float32)
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8), label, quad


def render_plate(rng, style=None):
    """A clean frontal plate with a margin of car around it: (BGR uint8 image, label, quad TL,TR,BR,BL)."""
    return _render(rng, style, 1.0)


# --------------------------------------------------------------------------- degradation

def _plate_size(quad):
    w = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    h = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    return float(w), float(h)


def _angle(rng, lim, sigma):
    a = rng.uniform(-lim, lim) if rng.random() < 0.35 else rng.normal(0, sigma)
    return math.radians(float(np.clip(a, -lim, lim)))


def _perspective(rng, img, quad):
    """Rotates the plate plane in 3D (yaw up to 25 deg, pitch 15, roll 10) about its centre."""
    h, w = img.shape[:2]
    pw, ph = _plate_size(quad)
    yaw, pitch, roll = _angle(rng, 25, 10), _angle(rng, 15, 6), _angle(rng, 10, 3.5)
    cy_, sy_ = math.cos(yaw), math.sin(yaw)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cr, sr = math.cos(roll), math.sin(roll)
    R = (np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]]) @ np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
         @ np.array([[cy_, 0, sy_], [0, 1, 0], [-sy_, 0, cy_]]))
    c = quad.mean(0)
    f = pw * _u(rng, 1.0, 5.0)  # focal length: smaller = stronger perspective
    p = np.concatenate([quad - c, np.zeros((4, 1), np.float32)], 1) @ R.T
    q = f * p[:, :2] / (p[:, 2:3] + f)
    q = q * _u(rng, 0.85, 1.04)
    # keep the plate inside the image, with room for the crop margins
    qw, qh = q[:, 0].max() - q[:, 0].min(), q[:, 1].max() - q[:, 1].min()
    q = q * min((w * 0.92) / max(qw, 1), (h * 0.88) / max(qh, 1), 1.0)
    shift = np.array([_u(rng, -0.04, 0.04) * pw, _u(rng, -0.06, 0.06) * ph])
    q = (q + c + shift).astype(np.float32)
    M = cv2.getPerspectiveTransform(quad.astype(np.float32), q)
    out = cv2.warpPerspective(img, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    return out, q


def degrade(rng, img, quad):
    """Random perspective, lighting (shadow, glare, dirt, low light, infrared look, colour jitter), blur,
    noise, JPEG and resolution loss. Returns (image of the same size, transformed quad)."""
    return _degrade(rng, img, quad, True)


def _degrade(rng, img, quad, upscale):
    quad = np.asarray(quad, np.float32)
    h, w = img.shape[:2]
    pw, ph = _plate_size(quad)
    # resolution: the camera sees the plate with a character height of ~10-45 px
    sc = None
    if rng.random() < 0.7:
        cap_frac = 0.66 if pw > 3.5 * ph else 0.5
        k = math.exp(_u(rng, math.log(11), math.log(45))) / max(cap_frac * ph, 1)
        if k < 0.95:
            sw, sh = max(8, _ri(w * k)), max(8, _ri(h * k * _u(rng, 0.9, 1.1)))
            img = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA if rng.random() < 0.7 else cv2.INTER_LINEAR)
            sc = np.array([sw / w, sh / h], np.float32)
            quad = quad * sc
    if rng.random() < 0.9:
        img, quad = _perspective(rng, img, quad)
    f = img.astype(np.float32)
    hh, ww = f.shape[:2]
    pw, ph = _plate_size(quad)
    x0, y0 = quad.min(0)
    x1, y1 = quad.max(0)
    yy = np.arange(hh, dtype=np.float32)[:, None]
    xx = np.arange(ww, dtype=np.float32)[None, :]
    # colour jitter
    if rng.random() < 0.6:
        f *= rng.normal(1, 0.08, 3).astype(np.float32) * _u(rng, 0.75, 1.25)
        f += _u(rng, -20, 20)
        if rng.random() < 0.5:
            g = f.mean(2, keepdims=True)
            f = g + (f - g) * _u(rng, 0.3, 1.3)
    # shadow: a dark band or a dark side across part of the plate
    if rng.random() < 0.3:
        a = rng.uniform(0, 2 * np.pi)
        nx, ny = math.cos(a), math.sin(a)
        d = (xx - _u(rng, x0, x1)) * nx + (yy - _u(rng, y0, y1)) * ny
        soft = max(1.0, _u(rng, 0.01, 0.3) * pw)
        if rng.random() < 0.5:
            width = _u(rng, 0.1, 0.5) * pw
            m = np.clip(np.minimum(d, width - d) / soft + 0.5, 0, 1)
        else:
            m = np.clip(d / soft + 0.5, 0, 1)
        f *= (1 - _u(rng, 0.25, 0.7) * m)[:, :, None]
    # uneven illumination
    if rng.random() < 0.3:
        a = rng.uniform(0, 2 * np.pi)
        d = ((xx - x0) * math.cos(a) + (yy - y0) * math.sin(a)) / max(pw, 1)
        f *= (1 + _u(rng, -0.4, 0.4) * np.clip(d, -1, 1.5))[:, :, None]
    # dirt
    if rng.random() < 0.2:
        n = _lowfreq(rng, hh, ww, _u(rng, 8, 30) * ww / max(pw, 1))
        m = np.clip((n - _u(rng, 0.5, 1.5)) * _u(rng, 0.5, 2), 0, 1) * _u(rng, 0.3, 0.7)
        if rng.random() < 0.5:
            m = np.maximum(m, (_noise(rng, hh, ww, 1) > _u(rng, 2.3, 3)).astype(np.float32) * 0.6)
        f += (_col((40, 60, 80), 25, rng) - f) * m[:, :, None]
    # glare spot
    if rng.random() < 0.12:
        gx, gy = _u(rng, x0, x1), _u(rng, y0, y1)
        sx, sy = _u(rng, 0.05, 0.3) * pw, _u(rng, 0.1, 0.5) * ph
        g = np.exp(-((xx - gx) ** 2 / (2 * sx * sx) + (yy - gy) ** 2 / (2 * sy * sy)))
        f += (_u(rng, 60, 170) * g)[:, :, None]
    # infrared look (gray, chars very dark on a bright plate) or low light
    r = rng.random()
    low_light = False
    if r < 0.12:
        g = f[:, :, 0] * 0.2 + f[:, :, 1] * 0.5 + f[:, :, 2] * 0.3
        yi0, yi1 = int(max(0, y0 + 0.15 * (y1 - y0))), int(min(hh, y1 - 0.15 * (y1 - y0)))
        xi0, xi1 = int(max(0, x0 + 0.1 * (x1 - x0))), int(min(ww, x1 - 0.1 * (x1 - x0)))
        roi = g[yi0:yi1, xi0:xi1] if yi1 > yi0 + 2 and xi1 > xi0 + 2 else g
        mu, sd = float(roi.mean()), float(roi.std()) + 1
        if float(((roi - mu) ** 3).mean()) > 0:  # bright minority = light characters: the sheeting glows in IR
            g = 255 - g
            mu = 255 - mu
        lo = mu - _u(rng, 0.9, 1.8) * sd
        g = np.clip((g - lo) * (255 / (_u(rng, 1.0, 2.2) * sd)), 0, 255)
        g = 255 * (g / 255) ** _u(rng, 0.6, 1.2)
        tint = np.array([0.55, 1.0, 0.55] if rng.random() < 0.3 else [1, 1, 1], np.float32) * _u(rng, 0.85, 1.0)
        f = g[:, :, None] * tint
    elif r < 0.3:
        f = 255 * (np.clip(f, 0, 255) / 255) ** _u(rng, 1.0, 1.4) * _u(rng, 0.35, 0.75)
        low_light = True
    # automatic exposure: keep the plate from ending up nearly black
    yi0, yi1 = int(max(0, y0)), int(min(hh, y1))
    xi0, xi1 = int(max(0, x0)), int(min(ww, x1))
    if yi1 > yi0 + 1 and xi1 > xi0 + 1:
        mu = float(f[yi0:yi1, xi0:xi1].mean())
        floor = _u(rng, 35, 70)
        if mu < floor:
            f *= floor / max(mu, 1.0)
    # optics: gaussian and motion blur
    bs = max(1.0, ph / 45)
    if rng.random() < 0.35:
        f = cv2.GaussianBlur(f, (0, 0), _u(rng, 0.3, 0.8) * bs)
    if rng.random() < 0.12:
        L = _u(rng, 1.5, 3.5) * bs
        k = int(math.ceil(L)) | 1
        ker = np.zeros((k, k), np.float32)
        a = rng.uniform(0, np.pi)
        c = k // 2
        dx, dy = L / 2 * math.cos(a), L / 2 * math.sin(a)
        cv2.line(ker, (_ri(c - dx), _ri(c - dy)), (_ri(c + dx), _ri(c + dy)), 1.0, 1, cv2.LINE_AA)
        ker /= max(ker.sum(), 1e-6)
        f = cv2.filter2D(f, -1, ker)
    # sensor noise
    if rng.random() < 0.6:
        sigma = _u(rng, 2, 12) * (1.5 if low_light else 1.0)
        if rng.random() < 0.5:
            f += _noise(rng, hh, ww, 3) * sigma
        else:
            f += (_noise(rng, hh, ww, 1) * sigma)[:, :, None]
    np.clip(f, 0, 255, out=f)
    out = f.astype(np.uint8)
    if rng.random() < 0.6:
        ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(15, 91))])
        out = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    if sc is not None and upscale:
        out = cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR if rng.random() < 0.7 else cv2.INTER_CUBIC)
        quad = quad / sc
    return out, quad.astype(np.float32)


# --------------------------------------------------------------------------- samples

def _crop(img, x0, y0, x1, y1, out_w, out_h, interp=cv2.INTER_LINEAR):
    """Axis-aligned crop (may reach outside: replicated border) resized to out_w x out_h."""
    sx = out_w / max(x1 - x0, 1e-3)
    sy = out_h / max(y1 - y0, 1e-3)
    if sx < 0.6 or sy < 0.6:  # large reduction: pre-shrink to avoid aliasing
        k = min(1.0, max(sx, sy) * 1.5)
        img = cv2.resize(img, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
        x0, y0, x1, y1 = x0 * k, y0 * k, x1 * k, y1 * k
        sx, sy = sx / k, sy / k
    M = np.array([[sx, 0, -x0 * sx], [0, sy, -y0 * sy]], np.float32)
    return cv2.warpAffine(img, M, (out_w, out_h), flags=interp, borderMode=cv2.BORDER_REPLICATE)


def ocr_sample(rng, out_h=48, out_w=160):
    """A degraded plate cropped around its quad's bounding box with random margins (-3%..+12% a side,
    sometimes shifted), resized to gray uint8 (out_h, out_w); and its label."""
    style = _pick_style(rng)
    W0 = _SIZE[_region(style)][0]
    img, label, quad = _render(rng, style, out_w * _u(rng, 1.0, 1.4) / W0)
    img, quad = _degrade(rng, img, quad, False)
    x0, y0 = quad.min(0)
    x1, y1 = quad.max(0)
    bw, bh = x1 - x0, y1 - y0
    m = rng.uniform(-0.03, 0.12, 4)
    x0, x1 = x0 - m[0] * bw, x1 + m[1] * bw
    y0, y1 = y0 - m[2] * bh, y1 + m[3] * bh
    if rng.random() < 0.25:
        dx, dy = rng.normal(0, 0.04) * bw, rng.normal(0, 0.06) * bh
        x0, x1, y0, y1 = x0 + dx, x1 + dx, y0 + dy, y1 + dy
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    interp = cv2.INTER_LINEAR if rng.random() < 0.7 else cv2.INTER_CUBIC
    return _crop(gray, x0, y0, x1, y1, out_w, out_h, interp), label


def composite(rng, scene, plate, quad, target_width):
    """Pastes the plate's quad into the scene (~target_width px wide, mild perspective, matched blur and
    brightness). Returns (new scene, quad in scene coordinates)."""
    scene = scene.copy()
    H, W = scene.shape[:2]
    quad = np.asarray(quad, np.float32)
    pw, ph = _plate_size(quad)
    tw = max(6.0, min(float(target_width) * _u(rng, 0.9, 1.1), W * 0.95))
    th = tw * ph / max(pw, 1) * _u(rng, 0.85, 1.15)
    th = min(th, H * 0.95)
    cx = _u(rng, tw / 2 + 1, max(tw / 2 + 1, W - tw / 2 - 1))
    cy = _u(rng, th / 2 + 1, max(th / 2 + 1, H - th / 2 - 1))
    rect = np.array([[-tw / 2, -th / 2], [tw / 2, -th / 2], [tw / 2, th / 2], [-tw / 2, th / 2]], np.float32)
    a = math.radians(float(np.clip(rng.normal(0, 4), -12, 12)))
    R = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], np.float32)
    dst = rect @ R.T
    k = _u(rng, -0.12, 0.12)  # yaw-like: one side shorter
    dst[[1, 2], 1] *= 1 - k
    dst[[0, 3], 1] *= 1 + k
    dst += rng.normal(0, 0.02, (4, 2)).astype(np.float32) * np.array([tw, th], np.float32)
    dst += np.array([cx, cy], np.float32)
    M = cv2.getPerspectiveTransform(quad, dst.astype(np.float32))
    # paste region: the quad, sometimes grown to include a bit of frame/recess
    grow = _u(rng, 0.02, 0.1) if rng.random() < 0.4 else 0.0
    c = quad.mean(0)
    src_poly = (quad - c) * (1 + grow) + c
    poly = cv2.perspectiveTransform(src_poly[None], M)[0]
    bx0, by0 = np.floor(np.maximum(poly.min(0) - 2, 0)).astype(int)
    bx1, by1 = np.ceil(np.minimum(poly.max(0) + 2, [W, H])).astype(int)
    if bx1 - bx0 < 2 or by1 - by0 < 2:
        return scene, dst.astype(np.float32)
    T = np.array([[1, 0, -bx0], [0, 1, -by0], [0, 0, 1]], np.float64)
    rw, rh = int(bx1 - bx0), int(by1 - by0)
    src = plate
    scale = tw / max(pw, 1)
    if scale < 0.5:  # pre-shrink to avoid aliasing
        src = cv2.resize(plate, None, fx=scale * 1.5, fy=scale * 1.5, interpolation=cv2.INTER_AREA)
        S = np.diag([1 / (scale * 1.5), 1 / (scale * 1.5), 1.0])
        Mw = T @ M @ S
    else:
        Mw = T @ M
    warped = cv2.warpPerspective(src, Mw, (rw, rh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    warped = warped.astype(np.float32)
    mask = np.zeros((rh, rw), np.uint8)
    cv2.fillPoly(mask, [np.round((poly - [bx0, by0]) * 4).astype(np.int32)], 255, cv2.LINE_AA, shift=2)
    mask = cv2.GaussianBlur(mask, (0, 0), _u(rng, 0.4, 1.0)).astype(np.float32)[:, :, None] / 255
    bgr = scene[by0:by1, bx0:bx1].astype(np.float32)
    # brightness/colour matching toward the surroundings
    sm, pm = bgr.reshape(-1, 3).mean(0), warped.reshape(-1, 3).mean(0)
    t = _u(rng, 0.0, 0.5)
    gain = ((sm.mean() + 1) / (pm.mean() + 1)) ** t * _u(rng, 0.8, 1.15)
    warped = warped * gain
    if rng.random() < 0.3:
        warped = warped * (1 - 0.2 * t) + sm * 0.2 * t
    # blur to the scene's softness
    if rng.random() < 0.6:
        warped = cv2.GaussianBlur(warped, (0, 0), _u(rng, 0.3, 1.0) * max(0.6, min(1.5, tw / 100)))
    blended = bgr * (1 - mask) + warped * mask
    if rng.random() < 0.5:
        blended += _noise(rng, rh, rw, 3) * _u(rng, 1, 5) * mask
    scene[by0:by1, bx0:bx1] = np.clip(blended, 0, 255).astype(np.uint8)
    return scene, dst.astype(np.float32)


# --------------------------------------------------------------------------- contact sheet

def _label_tile(tile, text):
    cv2.putText(tile, text, (3, tile.shape[0] - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(tile, text, (3, tile.shape[0] - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 255, 255), 1, cv2.LINE_AA)
    return tile


def _sheet(path, n, kind, seed):
    rng = np.random.default_rng(seed)
    tiles = []
    for i in range(n):
        if kind == "ocr":
            g, lab = ocr_sample(rng)
            t = cv2.cvtColor(cv2.resize(g, (320, 96), interpolation=cv2.INTER_NEAREST), cv2.COLOR_GRAY2BGR)
            t = np.vstack([t, np.full((18, 320, 3), 255, np.uint8)])
            tiles.append(_label_tile(t, lab))
        elif kind == "plate":
            style = STYLES[i % len(STYLES)]
            img, lab, quad = render_plate(rng, style)
            if i // len(STYLES) % 2 == 1:
                img, quad = degrade(rng, img, quad)
            t = cv2.resize(img, (320, int(320 * img.shape[0] / img.shape[1])), interpolation=cv2.INTER_AREA)
            k = 320 / img.shape[1]
            cv2.polylines(t, [np.round(quad * k).astype(np.int32)], True, (0, 255, 0), 1)
            t = np.vstack([np.full((200 - t.shape[0], 320, 3), 255, np.uint8), t]) if t.shape[0] < 200 else t[:200]
            tiles.append(_label_tile(t, f"{style} {lab}"))
        else:
            scene = np.empty((384, 640, 3), np.uint8)
            scene[:] = rng.integers(40, 200, 3)
            for _ in range(8):
                p = rng.integers(0, 640, 2), rng.integers(0, 384, 2)
                cv2.rectangle(scene, (int(p[0][0]), int(p[1][0])), (int(p[0][1]), int(p[1][1])),
                              tuple(int(v) for v in rng.integers(0, 255, 3)), -1)
            img, lab, quad = render_plate(rng)
            img, quad = degrade(rng, img, quad)
            scene, q = composite(rng, scene, img, quad, _u(rng, 50, 200))
            cv2.polylines(scene, [np.round(q).astype(np.int32)], True, (0, 255, 0), 1)
            tiles.append(_label_tile(cv2.resize(scene, (320, 192), interpolation=cv2.INTER_AREA), lab))
    cols = 4 if kind != "ocr" else 4
    while len(tiles) % cols:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.hstack([np.pad(t, ((2, 2), (2, 2), (0, 0))) for t in tiles[i:i + cols]])
            for i in range(0, len(tiles), cols)]
    cv2.imwrite(path, np.vstack(rows))


def _bench(n):
    import time
    rng = np.random.default_rng(0)
    warm_up()
    for _ in range(20):
        ocr_sample(rng)
    t = time.perf_counter()
    for _ in range(n):
        ocr_sample(rng)
    dt = (time.perf_counter() - t) / n * 1000
    print(f"ocr_sample: {dt:.2f} ms/sample over {n} samples (cv2 threads: {cv2.getNumThreads()})")


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sheet", help="write a contact sheet PNG here")
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--kind", choices=["ocr", "plate", "scene"], default="ocr")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bench", type=int, default=0, help="time N ocr_sample calls")
    args = ap.parse_args()
    if args.bench:
        _bench(args.bench)
    if args.sheet:
        _sheet(args.sheet, args.n, args.kind, args.seed)
        print("wrote", args.sheet)
    if not args.bench and not args.sheet:
        ap.print_help()
