#!/usr/bin/python3
"""Reference-value generator for tn.linalg.

Run from the repository root with Debian's numpy/scipy (not the `python3` first on PATH):

    /usr/bin/python3 test/reference/gen_linalg.py

It rewrites test/fixtures/linalg.json (deterministic: fixed numpy seed).  The jest tests read
that JSON, so CI never needs Python.

Record: {name, op, inputs, attrs, expected, tol?}
  op        the tn.linalg function (solve, inv, det, ..., kron)
  inputs    its tensor arguments in order; attrs holds the options object (`options`) and,
            for norm-like ops, positional extras (`ord`, `dim`, `keepdim`)
  expected  {output name: tensor}, the names of tensile's result object (Q, R, U, S, Vh,
            eigenvalues, solution, ...), or {"out": tensor} for single-tensor results
  tol       {rtol, atol} where the default for the dtype is not right (ill-conditioned
            inputs: the tolerance follows the condition number)
A tensor is {dtype, shape, data} (flat row-major; non-finite floats as "nan"/"inf"/"-inf").

Reference values are computed in float64 from the record's exact input values, also for
float32 records (tensile computes every decomposition in float64 and rounds the result to the
input dtype, so the float64 answer for the float32 input is the right reference).  Where
LAPACK's answer is not unique (signs of Q's, U's, V's and eigenvectors' columns; the extra
columns of complete Q and full U) the tests compare up to sign and check orthogonality and
reconstruction.  Hilbert(8) references (solve, inv, det, cholesky, singular values and
eigenvalues) are computed with mpmath at 60 digits from the float64 entries, so they are
exact for the matrix the test uses; the tolerances then follow cond(H8) ~ 1.5e10.
"""

import json
import math
import os

import mpmath
import numpy as np
import scipy
import scipy.linalg as sla

SEED = 20240720
rng = np.random.default_rng(SEED)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "linalg.json")
NP_DT = {"float32": np.float32, "float64": np.float64, "int32": np.int32}
EPS = {"float32": 2.0 ** -23, "float64": 2.0 ** -52}
RECORDS = []
NAMES = set()


def enc(v, dt):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if dt == "float32":
        return float("%.9g" % v)  # 9 digits round-trip a float32
    return v


def T(a, dt):
    a = np.asarray(a)
    flat = a.astype(NP_DT[dt]).reshape(-1)
    data = [int(v) for v in flat] if dt == "int32" else [enc(v, dt) for v in flat]
    return {"dtype": dt, "shape": [int(s) for s in a.shape], "data": data}


def shp(s):
    return "[" + ",".join(str(int(d)) for d in s) + "]"


def record(name, op, inputs, dt, expected, attrs=None, tol=None, int_outputs=()):
    """inputs: list of arrays (stored in dt); expected: {name: array} (stored in dt, or int32)."""
    assert name not in NAMES, name
    NAMES.add(name)
    r = {
        "name": name,
        "op": op,
        "inputs": [T(x, dt) for x in inputs],
        "attrs": attrs or {},
        "expected": {k: T(v, "int32" if k in int_outputs else dt) for k, v in expected.items()},
    }
    if tol is not None:
        r["tol"] = tol
    RECORDS.append(r)


def as_dt(a, dt):
    """The values a record stores (rounded to dt), as float64 for computing references."""
    return np.asarray(a, dtype=NP_DT[dt]).astype(np.float64)


