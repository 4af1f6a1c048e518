#!/usr/bin/python3
"""Reference-value generator for tensile's core ops.

Run from the repository root with Debian's numpy/torch build:

    /usr/bin/python3 test/reference/gen_core.py

It rewrites test/fixtures/core.json (deterministic: fixed numpy seed, torch on
one CPU thread).  The jest tests read that JSON, so CI never needs Python.

Format: {"generator", "versions", "records": [{name, op, inputs, attrs,
expected, tol?}]}, where a tensor is {"dtype", "shape", "data"} with flat
row-major data, bools as true/false and non-finite floats as "nan"/"inf"/"-inf".
float32 expectations are computed in float32 by torch, float64 ones in float64.
"""

import json
import math
import os
import sys

import numpy as np
import torch

torch.set_num_threads(1)
SEED = 20240501
rng = np.random.default_rng(SEED)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "core.json")

NP_DT = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "bool": np.bool_}
TORCH_DT = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32, "bool": torch.bool}
FLOATS = ["float32", "float64"]


# --------------------------------------------------------------------------
# serialisation helpers
# --------------------------------------------------------------------------

def dtname(a):
    a = np.asarray(a)
    if a.dtype == np.float32:
        return "float32"
    if a.dtype == np.float64:
        return "float64"
    if a.dtype == np.bool_:
        return "bool"
    if a.dtype in (np.int32, np.int64):
        return "int32"
    raise TypeError("unsupported dtype %s" % a.dtype)


def enc_float(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def T(x, dtype=None):
    """numpy array / torch tensor -> JSON tensor."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    a = np.asarray(x)
    dt = dtype or dtname(a)
    if dt == "int32":
        assert a.size == 0 or (a.min() >= -2**31 and a.max() < 2**31)
        a = a.astype(np.int32)
    else:
        a = a.astype(NP_DT[dt])
    flat = a.reshape(-1)
    if dt == "bool":
        data = [bool(v) for v in flat]
    elif dt == "int32":
        data = [int(v) for v in flat]
    else:
        data = [enc_float(v) for v in flat]
    return {"dtype": dt, "shape": [int(s) for s in a.shape], "data": data}


def tt(a):
    """numpy -> torch (keeping dtype)."""
    # (not np.ascontiguousarray: it would turn a 0-d array into shape [1])
    return torch.from_numpy(np.array(a, order="C", copy=True))


RECORDS = []
NAMES = set()


def shp(s):
    return "[" + ",".join(str(int(d)) for d in s) + "]"


def add(name, op, inputs, attrs, expected, tol=None):
    base = name
    k = 2
    while name in NAMES:
        name = "%s#%d" % (base, k)
        k += 1
    NAMES.add(name)
    rec = {"name": name, "op": op, "inputs": [T(i) for i in inputs], "attrs": attrs}
    if isinstance(expected, (list, tuple)):
        rec["expected"] = [T(e) for e in expected]
    else:
        rec["expected"] = T(expected)
    if tol is not None:
        rec["tol"] = tol
    RECORDS.append(rec)


# --------------------------------------------------------------------------
# random inputs
# --------------------------------------------------------------------------

def rand(shape, dtype, lo=-3.0, hi=3.0):
    shape = tuple(shape)
    if dtype == "int32":
        a = np.array(rng.integers(int(lo), int(hi) + 1, size=shape), dtype=np.int32)
        if a.size and not a.any():
            a.flat[0] = 1
        return a
    if dtype == "bool":
        a = np.array(rng.random(shape) < 0.5)
        if a.size and not a.any():
            a.flat[0] = True
        return a
    return np.array(rng.uniform(lo, hi, size=shape), dtype=NP_DT[dtype])


def rand_int_valued(shape, dtype, lo=-2, hi=2):
    """small integer values (in any dtype) -> lots of ties / equalities."""
    a = np.array(rng.integers(lo, hi + 1, size=tuple(shape)))
    if a.size and not a.any():
        a.flat[0] = 1
    return a.astype(NP_DT[dtype])


def nonzero(shape, dtype, lo=0.5, hi=3.0):
    mag = rng.uniform(lo, hi, size=tuple(shape))
    sgn = np.where(rng.random(tuple(shape)) < 0.5, -1.0, 1.0)
    return (mag * sgn).astype(NP_DT[dtype])


# shapes per dtype: float32 gets the awkward ones, float64 a representative few
SHAPES = {"float32": [[], [2, 3], [3, 5, 7], [2, 0, 4]], "float64": [[5], [1, 4, 1], [0, 3]]}


# --------------------------------------------------------------------------
# unary
# --------------------------------------------------------------------------

UNARY = {
    "neg": (torch.neg, (-3, 3)),
    "exp": (torch.exp, (-5, 5)),
    "log": (torch.log, (0.01, 10)),
    "sqrt": (torch.sqrt, (0.01, 10)),
    "rsqrt": (torch.rsqrt, (0.01, 10)),
    "abs": (torch.abs, (-3, 3)),
    "sign": (torch.sign, (-3, 3)),
    "sin": (torch.sin, (-7, 7)),
    "cos": (torch.cos, (-7, 7)),
    "tanh": (torch.tanh, (-4, 4)),
    "sigmoid": (torch.sigmoid, (-6, 6)),
    "relu": (torch.relu, (-3, 3)),
}


def gen_unary():
    for op, (fn, (lo, hi)) in UNARY.items():
        for dt in FLOATS:
            for s in SHAPES[dt]:
                x = rand(s, dt, lo, hi)
                add("%s/%s/shape%s" % (op, dt, shp(s)), op, [x], {}, fn(tt(x)))
        if op in ("neg", "abs", "sign", "relu"):
            for s in ([2, 3],):
                x = rand(s, "int32", -5, 5)
                add("%s/int32/shape%s" % (op, shp(s)), op, [x], {}, fn(tt(x)))
    # sign with exact zeros, relu with zeros
    for dt in ("float32",):
        x = np.array([-2.0, 0.0, 3.5, 0.0, -0.25, 1e-30], dtype=NP_DT[dt])
        for op in ("sign", "relu"):
            add("%s/%s/with-zeros" % (op, dt), op, [x], {}, UNARY[op][0](tt(x)))

    # numerically hard inputs
    def special(op, dt, vals, tag):
        x = np.array(vals, dtype=NP_DT[dt])
        add("%s/%s/%s" % (op, dt, tag), op, [x], {}, UNARY[op][0](tt(x)))

    special("log", "float64", [1e-300, 1e-200, 1e-20, 1.0, 1e300], "tiny-huge")
    special("log", "float32", [1e-38, 1e-44, 1e-30, 1.0, 3e38], "tiny-subnormal")
    special("log", "float64", [0.0, 1.0, float("inf")], "zero-inf")
    special("log", "float32", [0.0, 2.0, float("inf")], "zero-inf")
    special("sqrt", "float32", [1e-44, 1e-38, 0.0, 4.0, 3e38], "extremes")
    special("sqrt", "float64", [1e-300, 0.0, 4.0, 1e300], "extremes")
    special("rsqrt", "float32", [1e-30, 1e-10, 4.0, 1e30], "extremes")
    special("rsqrt", "float64", [1e-300, 4.0, 1e300], "extremes")
    special("exp", "float32", [80.0, 88.0, 89.0, -80.0, -104.0, -200.0], "overflow-underflow")
    special("exp", "float64", [700.0, 709.0, 710.0, -700.0, -745.0, -1000.0], "overflow-underflow")
    for dt in FLOATS:
        special("sigmoid", dt, [float("-inf"), -100.0, -50.0, -20.0, 1e-8, 20.0, 50.0, 100.0, float("inf")],
                "saturate")
        special("tanh", dt, [float("-inf"), -100.0, -20.0, -1e-8, 0.0, 1e-8, 20.0, 100.0, float("inf")],
                "saturate")
    special("sin", "float64", [1e-8, 100.0, -1000.0, 3.14159], "large-args")
    special("cos", "float32", [1e-8, 100.0, -1000.0, 3.14159], "large-args")
    special("exp", "float32", [float("-inf"), float("inf"), float("nan")], "nonfinite")
    special("abs", "float32", [float("-inf"), -1.5, float("nan")], "nonfinite")
    special("neg", "float64", [float("-inf"), 1.5, float("nan")], "nonfinite")


# --------------------------------------------------------------------------
# binary / comparisons / where / clamp
# --------------------------------------------------------------------------

def _scalar_ok(fn):
    """torch.maximum/minimum need a tensor; wrap a python scalar in x's dtype."""
    def g(a, b):
        if not isinstance(b, torch.Tensor):
            b = torch.tensor(b, dtype=a.dtype)
        return fn(a, b)
    return g


BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
    "pow": torch.pow, "maximum": _scalar_ok(torch.maximum), "minimum": _scalar_ok(torch.minimum),
}
CMP = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}

