#!/usr/bin/python3
"""Reference-value generator for tn.losses.

Run from the repository root with Debian's numpy/torch build:

    /usr/bin/python3 test/reference/gen_losses.py

It rewrites test/fixtures/losses.json (deterministic: fixed numpy seed, torch on one CPU
thread).  The jest tests read that JSON, so CI never needs Python.

Record: {name, op, inputs, attrs, expected, tol?}
  op        tensile's loss name (mse, l1, huber, binaryCrossEntropy, bceWithLogits,
            crossEntropy, nll, klDiv, hinge, squaredHinge)
  inputs    the tensors, named in order by attrs.args ('input', 'target', 'weight',
            'posWeight'); weight and posWeight go into the options object
  attrs     {args, options (camelCase, as tensile takes them), gradOutput?}
  expected  [loss, input.grad] or [loss, input.grad, target.grad]; the gradients are of
            loss.backward(gradOutput) when gradOutput is given ('none'), else loss.backward()
A tensor is {dtype, shape, data} (flat row-major; non-finite floats as "nan"/"inf"/"-inf").
float32 records are computed in float32 by torch, float64 ones in float64.  Class indices
are stored as int32 (tensile's label dtype) and converted to int64 for torch.
hinge / squaredHinge have no torch function: they are Keras's formulas written with torch ops.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
SEED = 20240611
rng = np.random.default_rng(SEED)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "losses.json")
NP_DT = {"float32": np.float32, "float64": np.float64, "int32": np.int32}
TORCH_DT = {"float32": torch.float32, "float64": torch.float64}
REDUCTIONS = ["mean", "sum", "none"]


def enc_float(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def T(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    a = np.asarray(x)
    if a.dtype in (np.int32, np.int64):
        dt = "int32"
    elif a.dtype == np.float32:
        dt = "float32"
    elif a.dtype == np.float64:
        dt = "float64"
    else:
        raise TypeError(a.dtype)
    flat = a.astype(NP_DT[dt]).reshape(-1)
    data = [int(v) for v in flat] if dt == "int32" else [enc_float(v) for v in flat]
    return {"dtype": dt, "shape": [int(s) for s in a.shape], "data": data}


def shp(s):
    return "[" + ",".join(str(int(d)) for d in s) + "]"


RECORDS = []
NAMES = set()


def torch_of(a, grad=False):
    t = torch.from_numpy(np.array(a, copy=True))
    if t.dtype == torch.int32:
        t = t.long()
    if grad:
        t.requires_grad_(True)
    return t


def record(name, op, fn, args, named, options, target_grad=False, tol=None):
    """Runs fn(input, target, **torch_kwargs) in torch and stores the record.

    named: dict role -> numpy array, in the order of `args`.
    options: tensile options (camelCase, without tensors); torch kwargs are passed by fn.
    """
    assert name not in NAMES, name
    NAMES.add(name)
    ts = {k: torch_of(v, grad=(k == "input" or (k == "target" and target_grad))) for k, v in named.items()}
    out = fn(ts)
    attrs = {"args": list(args), "options": options}
    if out.dim() > 0 or options.get("reduction") == "none":
        g = rng.standard_normal(out.shape).astype(out.detach().numpy().dtype)
        attrs["gradOutput"] = T(g)
        out.backward(torch.from_numpy(np.array(g)))
    else:
        out.backward()
    expected = [T(out), T(ts["input"].grad)]
    if target_grad:
        expected.append(T(ts["target"].grad))
    rec = {"name": name, "op": op, "inputs": [T(named[k]) for k in args], "attrs": attrs, "expected": expected}
    if tol is not None:
        rec["tol"] = tol
    RECORDS.append(rec)


def uniform(shape, dtype, lo=-3.0, hi=3.0):
    return np.array(rng.uniform(lo, hi, size=tuple(shape)), dtype=NP_DT[dtype])


def labels(shape, C, ignore=None, frac=0.3):
    a = np.array(rng.integers(0, C, size=tuple(shape)), dtype=np.int32)
    if ignore is not None and a.size:
        mask = rng.random(a.shape) < frac
        a[mask] = ignore
    return a


def probs(shape, dtype, axis):
    z = rng.standard_normal(tuple(shape))
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).astype(NP_DT[dtype])


def sfx(options):
    parts = []
    for k, v in options.items():
        parts.append("%s=%s" % (k, json.dumps(v)))
    return ",".join(parts)


# --------------------------------------------------------------------------

def gen_regression():
    shapes = [[1], [3, 5], [2, 3, 4], [], [0, 3]]
    for dt, shapes_dt in [("float32", shapes), ("float64", [[4, 3]])]:
        for s in shapes_dt:
            for red in REDUCTIONS:
                x, t = uniform(s, dt), uniform(s, dt)
                r = {"reduction": red}
                record("mse/%s/%s/%s" % (dt, shp(s), red), "mse",
                       lambda ts, red=red: F.mse_loss(ts["input"], ts["target"], reduction=red),
                       ["input", "target"], {"input": x, "target": t}, r, target_grad=True)
                record("l1/%s/%s/%s" % (dt, shp(s), red), "l1",
                       lambda ts, red=red: F.l1_loss(ts["input"], ts["target"], reduction=red),
                       ["input", "target"], {"input": x, "target": t}, r, target_grad=True)
                for delta in ([1.0, 0.5, 2.5] if s == [3, 5] else [None]):
                    o = dict(r) if delta is None else dict(r, delta=delta)
                    record("huber/%s/%s/%s" % (dt, shp(s), sfx(o)), "huber",
                           lambda ts, red=red, d=delta: F.huber_loss(ts["input"], ts["target"], reduction=red, delta=1.0 if d is None else d),
                           ["input", "target"], {"input": x, "target": t}, o, target_grad=True)
    # kinks: d = 0 (l1, sign'), |d| = delta exactly (huber)
    x = np.array([1.5, -0.5, 2.0, 0.25, 3.0], dtype=np.float32)
    t = np.array([0.5, 0.5, 2.0, 0.25, 0.0], dtype=np.float32)
    for op, fn in [("l1", F.l1_loss), ("huber", F.huber_loss), ("mse", F.mse_loss)]:
        record("%s/float32/kinks" % op, op, lambda ts, fn=fn: fn(ts["input"], ts["target"], reduction="sum"),
               ["input", "target"], {"input": x, "target": t}, {"reduction": "sum"}, target_grad=True)


def gen_bce():
    for dt, shapes in [("float32", [[1], [4, 3], [2, 3, 2]]), ("float64", [[3, 2]])]:
        for s in shapes:
            for red in REDUCTIONS:
                x = uniform(s, dt, 0.02, 0.98)
                t = uniform(s, dt, 0.0, 1.0)
                named = {"input": x, "target": t}
                record("binaryCrossEntropy/%s/%s/%s" % (dt, shp(s), red), "binaryCrossEntropy",
                       lambda ts, red=red: F.binary_cross_entropy(ts["input"], ts["target"], reduction=red),
                       ["input", "target"], named, {"reduction": red}, target_grad=True)
                w = uniform(s[-1:], dt, 0.1, 2.0)
                record("binaryCrossEntropy/%s/%s/%s/weight" % (dt, shp(s), red), "binaryCrossEntropy",
                       lambda ts, red=red: F.binary_cross_entropy(ts["input"], ts["target"], weight=ts["weight"], reduction=red),
                       ["input", "target", "weight"], dict(named, weight=w), {"reduction": red}, target_grad=True)
                # logits
                z = uniform(s, dt, -4, 4)
                named = {"input": z, "target": t}
                record("bceWithLogits/%s/%s/%s" % (dt, shp(s), red), "bceWithLogits",
                       lambda ts, red=red: F.binary_cross_entropy_with_logits(ts["input"], ts["target"], reduction=red),
                       ["input", "target"], named, {"reduction": red}, target_grad=True)
                pw = uniform(s[-1:], dt, 0.2, 4.0)
                record("bceWithLogits/%s/%s/%s/posWeight" % (dt, shp(s), red), "bceWithLogits",
                       lambda ts, red=red: F.binary_cross_entropy_with_logits(ts["input"], ts["target"], pos_weight=ts["posWeight"], reduction=red),
                       ["input", "target", "posWeight"], dict(named, posWeight=pw), {"reduction": red}, target_grad=True)
                record("bceWithLogits/%s/%s/%s/weight+posWeight" % (dt, shp(s), red), "bceWithLogits",
                       lambda ts, red=red: F.binary_cross_entropy_with_logits(ts["input"], ts["target"], weight=ts["weight"], pos_weight=ts["posWeight"], reduction=red),
                       ["input", "target", "weight", "posWeight"], dict(named, weight=w, posWeight=pw), {"reduction": red}, target_grad=True)
    # probabilities at and near 0 and 1 (log clamped at -100; torch's gradient epsilon 1e-12)
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-20, 1.0 - 2**-24, 0.5, 1e-30], dtype=np.float32)
    t = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.5, 0.0], dtype=np.float32)
    for red in REDUCTIONS:
        record("binaryCrossEntropy/float32/edges/%s" % red, "binaryCrossEntropy",
               lambda ts, red=red: F.binary_cross_entropy(ts["input"], ts["target"], reduction=red),
               ["input", "target"], {"input": x, "target": t}, {"reduction": red})
    # extreme and zero logits
    z = np.array([[100.0, -100.0, 0.0], [-100.0, 100.0, 0.0], [30.0, -30.0, 1e-3]], dtype=np.float32)
    t = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.3, 0.7, 0.5]], dtype=np.float32)
    pw = np.array([2.0, 0.5, 3.0], dtype=np.float32)
    for red in REDUCTIONS:
        record("bceWithLogits/float32/extreme/%s" % red, "bceWithLogits",
               lambda ts, red=red: F.binary_cross_entropy_with_logits(ts["input"], ts["target"], reduction=red),
               ["input", "target"], {"input": z, "target": t}, {"reduction": red}, target_grad=True)
        record("bceWithLogits/float32/extreme/%s/posWeight" % red, "bceWithLogits",
               lambda ts, red=red: F.binary_cross_entropy_with_logits(ts["input"], ts["target"], pos_weight=ts["posWeight"], reduction=red),
               ["input", "target", "posWeight"], {"input": z, "target": t, "posWeight": pw}, {"reduction": red}, target_grad=True)


def ce_torch(ts, o):
    kw = {"reduction": o.get("reduction", "mean")}
    if "weight" in ts:
        kw["weight"] = ts["weight"]
    if "ignoreIndex" in o:
        kw["ignore_index"] = o["ignoreIndex"]
    if "labelSmoothing" in o:
        kw["label_smoothing"] = o["labelSmoothing"]
    return F.cross_entropy(ts["input"], ts["target"], **kw)


def nll_torch(ts, o):
    kw = {"reduction": o.get("reduction", "mean")}
    if "weight" in ts:
        kw["weight"] = ts["weight"]
    if "ignoreIndex" in o:
        kw["ignore_index"] = o["ignoreIndex"]
    return F.nll_loss(ts["input"], ts["target"], **kw)


def gen_cross_entropy():
    # (input shape, dtype): N = 1, C = 1, unbatched [C], spatial dims
    cases = [([1, 5], "float32"), ([1, 1], "float32"), ([4, 3], "float32"), ([5], "float32"),
             ([3, 4, 5], "float32"), ([2, 3, 2, 2], "float32"), ([6, 4], "float64")]
    variants = [
        {},
        {"weight": True},
        {"ignore": -100},
        {"ignore": 1, "weight": True},
        {"labelSmoothing": 0.1},
        {"labelSmoothing": 0.25, "weight": True, "ignore": -100},
    ]
    for s, dt in cases:
        C = s[1] if len(s) > 1 else s[0]
        tshape = [s[0]] + s[2:] if len(s) > 1 else []
        for v in variants:
            if "ignore" in v and v["ignore"] >= C:
                continue
            for red in REDUCTIONS:
                x = uniform(s, dt, -4, 4)
                t = labels(tshape, C, v.get("ignore"))
                o = {"reduction": red}
                if "ignore" in v:
                    o["ignoreIndex"] = v["ignore"]
                if "labelSmoothing" in v:
                    o["labelSmoothing"] = v["labelSmoothing"]
                named = {"input": x, "target": t}
                args = ["input", "target"]
                if v.get("weight"):
                    named["weight"] = uniform([C], dt, 0.2, 2.0)
                    args.append("weight")
                name = "crossEntropy/%s/%s/%s%s" % (dt, shp(s), sfx(o), "/weight" if v.get("weight") else "")
                record(name, "crossEntropy", lambda ts, o=o: ce_torch(ts, o), args, named, o)
                if "labelSmoothing" not in v:
                    lp = torch.log_softmax(torch.from_numpy(x.astype(np.float64)), 1 if len(s) > 1 else 0).numpy().astype(NP_DT[dt])
                    record(name.replace("crossEntropy", "nll", 1), "nll", lambda ts, o=o: nll_torch(ts, o), args, dict(named, input=lp), o)
    # probability targets (input's shape), with smoothing and weight
    for s, dt in [([4, 3], "float32"), ([5], "float32"), ([2, 3, 4], "float32"), ([3, 4], "float64")]:
        C = s[1] if len(s) > 1 else s[0]
        axis = 1 if len(s) > 1 else 0
        for v in [{}, {"weight": True}, {"labelSmoothing": 0.2}, {"labelSmoothing": 0.1, "weight": True}]:
            for red in REDUCTIONS:
                x = uniform(s, dt, -4, 4)
                q = probs(s, dt, axis)
                o = {"reduction": red}
                if "labelSmoothing" in v:
                    o["labelSmoothing"] = v["labelSmoothing"]
                named = {"input": x, "target": q}
                args = ["input", "target"]
                if v.get("weight"):
                    named["weight"] = uniform([C], dt, 0.2, 2.0)
                    args.append("weight")
                record("crossEntropy/%s/%s/probs/%s%s" % (dt, shp(s), sfx(o), "/weight" if v.get("weight") else ""),
                       "crossEntropy", lambda ts, o=o: ce_torch(ts, o), args, named, o, target_grad=True)
    # extreme logits, every label ignored (mean is NaN), an empty batch
    x = np.array([[100.0, -100.0, 0.0], [-100.0, 100.0, 0.0], [100.0, 100.0, -100.0], [0.0, 0.0, 0.0]], dtype=np.float32)
    t = np.array([1, 1, 0, 2], dtype=np.int32)
    for red in REDUCTIONS:
        for ls in [0.0, 0.1]:
            o = {"reduction": red} if ls == 0 else {"reduction": red, "labelSmoothing": ls}
            record("crossEntropy/float32/extreme/%s" % sfx(o), "crossEntropy", lambda ts, o=o: ce_torch(ts, o),
                   ["input", "target"], {"input": x, "target": t}, o)
    x = uniform([3, 4], "float32")
    t = np.full([3], -100, dtype=np.int32)
    for red in REDUCTIONS:
        record("crossEntropy/float32/allIgnored/%s" % red, "crossEntropy", lambda ts, red=red: ce_torch(ts, {"reduction": red}),
               ["input", "target"], {"input": x, "target": t}, {"reduction": red})
    x = np.zeros([0, 4], dtype=np.float32)
    t = np.zeros([0], dtype=np.int32)
    for red in REDUCTIONS:
        record("crossEntropy/float32/empty/%s" % red, "crossEntropy", lambda ts, red=red: ce_torch(ts, {"reduction": red}),
               ["input", "target"], {"input": x, "target": t}, {"reduction": red})


def gen_kl():
    for dt, shapes in [("float32", [[3, 4], [2, 3, 4], [5], [1, 1]]), ("float64", [[4, 3]])]:
        for s in shapes:
            axis = len(s) - 1
            for log_target in [False, True]:
                for red in ["mean", "batchmean", "sum", "none"]:
                    x = np.log(probs(s, dt, axis))
                    q = probs(s, dt, axis)
                    if q.size > 2 and not log_target:
                        q.flat[1] = 0.0  # xlogy(0, 0) = 0
                    tgt = np.log(q) if log_target else q
                    o = {"reduction": red}
                    if log_target:
                        o["logTarget"] = True
                    record("klDiv/%s/%s/%s" % (dt, shp(s), sfx(o)), "klDiv",
                           lambda ts, red=red, lt=log_target: F.kl_div(ts["input"], ts["target"], reduction=red, log_target=lt),
                           ["input", "target"], {"input": x, "target": tgt}, o, target_grad=bool(np.all(q > 0)))


def keras_margin(ts, red, squared):
    x, t = ts["input"], ts["target"]
    if bool(torch.all((t == 0) | (t == 1))):
        t = 2 * t - 1
    m = torch.clamp(1 - t * x, min=0)
    if squared:
        m = m ** 2
    per = m if m.dim() == 0 else m.mean(-1)
    return per if red == "none" else per.sum() if red == "sum" else per.mean()


def gen_margin():
    for dt, shapes in [("float32", [[4, 3], [5], [2, 3, 4], [1, 1]]), ("float64", [[3, 5]])]:
        for s in shapes:
            for kind in ["pm1", "01", "mixed"]:
                for red in REDUCTIONS:
                    x = uniform(s, dt, -2, 2)
                    if kind == "pm1":
                        t = np.where(rng.random(s) < 0.5, -1.0, 1.0).astype(NP_DT[dt])
                    elif kind == "01":
                        t = (rng.random(s) < 0.5).astype(NP_DT[dt])
                    else:  # not all in {0, 1}: used as they are
                        t = rng.choice([-1.0, 0.0, 1.0], size=s).astype(NP_DT[dt])
                        t.flat[0] = -1.0
                    for op, sq in [("hinge", False), ("squaredHinge", True)]:
                        record("%s/%s/%s/%s/%s" % (op, dt, shp(s), kind, red), op,
                               lambda ts, red=red, sq=sq: keras_margin(ts, red, sq),
                               ["input", "target"], {"input": x, "target": t}, {"reduction": red}, target_grad=(kind == "pm1"))
    # exactly at the kink (1 - t x = 0): the gradient passes, as tf.maximum and torch.clamp
    x = np.array([[1.0, -1.0, 0.5, 2.0]], dtype=np.float32)
    t = np.array([[1.0, -1.0, 1.0, -1.0]], dtype=np.float32)
    for op, sq in [("hinge", False), ("squaredHinge", True)]:
        record("%s/float32/kink" % op, op, lambda ts, sq=sq: keras_margin(ts, "sum", sq),
               ["input", "target"], {"input": x, "target": t}, {"reduction": "sum"}, target_grad=True)


def main():
    import warnings
    warnings.simplefilter("ignore")
    gen_regression()
    gen_bce()
    gen_cross_entropy()
    gen_kl()
    gen_margin()
    doc = {"generator": "test/reference/gen_losses.py", "versions": {"numpy": np.__version__, "torch": torch.__version__}}
    with open(OUT, "w") as f:
        head = json.dumps(doc, separators=(", ", ": "))[:-1]
        f.write(head + ',\n"records": [\n')
        for i, r in enumerate(RECORDS):
            f.write(json.dumps(r, separators=(",", ":"), allow_nan=False))
            f.write(",\n" if i + 1 < len(RECORDS) else "\n")
        f.write("]}\n")
    counts = {}
    for r in RECORDS:
        counts[r["op"]] = counts.get(r["op"], 0) + 1
    print("wrote %s: %d records, %d bytes" % (OUT, len(RECORDS), os.path.getsize(OUT)), file=sys.stderr)
    print(json.dumps(counts), file=sys.stderr)


if __name__ == "__main__":
    main()