def orth(n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def well_conditioned(m, n):
    """U·diag(s)·Vᵀ with distinct singular values in [1, 10] (cond <= 10)."""
    k = min(m, n)
    s = np.sort(np.exp(rng.uniform(0, math.log(10), k)))[::-1]
    return orth(m)[:, :k] @ np.diag(s) @ orth(n)[:k, :]


def spd(n):
    lam = np.exp(rng.uniform(0, math.log(10), n))
    q = orth(n)
    return q @ np.diag(lam) @ q.T


def symmetric(n):
    """Symmetric with eigenvalues spread over [-5, 5], at least 0.3 apart."""
    lam = np.linspace(-5, 5, n) + rng.uniform(-0.1, 0.1, n) if n > 1 else rng.uniform(-5, 5, 1)
    q = orth(n)
    a = q @ np.diag(lam) @ q.T
    return (a + a.T) / 2


def batched(fn, batch, *args):
    return np.stack([fn(*args) for _ in range(int(np.prod(batch)))]).reshape(tuple(batch) + fn(*args).shape)


def hilbert(n):
    return np.array([[1.0 / (i + j + 1) for j in range(n)] for i in range(n)])


def integer_low_rank(m, n, r):
    """An exactly rank-r integer matrix (exact in float32 too)."""
    while True:
        b = rng.integers(-3, 4, size=(m, r)).astype(np.float64)
        c = rng.integers(-3, 4, size=(r, n)).astype(np.float64)
        a = b @ c
        if np.linalg.matrix_rank(a) == r:
            return a


def mp_matrix(a):
    return mpmath.matrix([[mpmath.mpf(float(v)) for v in row] for row in a])


def mp_to_np(m):
    return np.array([[float(m[i, j]) for j in range(m.cols)] for i in range(m.rows)])


# The 64×64 cases share one stored matrix M (normal draws rounded to 8 digits, so the JSON
# holds exactly what is used here); a record input {"matrix": "M64", "derive": d} is M
# ("general"), M·Mᵀ/64 + I ("spd") or (M + Mᵀ)/2 ("symmetric"), which the test rebuilds with
# tensile ops (its rounding differs from numpy's in the last bit, far below the tolerances).
# Their large decomposition outputs are checked by reconstruction and orthogonality plus the
# values (S, eigenvalues, |R|), not stored.
M64 = np.array([[float("%.8g" % v) for v in row] for row in rng.standard_normal((64, 64))])
DERIVED = {
    "general": M64,
    "spd": M64 @ M64.T / 64 + np.eye(64),
    "symmetric": (M64 + M64.T) / 2,
}


def m64(derive):
    return {"matrix": "M64", "derive": derive}


def record64(name, op, derive, extra_inputs, expected, attrs=None, tol=None):
    record(name, op, extra_inputs, "float64", expected, attrs, tol)
    RECORDS[-1]["inputs"].insert(0, m64(derive))


SIZES = [1, 2, 3, 5, 8]
FLOATS = ["float32", "float64"]
# Default tolerances live in the test; records for ill-conditioned input carry their own.
HILBERT_TOL = {"rtol": 1e-5, "atol": 0}


# --------------------------------------------------------------------------

def gen_solve():
    for dt in FLOATS:
        for n in SIZES:
            a = as_dt(well_conditioned(n, n), dt)
            b = as_dt(rng.standard_normal((n, 2)), dt)
            record("solve/%s/%s@%s" % (dt, shp(a.shape), shp(b.shape)), "solve", [a, b], dt, {"out": np.linalg.solve(a, b)})
        n = 4
        a = as_dt(well_conditioned(n, n), dt)
        v = as_dt(rng.standard_normal(n), dt)
        record("solve/%s/vector" % dt, "solve", [a, v], dt, {"out": np.linalg.solve(a, v)})
        bl = as_dt(rng.standard_normal((3, n)), dt)
        # X·A = B is Aᵀ·Xᵀ = Bᵀ
        record("solve/%s/left=false" % dt, "solve", [a, bl], dt, {"out": np.linalg.solve(a.T, bl.T).T}, {"options": {"left": False}})
        # batched [2,3,n,n] with B broadcast over the first batch dim
        a = as_dt(batched(well_conditioned, [2, 3], 3, 3), dt)
        b = as_dt(rng.standard_normal((3, 3, 2)), dt)
        record("solve/%s/batched[2,3,3,3]@[3,3,2]" % dt, "solve", [a, b], dt, {"out": np.linalg.solve(a, np.broadcast_to(b, (2, 3, 3, 2)))})
        vb = as_dt(rng.standard_normal((2, 3, 3)), dt)
        record("solve/%s/batched-vectors" % dt, "solve", [a, vb], dt, {"out": np.linalg.solve(a, vb[..., None])[..., 0]})
    b = rng.standard_normal((64, 2))
    record64("solve/float64/M64", "solve", "general", [b], {"out": np.linalg.solve(M64, b)})
    # Hilbert(8): x = ones for b = H·1 (b rounded); the reference solves the stored system exactly.
    h = hilbert(8)
    b = h @ np.ones(8)
    x = mpmath.lu_solve(mp_matrix(h), mpmath.matrix([mpmath.mpf(float(v)) for v in b]))
    record("solve/float64/hilbert8", "solve", [h, b], "float64", {"out": np.array([float(v) for v in x])}, tol=HILBERT_TOL)


def gen_triangular():
    for dt in FLOATS:
        for n in [1, 3, 5]:
            a = as_dt(np.tril(rng.standard_normal((n, n))) + 3 * np.eye(n), dt)
            b = as_dt(rng.standard_normal((n, 2)), dt)
            record("triangularSolve/%s/lower/%d" % (dt, n), "triangularSolve", [a, b], dt,
                   {"out": sla.solve_triangular(a, b, lower=True)}, {"options": {"upper": False}})
            u = as_dt(np.triu(rng.standard_normal((n, n))) + 3 * np.eye(n), dt)
            record("triangularSolve/%s/upper/%d" % (dt, n), "triangularSolve", [u, b], dt,
                   {"out": sla.solve_triangular(u, b, lower=False)}, {"options": {"upper": True}})
        # unit diagonal: the stored diagonal (here 5s and junk above) must be ignored
        a = as_dt(rng.standard_normal((4, 4)) + 5 * np.eye(4), dt)
        b = as_dt(rng.standard_normal((4, 3)), dt)
        record("triangularSolve/%s/lower-unitriangular" % dt, "triangularSolve", [a, b], dt,
               {"out": sla.solve_triangular(a, b, lower=True, unit_diagonal=True)}, {"options": {"unitriangular": True}})
        # X·A = B (left: false), upper A
        u = as_dt(np.triu(rng.standard_normal((4, 4))) + 3 * np.eye(4), dt)
        bl = as_dt(rng.standard_normal((2, 4)), dt)
        record("triangularSolve/%s/upper-right" % dt, "triangularSolve", [u, bl], dt,
               {"out": sla.solve_triangular(u.T, bl.T, lower=True).T}, {"options": {"upper": True, "left": False}})
        # batched
        a = as_dt(np.tril(rng.standard_normal((2, 3, 4, 4))) + 3 * np.eye(4), dt)
        b = as_dt(rng.standard_normal((2, 3, 4, 2)), dt)
        record("triangularSolve/%s/batched" % dt, "triangularSolve", [a, b], dt,
               {"out": np.linalg.solve(a, b)}, {"options": {}})


def gen_inv_det():
    for dt in FLOATS:
        for n in SIZES:
            a = as_dt(well_conditioned(n, n), dt)
            record("inv/%s/%d" % (dt, n), "inv", [a], dt, {"out": np.linalg.inv(a)})
            # det of a general matrix (not cond-controlled magnitudes)
            d = as_dt(rng.standard_normal((n, n)), dt)
            sign, logabs = np.linalg.slogdet(d)
            record("det/%s/%d" % (dt, n), "det", [d], dt, {"out": np.array(np.linalg.det(d))})
            record("slogdet/%s/%d" % (dt, n), "slogdet", [d], dt, {"sign": np.array(sign), "logabsdet": np.array(logabs)})
        a = as_dt(rng.standard_normal((2, 3, 4, 4)), dt)
        record("inv/%s/batched" % dt, "inv", [a], dt, {"out": np.linalg.inv(a)})
        record("det/%s/batched" % dt, "det", [a], dt, {"out": np.linalg.det(a)})
        sign, logabs = np.linalg.slogdet(a)
        record("slogdet/%s/batched" % dt, "slogdet", [a], dt, {"sign": sign, "logabsdet": logabs})
        # singular: det is exactly 0, slogdet gives (0, -inf)
        s = np.array([[1.0, 2.0], [2.0, 4.0]])
        record("det/%s/singular" % dt, "det", [s], dt, {"out": np.array(0.0)})
        record("slogdet/%s/singular" % dt, "slogdet", [s], dt, {"sign": np.array(0.0), "logabsdet": np.array(-np.inf)})
        # a large determinant: slogdet does not overflow where det does in float32
        big = as_dt(np.diag(np.full(20, 100.0)) + 0.1 * rng.standard_normal((20, 20)), dt)
        sign, logabs = np.linalg.slogdet(big)
        record("slogdet/%s/1e40" % dt, "slogdet", [big], dt, {"sign": np.array(sign), "logabsdet": np.array(logabs)})
    record64("inv/float64/M64", "inv", "general", [], {"out": np.linalg.inv(M64)})
    record64("det/float64/M64", "det", "general", [], {"out": np.array(np.linalg.det(M64))})
    sign, logabs = np.linalg.slogdet(M64)
    record64("slogdet/float64/M64", "slogdet", "general", [], {"sign": np.array(sign), "logabsdet": np.array(logabs)})
    h = hilbert(8)
    hm = mp_matrix(h)
    mpmath.mp.dps = 60
    record("inv/float64/hilbert8", "inv", [h], "float64", {"out": mp_to_np(hm ** -1)}, tol={"rtol": 1e-5, "atol": 0})
    record("det/float64/hilbert8", "det", [h], "float64", {"out": np.array(float(mpmath.det(hm)))}, tol=HILBERT_TOL)


def gen_cholesky():
    for dt in FLOATS:
        for n in SIZES:
            a = as_dt(spd(n), dt)
            a = (a + a.T) / 2
            record("cholesky/%s/%d" % (dt, n), "cholesky", [a], dt, {"out": np.linalg.cholesky(a)})
        a = as_dt(batched(spd, [2, 3], 4), dt)
        record("cholesky/%s/batched" % dt, "cholesky", [a], dt, {"out": np.linalg.cholesky(a)})
        a = as_dt(spd(4), dt)
        record("cholesky/%s/upper" % dt, "cholesky", [a], dt, {"out": np.linalg.cholesky(a).T}, {"options": {"upper": True}})
        # only the lower triangle is read: junk above the diagonal must not matter
        junk = a + np.triu(as_dt(rng.standard_normal((4, 4)), dt), 1)
        record("cholesky/%s/lower-triangle-only" % dt, "cholesky", [junk], dt, {"out": np.linalg.cholesky(a)})
        # choleskySolve(B, L)
        l = np.linalg.cholesky(a)
        l = as_dt(l, dt)
        b = as_dt(rng.standard_normal((4, 2)), dt)
        record("choleskySolve/%s/lower" % dt, "choleskySolve", [b, l], dt, {"out": np.linalg.solve(l @ l.T, b)})
        record("choleskySolve/%s/upper" % dt, "choleskySolve", [b, l.T.copy()], dt, {"out": np.linalg.solve(l @ l.T, b)}, {"upper": True})
    record64("cholesky/float64/M64", "cholesky", "spd", [], {"out": np.linalg.cholesky(DERIVED["spd"])})
    h = hilbert(8)
    mpmath.mp.dps = 60
    lh = mpmath.cholesky(mp_matrix(h))
    record("cholesky/float64/hilbert8", "cholesky", [h], "float64", {"out": mp_to_np(lh)}, tol={"rtol": 1e-6, "atol": 1e-12})


def gen_lu():
    for dt in FLOATS:
        for n in [1, 3, 5, 8]:
            a = as_dt(rng.standard_normal((n, n)), dt)
            lu, piv = sla.lu_factor(a)
            record("lu/%s/%d" % (dt, n), "lu", [a], dt, {"LU": lu, "pivots": piv.astype(np.int32)}, int_outputs=("pivots",))
        a = as_dt(rng.standard_normal((2, 4, 4)), dt)
        lus, pivs = zip(*[sla.lu_factor(x) for x in a])
        record("lu/%s/batched" % dt, "lu", [a], dt, {"LU": np.stack(lus), "pivots": np.stack(pivs).astype(np.int32)}, int_outputs=("pivots",))


def gen_qr():
    for dt in FLOATS:
        for shape in [(1, 1), (3, 3), (5, 5), (8, 8), (6, 4), (4, 6), (7, 1), (1, 5)]:
            a = as_dt(rng.standard_normal(shape), dt)
            for mode in ["reduced", "complete"]:
                q, r = np.linalg.qr(a, mode=mode)
                record("qr/%s/%s/%s" % (dt, shp(shape), mode), "qr", [a], dt, {"Q": q, "R": r}, {"options": {"mode": mode}})
        a = as_dt(rng.standard_normal((2, 3, 5, 3)), dt)
        q, r = np.linalg.qr(a)
        record("qr/%s/batched[2,3,5,3]" % dt, "qr", [a], dt, {"Q": q, "R": r}, {"options": {}})


def gen_qr64():
    q, r = np.linalg.qr(M64)
    record64("qr/float64/M64", "qr", "general", [], {"R": r}, {"options": {}})


def gen_svd():
    for dt in FLOATS:
        for shape in [(1, 1), (2, 2), (3, 3), (5, 5), (8, 8), (6, 4), (4, 6), (7, 1), (1, 5), (12, 5)]:
            a = as_dt(rng.standard_normal(shape), dt)
            for full in [True, False]:
                u, s, vh = np.linalg.svd(a, full_matrices=full)
                record("svd/%s/%s/full=%s" % (dt, shp(shape), full), "svd", [a], dt, {"U": u, "S": s, "Vh": vh},
                       {"options": {"fullMatrices": full}})
            record("svdvals/%s/%s" % (dt, shp(shape)), "svdvals", [a], dt, {"out": np.linalg.svd(a, compute_uv=False)})
        a = as_dt(rng.standard_normal((2, 3, 4, 3)), dt)
        u, s, vh = np.linalg.svd(a, full_matrices=False)
        record("svd/%s/batched[2,3,4,3]" % dt, "svd", [a], dt, {"U": u, "S": s, "Vh": vh}, {"options": {"fullMatrices": False}})
        # rank deficient: zero singular values, U and V still orthonormal
        a = as_dt(integer_low_rank(6, 5, 2), dt)
        u, s, vh = np.linalg.svd(a)
        record("svd/%s/rank2-6x5" % dt, "svd", [a], dt, {"S": s}, {"options": {}})
        record("svd/%s/zeros" % dt, "svd", [np.zeros((3, 2))], dt, {"S": np.zeros(2)}, {"options": {}})
    record64("svd/float64/M64", "svd", "general", [], {"S": np.linalg.svd(M64, compute_uv=False)}, {"options": {"fullMatrices": False}})
    record64("svdvals/float64/M64", "svdvals", "general", [], {"out": np.linalg.svd(M64, compute_uv=False)})
    # Hilbert(8) singular values = eigenvalues (SPD), exact to 60 digits.
    h = hilbert(8)
    mpmath.mp.dps = 60
    ev = sorted(float(x) for x in mpmath.eigsy(mp_matrix(h))[0])
    # One-sided Jacobi keeps small singular values relatively accurate (~5e-9 here; LAPACK's
    # gesdd gives ~1e-8); the QL eigensolver is accurate to eps·‖A‖ in absolute terms.
    record("svd/float64/hilbert8", "svd", [h], "float64", {"S": np.array(ev[::-1])}, {"options": {}},
           tol={"rtol": 5e-8, "atol": 0})
    record("eigh/float64/hilbert8", "eigh", [h], "float64", {"eigenvalues": np.array(ev)}, {"options": {}},
           tol={"rtol": 1e-10, "atol": 3e-15})


def gen_eigh():
    for dt in FLOATS:
        for n in SIZES:
            a = as_dt(symmetric(n), dt)
            a = np.tril(a) + np.tril(a, -1).T
            w, v = np.linalg.eigh(a)
            record("eigh/%s/%d" % (dt, n), "eigh", [a], dt, {"eigenvalues": w, "eigenvectors": v}, {"options": {}})
            record("eigvalsh/%s/%d" % (dt, n), "eigvalsh", [a], dt, {"out": w}, {"options": {}})
        a = as_dt(batched(symmetric, [2, 3], 4), dt)
        a = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)
        w, v = np.linalg.eigh(a)
        record("eigh/%s/batched" % dt, "eigh", [a], dt, {"eigenvalues": w, "eigenvectors": v}, {"options": {}})
        if dt == "float64":
            w = np.linalg.eigvalsh(DERIVED["symmetric"])
            record64("eigh/float64/M64", "eigh", "symmetric", [], {"eigenvalues": w}, {"options": {}})
            record64("eigvalsh/float64/M64", "eigvalsh", "symmetric", [], {"out": w}, {"options": {}})
        # uplo: only the named triangle is read
        s = as_dt(symmetric(4), dt)
        junk_upper = np.tril(s) + np.triu(as_dt(rng.standard_normal((4, 4)), dt), 1)
        w, v = np.linalg.eigh(junk_upper, UPLO="L")
        record("eigh/%s/uplo=L" % dt, "eigh", [junk_upper], dt, {"eigenvalues": w, "eigenvectors": v}, {"options": {"uplo": "L"}})
        junk_lower = np.triu(s) + np.tril(as_dt(rng.standard_normal((4, 4)), dt), -1)
        w, v = np.linalg.eigh(junk_lower, UPLO="U")
        record("eigh/%s/uplo=U" % dt, "eigh", [junk_lower], dt, {"eigenvalues": w, "eigenvectors": v}, {"options": {"uplo": "U"}})