PAIRS = {
    "float32": [([2, 3], [2, 3]), ([4, 1], [3]), ([2, 1, 5], [3, 1]), ([], [3]), ([3, 5, 7], [5, 1]),
                ([2, 0, 4], [1, 4])],
    "float64": [([1], [2, 3]), ([0, 3], [3])],
    "int32": [([4, 1], [3])],
}
CMP_PAIRS = {
    "float32": [([2, 3], [2, 3]), ([2, 1, 5], [3, 1]), ([0, 3], [3])],
    "float64": [([4, 1], [3]), ([], [])],
    "int32": [([2, 3], [2, 3])],
}


def bin_inputs(op, sa, sb, dt):
    if op == "pow":
        return rand(sa, dt, 0.1, 3.0), rand(sb, dt, -2.0, 2.0)
    if op == "div":
        return rand(sa, dt), nonzero(sb, dt)
    if op in ("maximum", "minimum") and dt != "int32":
        return rand_int_valued(sa, dt) * 0.5, rand_int_valued(sb, dt) * 0.5  # ties
    if dt == "int32":
        return rand(sa, dt, -9, 9), rand(sb, dt, -9, 9)
    return rand(sa, dt), rand(sb, dt)


def gen_binary():
    for op, fn in BINARY.items():
        for dt in FLOATS:
            for sa, sb in PAIRS[dt]:
                a, b = bin_inputs(op, sa, sb, dt)
                add("%s/%s/shape%s+%s" % (op, dt, shp(sa), shp(sb)), op, [a, b], {}, fn(tt(a), tt(b)))
            # scalar second argument
            sc = 2.5 if dt == "float32" else -1.5
            a = rand([2, 3], dt, 0.1, 3.0) if op == "pow" else rand([2, 3], dt)
            add("%s/%s/scalar=%s" % (op, dt, sc), op, [a], {"scalar": sc}, fn(tt(a), sc))
        a = rand([], "float32", 0.1, 3.0)
        add("%s/float32/shape[]/scalar=0.5" % op, op, [a], {"scalar": 0.5}, fn(tt(a), 0.5))
        if op in ("add", "sub", "mul", "maximum", "minimum"):
            for sa, sb in PAIRS["int32"]:
                a, b = bin_inputs(op, sa, sb, "int32")
                add("%s/int32/shape%s+%s" % (op, shp(sa), shp(sb)), op, [a, b], {}, fn(tt(a), tt(b)))
            a = rand([2, 3], "int32", -9, 9)
            add("%s/int32/scalar=3" % op, op, [a], {"scalar": 3}, fn(tt(a), 3))

    # pow: negative base with integer exponents
    for dt in FLOATS:
        a = nonzero([3, 4], dt, 0.3, 3.0)
        b = rng.integers(-3, 4, size=(3, 4)).astype(NP_DT[dt])
        add("pow/%s/negative-base-integer-exp" % dt, "pow", [a, b], {}, torch.pow(tt(a), tt(b)))
        a = nonzero([2, 3], dt, 0.3, 3.0)
        for sc in ((2.0, -1.0) if dt == "float32" else (3.0,)):
            add("pow/%s/negative-base/scalar=%s" % (dt, sc), "pow", [a], {"scalar": sc}, torch.pow(tt(a), sc))
        a = np.array([0.0, 0.0, 2.0, -2.0, 1.0], dtype=NP_DT[dt])
        b = np.array([0.0, 2.0, 0.0, 0.0, 1e10], dtype=NP_DT[dt])
        add("pow/%s/zero-cases" % dt, "pow", [a, b], {}, torch.pow(tt(a), tt(b)))
        a = np.array([1.0, -1.0, 0.0, 2.0], dtype=NP_DT[dt])
        b = np.array([0.0, 0.0, 0.0, 0.0], dtype=NP_DT[dt])
        add("div/%s/by-zero" % dt, "div", [a, b], {}, torch.div(tt(a), tt(b)))
        a = np.array([1.0, float("nan"), -2.0, float("nan")], dtype=NP_DT[dt])
        b = np.array([float("nan"), 0.5, -3.0, float("nan")], dtype=NP_DT[dt])
        for op in ("maximum", "minimum"):
            add("%s/%s/nan-propagation" % (op, dt), op, [a, b], {}, BINARY[op](tt(a), tt(b)))

    # comparisons
    for op, fn in CMP.items():
        for dt in FLOATS + ["int32"]:
            for sa, sb in CMP_PAIRS[dt]:
                a = rand_int_valued(sa, dt)
                b = rand_int_valued(sb, dt)
                add("%s/%s/shape%s+%s" % (op, dt, shp(sa), shp(sb)), op, [a, b], {}, fn(tt(a), tt(b)))
            if dt == "float64":
                continue
            sc = 1 if dt == "int32" else 0.5
            a = rand_int_valued([3, 4], dt) * (1 if dt == "int32" else 0.5)
            a = a.astype(NP_DT[dt])
            add("%s/%s/scalar=%s" % (op, dt, sc), op, [a], {"scalar": sc}, fn(tt(a), sc))
        a = np.array([float("nan"), 1.0, float("inf"), float("-inf"), float("nan")], dtype=np.float64)
        b = np.array([float("nan"), float("nan"), float("inf"), 0.0, 1.0], dtype=np.float64)
        add("%s/float64/nonfinite" % op, op, [a, b], {}, fn(tt(a), tt(b)))


def gen_where():
    cases = [([2, 3], [2, 3], [2, 3]), ([4, 1], [3], [1]), ([2, 1, 5], [3, 1], []),
             ([3], [2, 3], [2, 1]), ([], [2, 2], [2, 2]), ([0, 3], [3], [1, 3])]
    for dt in FLOATS + ["int32"]:
        for sc, sa, sb in (cases if dt == "float32" else cases[1:3]):
            c = rand(sc, "bool")
            a = rand(sa, dt, -9, 9)
            b = rand(sb, dt, -9, 9)
            add("where/%s/shape%s,%s,%s" % (dt, shp(sc), shp(sa), shp(sb)), "where", [c, a, b], {},
                torch.where(tt(c), tt(a), tt(b)))


def gen_clamp():
    bounds = [(-0.5, 0.5), (None, 0.0), (0.0, None), (-1.0, -1.0), (1.0, -1.0)]
    for dt in FLOATS:
        for s in ([2, 3], [3, 5, 7], [], [0, 3]):
            for lo, hi in bounds:
                if s != [2, 3] and (lo, hi) != (-0.5, 0.5):
                    continue
                if dt == "float64" and (s != [2, 3] or (lo, hi) != (-0.5, 0.5)):
                    continue
                x = rand(s, dt, -2, 2)
                tag = "min=%s,max=%s" % (lo, hi)
                if lo is not None and hi is not None and lo > hi:
                    tag += "(min>max)"
                add("clamp/%s/shape%s/%s" % (dt, shp(s), tag), "clamp", [x], {"min": lo, "max": hi},
                    torch.clamp(tt(x), lo, hi))
        x = np.array([float("nan"), float("inf"), float("-inf"), 0.3], dtype=NP_DT[dt])
        add("clamp/%s/nonfinite" % dt, "clamp", [x], {"min": -1.0, "max": 1.0}, torch.clamp(tt(x), -1.0, 1.0))
    x = rand([3, 4], "int32", -9, 9)
    add("clamp/int32/min=-3,max=4", "clamp", [x], {"min": -3, "max": 4}, torch.clamp(tt(x), -3, 4))


# --------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------

def norm_axes(axis, nd):
    if axis is None:
        return list(range(nd))
    if isinstance(axis, int):
        axis = [axis]
    return sorted(a % nd for a in axis)