def lstsq_ref(a, b, dt):
    m, n = a.shape[-2:]
    rcond = EPS[dt] * max(m, n)
    x, res, rank, sv = np.linalg.lstsq(a, b, rcond=rcond)
    return x, res, rank, sv


def gen_lstsq():
    for dt in FLOATS:
        cases = [
            ("tall", well_conditioned(8, 4), rng.standard_normal((8, 2))),
            ("square", well_conditioned(5, 5), rng.standard_normal((5, 3))),
            ("wide", well_conditioned(3, 6), rng.standard_normal((3, 2))),
            ("tall-vector", well_conditioned(7, 3), rng.standard_normal(7)),
            ("rank2-tall", integer_low_rank(6, 4, 2), rng.standard_normal((6, 2))),
            ("rank3-square", integer_low_rank(5, 5, 3), rng.standard_normal((5, 1))),
            ("rank2-wide", integer_low_rank(4, 6, 2), rng.standard_normal((4, 2))),
        ]
        for label, a, b in cases:
            a, b = as_dt(a, dt), as_dt(b, dt)
            x, res, rank, sv = lstsq_ref(a, b, dt)
            m, n = a.shape
            exp = {"solution": x, "rank": np.array(rank, dtype=np.int32), "singularValues": sv}
            if m > n and rank == n:
                exp["residuals"] = res if b.ndim == 2 else np.array(res[0])
            else:
                exp["residuals"] = np.zeros(0)
            record("lstsq/%s/%s" % (dt, label), "lstsq", [a, b], dt, exp, {"options": {}}, int_outputs=("rank",))
            if rank == min(m, n):
                record("lstsq/%s/%s/qr" % (dt, label), "lstsq", [a, b], dt, {"solution": x, "rank": np.array(rank, dtype=np.int32)},
                       {"options": {"driver": "qr"}}, int_outputs=("rank",))
        a = as_dt(batched(well_conditioned, [2, 3], 5, 3), dt)
        b = as_dt(rng.standard_normal((2, 3, 5, 2)), dt)
        xs, ress = [], []
        for i in range(2):
            for j in range(3):
                x, res, _, _ = lstsq_ref(a[i, j], b[i, j], dt)
                xs.append(x)
                ress.append(res)
        record("lstsq/%s/batched" % dt, "lstsq", [a, b], dt,
               {"solution": np.stack(xs).reshape(2, 3, 3, 2), "residuals": np.stack(ress).reshape(2, 3, 2),
                "rank": np.full((2, 3), 3, dtype=np.int32)}, {"options": {}}, int_outputs=("rank",))