def torch_reduce(op, x, axis, keepdims, correction=None):
    nd = x.dim()
    dims = norm_axes(axis, nd)
    if op in ("sum", "mean", "max", "min", "logsumexp", "var", "std") and nd == 0:
        # reducing a 0-d tensor over "all axes" is the identity (var/std: n=1)
        if op in ("var", "std"):
            r = torch.var(x.reshape(1), dim=0, unbiased=bool(correction))
            return r if op == "var" else torch.sqrt(r)
        if op == "logsumexp":
            return x.clone()
        return x.clone() if op != "mean" else x.clone()
    if op == "sum":
        return torch.sum(x, dim=dims, keepdim=keepdims)
    if op == "mean":
        return torch.mean(x, dim=dims, keepdim=keepdims)
    if op == "max":
        return torch.amax(x, dim=dims, keepdim=keepdims)
    if op == "min":
        return torch.amin(x, dim=dims, keepdim=keepdims)
    if op == "logsumexp":
        return torch.logsumexp(x, dim=dims, keepdim=keepdims)
    if op == "var":
        return torch.var(x, dim=dims, unbiased=bool(correction), keepdim=keepdims)
    if op == "std":
        return torch.std(x, dim=dims, unbiased=bool(correction), keepdim=keepdims)
    if op == "prod":
        if nd == 0:
            return x.clone()
        r = x
        for d in sorted(dims, reverse=True):
            r = torch.prod(r, dim=d, keepdim=True)
        if not keepdims:
            for d in sorted(dims, reverse=True):
                r = r.squeeze(d)
        return r
    raise ValueError(op)


def np_reduce_check(op, x, axis, keepdims, correction, got):
    """independent numpy cross-check (float64 only)."""
    ax = None if axis is None else (tuple(axis) if isinstance(axis, list) else axis)
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if op == "logsumexp":
                from scipy.special import logsumexp
                ref = logsumexp(x, axis=ax, keepdims=keepdims) if x.size else np.log(np.sum(np.exp(x), axis=ax, keepdims=keepdims))
            elif op in ("var", "std"):
                ref = getattr(np, op)(x, axis=ax, keepdims=keepdims, ddof=correction)
            else:
                f = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.amax, "min": np.amin}[op]
                ref = f(x, axis=ax, keepdims=keepdims)
    got = got.numpy()
    ref = np.asarray(ref)
    assert got.shape == ref.shape, (op, x.shape, axis, keepdims, got.shape, ref.shape)
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12, equal_nan=True), (op, axis, got, ref)


RED_CASES = {
    "float32": [([2, 3], None, False), ([2, 3], 0, False), ([2, 3], -1, True), ([3, 5, 7], 1, False),
                ([3, 5, 7], [0, 2], False), ([3, 5, 7], [-1, 0], True), ([], None, False), ([1, 4, 1], [0, 2], False)],
    "float64": [([2, 3], None, True), ([3, 5, 7], -2, True), ([3, 5, 7], None, False), ([5], 0, False)],
    "int32": [([2, 3], 1, False), ([3, 5, 7], [0, 2], True)],
}
EMPTY_CASES = {"float32": [([0, 3], None, False), ([0, 3], 0, False), ([0, 3], 1, False)],
               "float64": [([2, 0, 4], 1, True), ([2, 0, 4], [0, 2], False)]}


def red_input(op, s, dt):
    if op == "prod":
        return rand(s, dt, 0.5, 1.5) * np.where(rng.random(tuple(s)) < 0.3, -1, 1).astype(NP_DT[dt]) \
            if dt != "int32" else rand(s, dt, -2, 2)
    if op in ("max", "min") and dt != "int32":
        return rand_int_valued(s, dt, -4, 4) * 0.5
    if dt == "int32":
        return rand(s, dt, -9, 9)
    return rand(s, dt)


def gen_reductions():
    ops = ["sum", "mean", "prod", "max", "min", "logsumexp", "var", "std"]
    for op in ops:
        dts = FLOATS + (["int32"] if op in ("sum", "max", "min") else [])
        corrections = [1, 0] if op in ("var", "std") else [None]
        for dt in dts:
            for s, axis, kd in RED_CASES[dt]:
                for corr in corrections:
                    if corr == 0 and (s, axis) not in (([2, 3], 0), ([3, 5, 7], None)):
                        continue
                    x = red_input(op, s, dt)
                    r = torch_reduce(op, tt(x), axis, kd, corr)
                    if dt == "float64":
                        np_reduce_check(op, x, axis, kd, corr, r)
                    attrs = {"axis": axis, "keepdims": kd}
                    name = "%s/%s/shape%s/axis=%s/keepdims=%s" % (
                        op, dt, shp(s), json.dumps(axis, separators=(",", ":")), str(kd).lower())
                    if corr is not None:
                        attrs["correction"] = corr
                        name += "/correction=%d" % corr
                    add(name, op, [x], attrs, r)
            if dt == "int32":
                continue
            # empty reductions
            for s, axis, kd in EMPTY_CASES[dt]:
                if op in ("var", "std", "logsumexp") and not (s == [0, 3] and axis == 0):
                    continue
                if op in ("max", "min"):
                    # only reductions over a non-empty axis of an empty tensor are legal
                    if not (s == [0, 3] and axis == 1):
                        continue
                x = np.zeros(s, dtype=NP_DT[dt])
                for corr in corrections:
                    r = torch_reduce(op, tt(x), axis, kd, corr)
                    if dt == "float64":
                        np_reduce_check(op, x, axis, kd, corr, r)
                    attrs = {"axis": axis, "keepdims": kd}
                    name = "%s/%s/empty/shape%s/axis=%s/keepdims=%s" % (
                        op, dt, shp(s), json.dumps(axis, separators=(",", ":")), str(kd).lower())
                    if corr is not None:
                        attrs["correction"] = corr
                        name += "/correction=%d" % corr
                        if corr == 0:
                            continue
                    add(name, op, [x], attrs, r)
    # var/std of a single element with correction=1 -> nan
    for op in ("var", "std"):
        x = rand([3, 1], "float64")
        add("%s/float64/single-element/correction=1" % op, op, [x], {"axis": 1, "keepdims": False, "correction": 1},
            torch_reduce(op, tt(x), 1, False, 1))
    # logsumexp: huge values
    for dt in FLOATS:
        x = np.array([[1000.0, 1000.0, 999.0], [-1000.0, -1000.5, -999.0], [1000.0, -1000.0, 0.0]],
                     dtype=NP_DT[dt])
        for axis in ((1, None) if dt == "float32" else (0,)):
            add("logsumexp/%s/huge/axis=%s" % (dt, axis), "logsumexp", [x], {"axis": axis, "keepdims": False},
                torch_reduce("logsumexp", tt(x), axis, False))
        x = np.array([[float("-inf"), float("-inf")], [float("-inf"), 0.0]], dtype=NP_DT[dt])
        add("logsumexp/%s/neginf-rows" % dt, "logsumexp", [x], {"axis": 1, "keepdims": False},
            torch_reduce("logsumexp", tt(x), 1, False))
        x = rand([4, 6], dt, 995, 1005) * np.where(rng.random((4, 6)) < 0.5, -1, 1).astype(NP_DT[dt])
        add("logsumexp/%s/mixed-1000" % dt, "logsumexp", [x], {"axis": -1, "keepdims": True},
            torch_reduce("logsumexp", tt(x), -1, True))
    # accumulation accuracy: 10000 float32 values
    # values in [0.1, 0.1001): a naive float32 running sum drifts by ~1e-5 relative,
    # pairwise/Kahan summation (and torch) stay within ~1e-7.
    x = rng.uniform(0.1, 0.1001, size=10000).astype(np.float32)
    exact = float(np.sum(x.astype(np.float64)))
    r = torch.sum(tt(x))
    naive = np.float32(0)
    for v in x:
        naive = np.float32(naive + v)
    rel_torch = abs(float(r) - exact) / exact
    rel_naive = abs(float(naive) - exact) / exact
    assert rel_torch < 1e-6 and rel_naive > 4e-6, (rel_torch, rel_naive)
    add("sum/float32/shape[10000]/accumulation", "sum", [x], {"axis": None, "keepdims": False}, r,
        tol={"rtol": 2e-6, "atol": 0})
    xm = x.reshape(100, 100)
    add("mean/float32/shape[100,100]/accumulation", "mean", [xm], {"axis": None, "keepdims": False},
        torch.mean(tt(xm)), tol={"rtol": 2e-6, "atol": 0})
    # variance with a large offset (catastrophic cancellation for the naive E[x^2]-E[x]^2 formula)
    x = (1e4 + rng.uniform(-1, 1, size=(4, 50))).astype(np.float32)
    ref = np.var(x.astype(np.float64), axis=1, ddof=1)
    r = torch.var(tt(x), dim=1, unbiased=True)
    assert np.allclose(r.numpy(), ref, rtol=1e-3)
    add("var/float32/large-offset", "var", [x], {"axis": 1, "keepdims": False, "correction": 1}, r,
        tol={"rtol": 1e-3, "atol": 1e-6})


def gen_arg():
    cases = {"float32": [([2, 3], None, False), ([2, 3], 0, False), ([3, 5, 7], 1, False), ([3, 5, 7], -1, True),
                         ([], None, False), ([0, 3], 1, False)],
             "float64": [([2, 3], 1, True), ([3, 5, 7], None, False), ([1, 4, 1], 1, False)],
             "int32": [([2, 3], -1, False), ([7], 0, False)]}
    for op, fn in (("argmax", torch.argmax), ("argmin", torch.argmin)):
        npfn = np.argmax if op == "argmax" else np.argmin
        for dt in FLOATS + ["int32"]:
            for s, axis, kd in cases[dt]:
                x = rand_int_valued(s, dt, -3, 3)  # many ties -> tests first occurrence
                r = fn(tt(x), dim=axis, keepdim=kd) if axis is not None else fn(tt(x))
                ref = npfn(x, axis=axis, keepdims=kd) if x.size else np.zeros(r.shape, np.int64)
                assert np.array_equal(r.numpy(), ref), (op, s, axis)
                add("%s/%s/shape%s/axis=%s/keepdims=%s" % (op, dt, shp(s), axis, str(kd).lower()), op, [x],
                    {"axis": axis, "keepdims": kd}, r.to(torch.int32))
            if dt != "float32":
                continue
            x = np.array([[1.0, 5.0, 5.0, -2.0, 5.0], [-7.0, 3.0, -7.0, -7.0, 0.0]], dtype=NP_DT[dt])
            r = fn(tt(x), dim=1)
            add("%s/%s/ties-first-occurrence" % (op, dt), op, [x], {"axis": 1, "keepdims": False},
                r.to(torch.int32))


# --------------------------------------------------------------------------
# matmul, softmax
# --------------------------------------------------------------------------

def gen_matmul():
    cases = [([3], [3]), ([3], [3, 4]), ([3, 4], [4]), ([2, 3], [3, 4]), ([7, 13], [13, 5]),
             ([2, 1, 3, 4], [5, 4, 2]), ([2, 3, 4], [4]), ([3], [2, 3, 4]), ([4, 2, 3], [4, 3, 2]),
             ([1, 1], [1, 1]), ([3, 0], [0, 4]), ([0, 3], [3, 4]), ([3, 4], [4, 0]), ([0], [0]),
             ([2, 0, 3], [3, 2]), ([17, 33], [33, 9]), ([1, 5], [3, 5, 1])]
    f64 = {0, 1, 2, 4, 5, 8, 10, 13, 15}
    for dt in FLOATS:
        for i, (sa, sb) in enumerate(cases):
            if dt == "float64" and i not in f64:
                continue
            a = rand(sa, dt, -2, 2)
            b = rand(sb, dt, -2, 2)
            r = torch.matmul(tt(a), tt(b))
            if dt == "float64":
                ref = np.matmul(a, b)
                assert r.shape == ref.shape and np.allclose(r.numpy(), ref, rtol=1e-12, atol=1e-12)
            tol = {"rtol": 1e-4, "atol": 1e-5} if dt == "float32" else None
            add("matmul/%s/shape%s@%s" % (dt, shp(sa), shp(sb)), "matmul", [a, b], {}, r, tol)
    for sa, sb in (([2, 3], [3, 4]), ([3], [3, 2])):
        a = rand(sa, "int32", -5, 5)
        b = rand(sb, "int32", -5, 5)
        add("matmul/int32/shape%s@%s" % (shp(sa), shp(sb)), "matmul", [a, b], {}, torch.matmul(tt(a), tt(b)))