def gen_pinv_rank():
    for dt in FLOATS:
        cases = [
            ("square", well_conditioned(4, 4)), ("tall", well_conditioned(6, 3)), ("wide", well_conditioned(3, 5)),
            ("rank2-tall", integer_low_rank(6, 4, 2)), ("rank3-square", integer_low_rank(5, 5, 3)),
            ("rank1-wide", integer_low_rank(3, 5, 1)), ("zeros", np.zeros((3, 4))),
        ]
        for label, a in cases:
            a = as_dt(a, dt)
            m, n = a.shape
            rc = EPS[dt] * max(m, n)
            record("pinv/%s/%s" % (dt, label), "pinv", [a], dt, {"out": np.linalg.pinv(a, rcond=rc)}, {"options": {}})
            tol = np.linalg.svd(a, compute_uv=False).max() * rc
            record("matrixRank/%s/%s" % (dt, label), "matrixRank", [a], dt,
                   {"out": np.array(np.linalg.matrix_rank(a, tol=tol), dtype=np.int32)}, {"options": {}}, int_outputs=("out",))
        s = integer_low_rank(5, 2, 2)
        s = as_dt(s @ np.diag([1.0, -2.0]) @ s.T, dt)  # symmetric indefinite, rank 2
        rc = EPS[dt] * 5
        record("pinv/%s/hermitian-rank2" % dt, "pinv", [s], dt, {"out": np.linalg.pinv(s, rcond=rc, hermitian=True)}, {"options": {"hermitian": True}})
        record("matrixRank/%s/hermitian-rank2" % dt, "matrixRank", [s], dt, {"out": np.array(2, dtype=np.int32)}, {"options": {"hermitian": True}}, int_outputs=("out",))
        a = as_dt(np.stack([integer_low_rank(4, 3, r) for r in (1, 2, 3)] + [well_conditioned(4, 3)]).reshape(2, 2, 4, 3), dt)
        ranks = np.array([[1, 2], [3, 3]], dtype=np.int32)
        record("matrixRank/%s/batched" % dt, "matrixRank", [a], dt, {"out": ranks}, {"options": {}}, int_outputs=("out",))
        rc = EPS[dt] * 4
        record("pinv/%s/batched" % dt, "pinv", [a], dt, {"out": np.linalg.pinv(a, rcond=rc)}, {"options": {}})
        # atol: singular values below 2.5 are dropped
        a = as_dt(well_conditioned(4, 4), dt)
        sv = np.linalg.svd(a, compute_uv=False)
        record("matrixRank/%s/atol=2.5" % dt, "matrixRank", [a], dt, {"out": np.array((sv > 2.5).sum(), dtype=np.int32)},
               {"options": {"atol": 2.5}}, int_outputs=("out",))