def gen_softmax():
    cases = [([2, 3], 1), ([2, 3], 0), ([2, 3], -1), ([3, 5, 7], 1), ([3, 5, 7], -1), ([5], 0), ([1, 4, 1], 1),
             ([4, 1], 1), ([0, 3], 1), ([2, 0], 1)]
    for op, fn in (("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)):
        for dt in FLOATS:
            for s, axis in (cases if dt == "float32" else cases[1:3] + cases[8:9]):
                x = rand(s, dt, -4, 4)
                add("%s/%s/shape%s/axis=%d" % (op, dt, shp(s), axis), op, [x], {"axis": axis}, fn(tt(x), axis))
            x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0], [1000.0, -1000.0, 0.0],
                          [1000.0, 1000.0, -1000.0]], dtype=NP_DT[dt])
            for axis in ((1, 0) if dt == "float32" else (1,)):
                add("%s/%s/huge/axis=%d" % (op, dt, axis), op, [x], {"axis": axis}, fn(tt(x), axis))
            x = (rand([3, 8], dt, 990, 1010) * np.where(rng.random((3, 8)) < 0.5, -1, 1)).astype(NP_DT[dt])
            add("%s/%s/mixed-1000" % (op, dt), op, [x], {"axis": -1}, fn(tt(x), -1))
            x = np.array([[float("-inf"), 0.0, 1.0], [2.0, float("-inf"), float("-inf")]], dtype=NP_DT[dt])
            add("%s/%s/neginf-entries" % (op, dt), op, [x], {"axis": 1}, fn(tt(x), 1))


# --------------------------------------------------------------------------
# shape ops
# --------------------------------------------------------------------------