def ordj(o):
    """An ord for JSON: ±inf as "inf" / "-inf" (the test maps them back to ±Infinity)."""
    return ("inf" if o > 0 else "-inf") if isinstance(o, float) and math.isinf(o) else o


def gen_norms():
    for dt in FLOATS:
        x = as_dt(rng.standard_normal((3, 4)), dt)
        x[0, 1] = 0.0
        for ord_ in [2, 1, math.inf, -math.inf, 0, 3, 0.5]:
            record("vectorNorm/%s/ord=%s/all" % (dt, ord_), "vectorNorm", [x], dt,
                   {"out": np.array(np.linalg.norm(x.reshape(-1), ord=ord_))}, {"ord": ordj(ord_), "dim": None, "keepdim": False})
            record("vectorNorm/%s/ord=%s/dim=1" % (dt, ord_), "vectorNorm", [x], dt,
                   {"out": np.linalg.norm(x, ord=ord_, axis=1)}, {"ord": ordj(ord_), "dim": 1, "keepdim": False})
        record("vectorNorm/%s/dim=0/keepdim" % dt, "vectorNorm", [x], dt,
               {"out": np.linalg.norm(x, axis=0, keepdims=True)}, {"ord": 2, "dim": 0, "keepdim": True})
        big = np.array([1e200, -3e200, 4e200]) if dt == "float64" else np.array([1e30, -3e30, 4e30])
        record("vectorNorm/%s/no-overflow" % dt, "vectorNorm", [big], dt, {"out": np.array(np.sqrt(26.0) * big[0])},
               {"ord": 2, "dim": None, "keepdim": False})
        a = as_dt(rng.standard_normal((2, 3, 4)), dt)
        for ord_ in ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]:
            ref = np.linalg.norm(a, ord=ord_, axis=(-2, -1))
            record("matrixNorm/%s/ord=%s" % (dt, ord_), "matrixNorm", [a], dt, {"out": ref}, {"ord": ordj(ord_), "dim": [-2, -1], "keepdim": False})
        record("matrixNorm/%s/dim=[2,0]/keepdim" % dt, "matrixNorm", [a], dt,
               {"out": np.linalg.norm(a, ord=1, axis=(2, 0), keepdims=True)}, {"ord": 1, "dim": [2, 0], "keepdim": True})
        # norm(): dispatch as torch.linalg.norm
        record("norm/%s/default" % dt, "norm", [a], dt, {"out": np.array(np.linalg.norm(a.reshape(-1)))}, {})
        m = a[0]
        record("norm/%s/2d-nuc" % dt, "norm", [m], dt, {"out": np.array(np.linalg.norm(m, "nuc"))}, {"ord": "nuc"})
        record("norm/%s/2d-inf" % dt, "norm", [m], dt, {"out": np.array(np.linalg.norm(m, math.inf))}, {"ord": "inf"})
        record("norm/%s/1d-3" % dt, "norm", [m[0]], dt, {"out": np.array(np.linalg.norm(m[0], 3))}, {"ord": 3})
        record("norm/%s/dim=-1" % dt, "norm", [a], dt, {"out": np.linalg.norm(a, axis=-1)}, {"dim": -1})