def gen_shape_ops():
    dts = FLOATS + ["int32", "bool"]

    for s, ns in [([2, 3], [3, 2]), ([2, 3], [6]), ([6], [-1, 2]), ([2, 3, 4], [4, -1]), ([3, 5, 7], [7, 5, 3]),
                  ([], [1]), ([1], []), ([1, 1], []), ([0, 3], [3, 0]), ([0, 3], [-1, 3]), ([2, 0, 4], [0, 8]),
                  ([4], [2, 1, 2, 1])]:
        for dt in (dts if s == [2, 3] else FLOATS[:1] + (["int32"] if s == [2, 3, 4] else [])):
            x = rand(s, dt)
            add("reshape/%s/shape%s->%s" % (dt, shp(s), shp(ns)), "reshape", [x], {"shape": ns},
                tt(x).reshape(ns))
    # float64 versions of a few
    for s, ns in [([3, 5, 7], [-1, 7]), ([2, 3], [1, 6, 1])]:
        x = rand(s, "float64")
        add("reshape/float64/shape%s->%s" % (shp(s), shp(ns)), "reshape", [x], {"shape": ns}, tt(x).reshape(ns))

    for s, dims in [([2, 3], [1, 0]), ([2, 3, 4], [2, 0, 1]), ([2, 3, 4], [0, 2, 1]), ([3, 5, 7], [1, 2, 0]),
                    ([2, 1, 3, 2], [3, 1, 0, 2]), ([], []), ([5], [0]), ([0, 3, 2], [2, 0, 1]),
                    ([2, 3, 4], [-1, 0, 1])]:
        for dt in (["float32", "float64", "int32"] if s == [2, 3, 4] and dims == [2, 0, 1] else ["float32"]):
            x = rand(s, dt)
            add("permute/%s/shape%s/dims=%s" % (dt, shp(s), shp(dims)), "permute", [x], {"dims": dims},
                tt(x).permute(*dims) if dims else tt(x))

    for s, d0, d1 in [([2, 3], 0, 1), ([2, 3, 4], 0, 2), ([2, 3, 4], -1, 1), ([3, 5, 7], 1, 1), ([0, 3], 0, 1),
                      ([4], 0, -1), ([2, 1, 3, 2], 1, 3)]:
        for dt in (["float32", "float64", "bool"] if s == [2, 3] else ["float32"]):
            x = rand(s, dt)
            add("transpose/%s/shape%s/%d,%d" % (dt, shp(s), d0, d1), "transpose", [x], {"dim0": d0, "dim1": d1},
                torch.transpose(tt(x), d0, d1))

    for s, axis in [([1, 3, 1], None), ([1, 3, 1], 0), ([1, 3, 1], -1), ([1, 3, 1], 1), ([1], None), ([1, 1], 0),
                    ([], None), ([2, 3], None), ([0, 1, 3], 1), ([0, 1, 3], None)]:
        for dt in (["float32", "float64", "int32"] if s == [1, 3, 1] and axis is None else ["float32"]):
            x = rand(s, dt)
            r = torch.squeeze(tt(x)) if axis is None else torch.squeeze(tt(x), axis)
            add("squeeze/%s/shape%s/axis=%s" % (dt, shp(s), axis), "squeeze", [x], {"axis": axis}, r)

    for s, axis in [([2, 3], 0), ([2, 3], 1), ([2, 3], 2), ([2, 3], -1), ([2, 3], -3), ([], 0), ([], -1),
                    ([0, 3], 1), ([5], 1)]:
        for dt in (["float32", "float64", "bool"] if s == [2, 3] and axis == 0 else ["float32"]):
            x = rand(s, dt)
            add("unsqueeze/%s/shape%s/axis=%d" % (dt, shp(s), axis), "unsqueeze", [x], {"axis": axis},
                torch.unsqueeze(tt(x), axis))

    for s, ns in [([3, 1], [3, 4]), ([1, 3], [2, -1]), ([3], [2, 3]), ([3, 1], [2, 3, 4]), ([], [2, 2]),
                  ([1, 3], [0, 3]), ([2, 1, 1], [-1, 3, 2]), ([2, 3], [2, 3]), ([1], [5])]:
        for dt in (["float32", "float64", "int32"] if s == [3, 1] and ns == [3, 4] else ["float32"]):
            x = rand(s, dt)
            add("expand/%s/shape%s->%s" % (dt, shp(s), shp(ns)), "expand", [x], {"shape": ns},
                tt(x).expand(*ns) if ns else tt(x))

    slice_cases = [
        ([10], [[2, 7, None]]), ([10], [[None, None, -1]]), ([10], [[None, None, -2]]), ([10], [[-3, None, None]]),
        ([10], [[1, 100, 3]]), ([10], [[-100, None, None]]), ([10], [[7, 2, None]]), ([10], [[8, 1, -3]]),
        ([10], [[-1, 0, -1]]), ([10], [[None, -11, -1]]),
        ([4, 5], [[1, 3, None]]), ([4, 5], [[None, None, None], [None, None, 2]]), ([4, 5], [[None, None, -1], [4, 0, -2]]),
        ([4, 5], [[-2, None, None], [1, -1, None]]), ([3, 4, 5], [[None, None, 2], [None, None, -1], [1, 4, 2]]),
        ([3, 4, 5], [[1, 2, None]]), ([3, 4, 5], [[0, 0, None]]), ([0, 3], [[None, None, -1]]),
    ]
    for s, sl in slice_cases:
        for dt in (["float32", "float64", "int32", "bool"] if sl == [[None, None, -2]] else ["float32"]):
            x = rand(s, dt)
            r = x[tuple(slice(*t) for t in sl)]
            add("slice/%s/shape%s/%s" % (dt, shp(s), json.dumps(sl, separators=(",", ":"))), "slice", [x],
                {"slices": sl}, np.array(r))

    gather_cases = [([3, 4], [3, 2], 1), ([3, 4], [2, 4], 0), ([2, 3, 4], [2, 3, 2], -1), ([3, 4], [2, 2], 1),
                    ([2, 3, 4], [1, 3, 4], 0), ([3, 4], [3, 0], 1), ([5], [8], 0)]
    for s, si, axis in gather_cases:
        for dt in (["float32", "float64", "int32"] if s == [3, 4] and axis == 1 and si == [3, 2] else ["float32"]):
            x = rand(s, dt)
            idx = rng.integers(0, s[axis], size=tuple(si)).astype(np.int32)
            add("gather/%s/shape%s/index%s/axis=%d" % (dt, shp(s), shp(si), axis), "gather", [x, idx],
                {"axis": axis}, torch.gather(tt(x), axis, tt(idx).long()))

    for s, n, axis in [([3, 4], 5, 0), ([3, 4], 3, 1), ([2, 3, 4], 4, -1), ([5], 0, 0), ([4, 2], 2, 0)]:
        for dt in (["float32", "float64", "int32"] if s == [3, 4] and axis == 0 else ["float32"]):
            x = rand(s, dt)
            idx = rng.integers(0, s[axis], size=(n,)).astype(np.int32)
            add("indexSelect/%s/shape%s/n=%d/axis=%d" % (dt, shp(s), n, axis), "indexSelect", [x, idx],
                {"axis": axis}, torch.index_select(tt(x), axis, tt(idx).long()))

    for shapes, axis in [([[2, 3], [2, 3]], 0), ([[2, 3], [2, 5]], 1), ([[2, 3], [4, 3], [1, 3]], 0),
                         ([[2, 3, 4], [2, 1, 4]], -2), ([[0, 3], [2, 3]], 0), ([[2, 3], [2, 0]], 1),
                         ([[5]], 0), ([[3], [4]], -1)]:
        for dt in (dts if shapes == [[2, 3], [2, 5]] else ["float32"]):
            xs = [rand(s, dt) for s in shapes]
            add("concat/%s/shapes%s/axis=%d" % (dt, "".join(shp(s) for s in shapes), axis), "concat", xs,
                {"axis": axis}, torch.cat([tt(x) for x in xs], axis))

    for shapes, axis in [([[2, 3], [2, 3]], 0), ([[2, 3], [2, 3], [2, 3]], 1), ([[2, 3], [2, 3]], 2),
                         ([[2, 3], [2, 3]], -1), ([[], []], 0), ([[0, 3], [0, 3]], 1), ([[4]], 0)]:
        for dt in (dts if axis == 1 else ["float32"]):
            xs = [rand(s, dt) for s in shapes]
            add("stack/%s/shapes%s/axis=%d" % (dt, "".join(shp(s) for s in shapes), axis), "stack", xs,
                {"axis": axis}, torch.stack([tt(x) for x in xs], axis))

    for s, sizes, axis in [([6, 2], 2, 0), ([7, 2], 3, 0), ([2, 7], [2, 5], 1), ([2, 7], [3, 0, 4], -1),
                           ([5], 5, 0), ([5], 10, 0), ([3, 4, 2], [1, 3], 1), ([0, 3], 2, 1)]:
        for dt in (["float32", "float64", "int32"] if s == [7, 2] else ["float32"]):
            x = rand(s, dt)
            parts = torch.split(tt(x), sizes, axis)
            add("split/%s/shape%s/sizes=%s/axis=%d" % (dt, shp(s), json.dumps(sizes, separators=(",", ":")), axis),
                "split", [x], {"sizes": sizes, "axis": axis}, list(parts))

    for s, sd, ed in [([2, 3, 4], 0, -1), ([2, 3, 4], 1, 2), ([2, 3, 4], 0, 1), ([2, 3, 4, 5], 1, -2),
                      ([2, 3], 1, 1), ([], 0, -1), ([2, 0, 4], 0, 1), ([5], 0, 0)]:
        for dt in (["float32", "float64", "int32"] if s == [2, 3, 4] and sd == 0 and ed == -1 else ["float32"]):
            x = rand(s, dt)
            add("flatten/%s/shape%s/%d..%d" % (dt, shp(s), sd, ed), "flatten", [x], {"startDim": sd, "endDim": ed},
                torch.flatten(tt(x), sd, ed))


# --------------------------------------------------------------------------
# cast, creation
# --------------------------------------------------------------------------

def gen_cast():
    src = {
        "float32": lambda: np.concatenate([rand([10], "float32", -5, 5),
                                           np.array([0.0, -0.0, 2.7, -2.7, 0.5, -0.5], np.float32)]),
        "float64": lambda: np.concatenate([rand([10], "float64", -5, 5),
                                           np.array([0.0, 1e-320, 2.9999999, -2.9999999, 1.0000001e10 / 1e3],
                                                    np.float64)]),
        "int32": lambda: np.concatenate([rand([10], "int32", -100, 100),
                                         np.array([0, 16777217, -16777217, 2147483647], np.int32)]),
        "bool": lambda: np.array([True, False, True, True, False]),
    }
    for sd in ["float32", "float64", "int32", "bool"]:
        for td in ["float32", "float64", "int32", "bool"]:
            if sd == td and sd != "float32":
                continue
            x = src[sd]()
            add("cast/%s->%s" % (sd, td), "cast", [x], {"dtype": td}, tt(x).to(TORCH_DT[td]))
    x = np.array([1e-46, 3.4e38, 1e39, 0.1, 1.0 + 2**-30], np.float64)
    add("cast/float64->float32/rounding-overflow", "cast", [x], {"dtype": "float32"}, tt(x).to(torch.float32))
    x = np.array([float("nan"), float("inf"), float("-inf"), 0.0], np.float32)
    add("cast/float32->bool/nonfinite", "cast", [x], {"dtype": "bool"}, tt(x).to(torch.bool))
    x = rand([2, 0, 3], "float32")
    add("cast/float32->int32/empty", "cast", [x], {"dtype": "int32"}, tt(x).to(torch.int32))
    x = rand([2, 3], "float64", -9, 9)
    add("cast/float64->int32/shape[2,3]", "cast", [x], {"dtype": "int32"}, tt(x).to(torch.int32))
    x = np.array(-3.75, np.float32)
    add("cast/float32->int32/shape[]", "cast", [x], {"dtype": "int32"}, tt(x).to(torch.int32))


def gen_creation():
    for start, stop, step, dt in [(0, 10, 1, "float32"), (0, 10, 3, "int32"), (10, 0, -2, "int32"),
                                  (0, 1, 0.1, "float32"), (0, 1, 0.1, "float64"), (-2.5, 2.5, 0.5, "float64"),
                                  (1, 2, 0.3, "float32"), (5, -5, -1.5, "float64"), (0, 0, 1, "float32"),
                                  (3, 4, 5, "int32"), (0.5, 3, 1, "float64"), (-3, 7, 1, "int32"),
                                  (1, 11, 2, "float64")]:
        r = torch.arange(start, stop, step, dtype=TORCH_DT[dt])
        ref = np.arange(start, stop, step)
        assert r.numel() == ref.size, (start, stop, step)
        add("arange/%s/%s,%s,%s" % (dt, start, stop, step), "arange", [],
            {"start": start, "stop": stop, "step": step, "dtype": dt}, r)

    for start, stop, num, dt in [(0, 1, 5, "float32"), (0, 1, 5, "float64"), (-1, 1, 7, "float64"), (2, 3, 1, "float32"),
                                 (0, 1, 0, "float64"), (10, -10, 11, "float32"), (0, 1, 100, "float32"),
                                 (0.1, 0.7, 13, "float64"), (3, 3, 4, "float32")]:
        r = torch.linspace(start, stop, num, dtype=TORCH_DT[dt])
        ref = np.linspace(start, stop, num)
        assert np.allclose(r.double().numpy(), ref, rtol=1e-6, atol=1e-6)
        add("linspace/%s/%s,%s,%s" % (dt, start, stop, num), "linspace", [],
            {"start": start, "stop": stop, "num": num, "dtype": dt}, r)

    for n, m, dt in [(3, None, "float32"), (3, None, "float64"), (2, 4, "float32"), (4, 2, "int32"),
                     (3, 3, "bool"), (0, None, "float32"), (1, None, "int32"), (3, 0, "float64")]:
        r = torch.eye(n, m, dtype=TORCH_DT[dt]) if m is not None else torch.eye(n, dtype=TORCH_DT[dt])
        add("eye/%s/n=%d,m=%s" % (dt, n, m), "eye", [], {"n": n, "m": m, "dtype": dt}, r)


# --------------------------------------------------------------------------

def main():
    import warnings
    warnings.simplefilter("ignore")
    gen_unary()
    gen_binary()
    gen_where()
    gen_clamp()
    gen_reductions()
    gen_arg()
    gen_matmul()
    gen_softmax()
    gen_shape_ops()
    gen_cast()
    gen_creation()

    # sanity: float records must carry float expectations of the input dtype, etc.
    for r in RECORDS:
        for t in r["inputs"]:
            assert len(t["data"]) == int(np.prod(t["shape"])), r["name"]
        exps = r["expected"] if isinstance(r["expected"], list) else [r["expected"]]
        for t in exps:
            assert len(t["data"]) == int(np.prod(t["shape"])), r["name"]

    doc = {
        "generator": "test/reference/gen_core.py",
        "versions": {"numpy": np.__version__, "torch": torch.__version__},
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
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