def gen_products():
    for dt in FLOATS:
        a = as_dt(rng.standard_normal((2, 3, 4, 4)), dt)
        record("trace/%s/batched" % dt, "trace", [a], dt, {"out": np.trace(a, axis1=-2, axis2=-1)})
        r = as_dt(rng.standard_normal((3, 5)), dt)
        record("trace/%s/3x5" % dt, "trace", [r], dt, {"out": np.array(np.trace(r))})
        u, v = as_dt(rng.standard_normal(3), dt), as_dt(rng.standard_normal(4), dt)
        record("outer/%s" % dt, "outer", [u, v], dt, {"out": np.outer(u, v)})
        p, q = as_dt(rng.standard_normal((2, 3)), dt), as_dt(rng.standard_normal((4, 2)), dt)
        record("kron/%s/2d" % dt, "kron", [p, q], dt, {"out": np.kron(p, q)})
        p3 = as_dt(rng.standard_normal((2, 1, 3)), dt)
        record("kron/%s/3d-with-2d" % dt, "kron", [p3, q], dt, {"out": np.kron(p3, q)})
        record("kron/%s/1d" % dt, "kron", [u, v], dt, {"out": np.kron(u, v)})


def main():
    mpmath.mp.dps = 60
    gen_solve()
    gen_triangular()
    gen_inv_det()
    gen_cholesky()
    gen_lu()
    gen_qr()
    gen_qr64()
    gen_svd()
    gen_eigh()
    gen_lstsq()
    gen_pinv_rank()
    gen_norms()
    gen_products()
    doc = {
        "generator": "test/reference/gen_linalg.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "mpmath": mpmath.__version__},
        "matrices": {"M64": T(M64, "float64")},
        "records": RECORDS,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print("wrote %d records to %s (%d bytes)" % (len(RECORDS), OUT, os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
