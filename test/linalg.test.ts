/**
 * tn.linalg on every device that runs decompositions (js, cpu): values against numpy / scipy /
 * mpmath (test/reference/gen_linalg.py writes test/fixtures/linalg.json), decompositions up to
 * the sign freedom LAPACK leaves plus reconstruction and orthogonality, float64
 * finite-difference gradient checks, and bad input (singular, not positive definite, shapes,
 * webgpu tensors).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tn from '../lib/index.js';
import { type FixtureTensor, compareArrays, decode } from './fixture.js';
import { gradcheck, gradgradcheck } from './gradcheck.js';

type Any = any;
interface MatrixRef { matrix: string; derive: 'general' | 'spd' | 'symmetric' }
interface Rec {
  name: string;
  op: string;
  inputs: (FixtureTensor | MatrixRef)[];
  attrs: { options?: Any; ord?: Any; dim?: Any; keepdim?: boolean; upper?: boolean };
  expected: Record<string, FixtureTensor>;
  tol?: { rtol?: number; atol?: number };
}
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'linalg.json'), 'utf8')) as { matrices: Record<string, FixtureTensor>; records: Rec[] };

// Every routine computes in float64: float64 results are good to ~1e-14 for these
// well-conditioned inputs, and float32 ones are the float64 answer rounded once.
const TOL: Record<string, { rtol: number; atol: number }> = {
  float32: { rtol: 2e-6, atol: 2e-6 },
  float64: { rtol: 1e-10, atol: 1e-11 },
};
const devices = tn.availableDevices().filter((d) => d !== 'webgpu');
const L = tn.linalg;

const values = (t: tn.Tensor) => Float64Array.from(t.dataSync() as ArrayLike<number>);
const fixtureValues = (t: FixtureTensor) => Float64Array.from(t.data.map(decode));

function input(x: FixtureTensor | MatrixRef, device: tn.DeviceName): tn.Tensor {
  if ('matrix' in x) {
    const m = fixture.matrices[x.matrix];
    const M = tn.tensor(fixtureValues(m), { dtype: 'float64', shape: m.shape, device });
    if (x.derive === 'spd') return M.matmul(M.T).div(M.shape[0]).add(tn.eye(M.shape[0], null, { dtype: 'float64', device }));
    if (x.derive === 'symmetric') return M.add(M.T).div(2);
    return M;
  }
  return tn.tensor(fixtureValues(x), { dtype: x.dtype, shape: x.shape, device });
}

/** Calls the record's op; returns its outputs by the names the fixture uses. */
function run(r: Rec, xs: tn.Tensor[]): Record<string, tn.Tensor> {
  const o = r.attrs.options ?? {};
  const one = (t: tn.Tensor) => ({ out: t });
  switch (r.op) {
    case 'solve': return one(L.solve(xs[0], xs[1], o));
    case 'triangularSolve': return one(L.triangularSolve(xs[0], xs[1], o));
    case 'inv': return one(L.inv(xs[0]));
    case 'det': return one(L.det(xs[0]));
    case 'slogdet': return { ...L.slogdet(xs[0]) };
    case 'cholesky': return one(L.cholesky(xs[0], o));
    case 'choleskySolve': return one(L.choleskySolve(xs[0], xs[1], !!r.attrs.upper));
    case 'lu': return { ...L.lu(xs[0]) };
    case 'qr': return { ...L.qr(xs[0], o) };
    case 'svd': return { ...L.svd(xs[0], o) };
    case 'svdvals': return one(L.svdvals(xs[0]));
    case 'eigh': return { ...L.eigh(xs[0], o) };
    case 'eigvalsh': return one(L.eigvalsh(xs[0], o));
    case 'lstsq': return { ...L.lstsq(xs[0], xs[1], o) };
    case 'pinv': return one(L.pinv(xs[0], o));
    case 'matrixRank': return one(L.matrixRank(xs[0], o));
    case 'vectorNorm': return one(L.vectorNorm(xs[0], ordOf(r.attrs.ord), r.attrs.dim, r.attrs.keepdim));
    case 'matrixNorm': return one(L.matrixNorm(xs[0], ordOf(r.attrs.ord), r.attrs.dim, r.attrs.keepdim));
    case 'norm': return one(L.norm(xs[0], r.attrs.ord === undefined ? undefined : ordOf(r.attrs.ord), r.attrs.dim));
    case 'trace': return one(L.trace(xs[0]));
    case 'outer': return one(L.outer(xs[0], xs[1]));
    case 'kron': return one(L.kron(xs[0], xs[1]));
    default: throw new Error(`no mapping for op ${r.op}`);
  }
}
const ordOf = (o: Any) => (o === 'inf' ? Infinity : o === '-inf' ? -Infinity : o);

// ---------------- comparisons on plain row-major arrays ----------------

function expectClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: { rtol: number; atol: number }): void {
  const err = compareArrays(got, want, tol.rtol, tol.atol);
  if (err) throw new Error(`${what} differs at ${err}`);
}

/** Matrix b of a [..., r, c] batch as a fresh array. */
const mat = (a: Float64Array, b: number, r: number, c: number) => a.slice(b * r * c, (b + 1) * r * c);
function matmulRM(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) { const v = a[i * k + p]; for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j]; }
  return c;
}
const transposeRM = (a: Float64Array, r: number, c: number) => { const t = new Float64Array(r * c); for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j]; return t; };
const maxAbs = (a: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m; };

/** ‖XᵀX - I‖_max for the r×c matrix x (orthonormal columns). */
function orthogonalityError(x: Float64Array, r: number, c: number): number {
  const g = matmulRM(transposeRM(x, r, c), x, c, r, c);
  for (let i = 0; i < c; i++) g[i * c + i] -= 1;
  return maxAbs(g);
}

/**
 * Column j of `got` (r×c) against the reference up to a sign per column, for the first k
 * columns; returns the signs so paired factors (R's rows, Vh's rows) can use them.
 */
function columnsUpToSign(what: string, got: Float64Array, want: Float64Array, r: number, c: number, k: number, tol: { rtol: number; atol: number }): number[] {
  const signs: number[] = [];
  for (let j = 0; j < k; j++) {
    let dot = 0;
    for (let i = 0; i < r; i++) dot += got[i * c + j] * want[i * c + j];
    const s = dot < 0 ? -1 : 1;
    signs.push(s);
    const g = new Float64Array(r), w = new Float64Array(r);
    for (let i = 0; i < r; i++) { g[i] = s * got[i * c + j]; w[i] = want[i * c + j]; }
    expectClose(`${what} column ${j}`, g, w, tol);
  }
  return signs;
}
function rowsWithSigns(what: string, got: Float64Array, want: Float64Array, c: number, signs: number[], tol: { rtol: number; atol: number }): void {
  signs.forEach((s, i) => expectClose(`${what} row ${i}`, got.slice(i * c, (i + 1) * c).map((v) => s * v), want.slice(i * c, (i + 1) * c), tol));
}

/** Decompositions: values and factors up to sign, then A = product and orthonormality. */
function checkDecomposition(r: Rec, A: tn.Tensor, out: Record<string, tn.Tensor>, tol: { rtol: number; atol: number }): void {
  const m = A.shape[A.rank - 2], n = A.shape[A.rank - 1], k = Math.min(m, n);
  const nb = A.size / (m * n);
  const a = values(A);
  const scale = Math.max(1, maxAbs(a));
  const propTol = A.dtype === 'float64' ? 1e-12 * scale * Math.max(m, n) : 2e-6 * scale * Math.max(m, n);
  const e = r.expected;
  if (r.op === 'qr') {
    const Q = values(out.Q), R = values(out.R);
    const qc = out.Q.shape[out.Q.rank - 1], rr = out.R.shape[out.R.rank - 2];
    for (let b = 0; b < nb; b++) {
      const q = mat(Q, b, m, qc), rm = mat(R, b, rr, n);
      let signs: number[];
      if (e.Q) signs = columnsUpToSign('Q', q, mat(fixtureValues(e.Q), b, m, qc), m, qc, k, tol);
      else signs = Array.from({ length: k }, (_, i) => (rm[i * n + i] * fixtureValues(e.R)[b * rr * n + i * n + i] < 0 ? -1 : 1));
      rowsWithSigns('R', rm, mat(fixtureValues(e.R), b, rr, n), n, signs, tol);
      expect(orthogonalityError(q, m, qc)).toBeLessThan(propTol);
      expectClose('Q·R', matmulRM(q, rm, m, qc, n), mat(a, b, m, n), { rtol: 0, atol: propTol });
    }
  } else if (r.op === 'svd') {
    const S = values(out.S);
    expectClose('S', S, fixtureValues(e.S), tol);
    const U = values(out.U), Vh = values(out.Vh);
    const uc = out.U.shape[out.U.rank - 1], vr = out.Vh.shape[out.Vh.rank - 2];
    for (let b = 0; b < nb; b++) {
      const u = mat(U, b, m, uc), vh = mat(Vh, b, vr, n);
      if (e.U) {
        const signs = columnsUpToSign('U', u, mat(fixtureValues(e.U), b, m, uc), m, uc, k, tol);
        rowsWithSigns('Vh', vh.slice(0, k * n), mat(fixtureValues(e.Vh), b, vr, n).slice(0, k * n), n, signs, tol);
      }
      expect(orthogonalityError(u, m, uc)).toBeLessThan(propTol);
      expect(orthogonalityError(transposeRM(vh, vr, n), n, vr)).toBeLessThan(propTol);
      const us = new Float64Array(m * k);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us[i * k + j] = u[i * uc + j] * S[b * k + j];
      expectClose('U·diag(S)·Vh', matmulRM(us, vh.slice(0, k * n), m, k, n), mat(a, b, m, n), { rtol: 0, atol: propTol });
    }
  } else if (r.op === 'eigh') {
    const W = values(out.eigenvalues), V = values(out.eigenvectors);
    expectClose('eigenvalues', W, fixtureValues(e.eigenvalues), tol);
    const lower = (r.attrs.options?.uplo ?? 'L') === 'L';
    for (let b = 0; b < nb; b++) {
      const v = mat(V, b, n, n);
      if (e.eigenvectors) columnsUpToSign('eigenvectors', v, mat(fixtureValues(e.eigenvectors), b, n, n), n, n, n, tol);
      expect(orthogonalityError(v, n, n)).toBeLessThan(propTol);
      // V·diag(w)·Vᵀ is the symmetric matrix made from the triangle that was read.
      const ab = mat(a, b, n, n), sym = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = (lower ? i >= j : i <= j) ? ab[i * n + j] : ab[j * n + i];
      const vw = v.map((x, idx) => x * W[b * n + (idx % n)]);
      expectClose('V·diag(w)·Vᵀ', matmulRM(vw, transposeRM(v, n, n), n, n, n), sym, { rtol: 0, atol: propTol });
    }
  }
}

describe.each(devices)('tn.linalg on %s', (device) => {
  beforeAll(() => tn.setDefaultDevice(device));

  describe('against numpy / scipy / mpmath', () => {
    test.each(fixture.records.map((r) => [r.name, r] as const))('%s', (_name, r) => {
      const xs = r.inputs.map((x) => input(x, device));
      const dtype = xs[0].dtype;
      const tol = { ...TOL[dtype], ...r.tol };
      const out = run(r, xs);
      for (const [k, t] of Object.entries(out)) {
        expect({ k, device: t.device }).toEqual({ k, device });
        if (r.expected[k]) expect({ k, dtype: t.dtype, shape: [...t.shape] }).toEqual({ k, dtype: r.expected[k].dtype, shape: r.expected[k].shape });
      }
      if (r.op === 'qr' || r.op === 'svd' || r.op === 'eigh') { checkDecomposition(r, xs[0], out, tol); return; }
      for (const [k, want] of Object.entries(r.expected)) expectClose(k, values(out[k]), fixtureValues(want), tol);
    });
  });

  describe('semantics', () => {
    const f64 = (data: number[][], shape?: number[]) => tn.tensor(data.flat(), { dtype: 'float64', shape: shape ?? [data.length, data[0].length] });
    test('plain arrays in, float32 out (the default dtype); int32 promotes to float32', () => {
      const d = L.det([[1, 2], [3, 4]]);
      expect(d.dtype).toBe('float32');
      expect(d.itemSync()).toBeCloseTo(-2, 6);
      const x = L.solve(tn.tensor([[3, 1], [1, 2]], { dtype: 'int32' }), [9, 8]);
      expect(x.dtype).toBe('float32');
      expect(Array.from(x.dataSync())).toEqual([expect.closeTo(2, 6), expect.closeTo(3, 6)]);
    });
    test('float32 with float64 promotes to float64', () => {
      const x = L.solve(tn.tensor([[2, 0], [0, 4]]), f64([[2], [8]]));
      expect(x.dtype).toBe('float64');
      expect(Array.from(x.dataSync())).toEqual([1, 2]);
    });
    test('non-contiguous input (a transposed view) equals its contiguous copy', () => {
      const A = tn.randn([4, 4], { dtype: 'float64', seed: 3 }).add(tn.eye(4, null, { dtype: 'float64' }).mul(4)).T;
      expect(Array.from(L.inv(A).dataSync())).toEqual(Array.from(L.inv(A.contiguous()).dataSync()));
      expect(Array.from(L.svdvals(A).dataSync())).toEqual(Array.from(L.svdvals(A.contiguous()).dataSync()));
    });
    test('lu + luSolve solve A·X = B and Aᵀ·X = B', () => {
      const A = tn.randn([5, 5], { dtype: 'float64', seed: 4 }), B = tn.randn([5, 2], { dtype: 'float64', seed: 5 });
      const { LU, pivots } = L.lu(A);
      expect(pivots.dtype).toBe('int32');
      expectClose('luSolve', values(L.luSolve(LU, pivots, B)), values(L.solve(A, B)), { rtol: 1e-12, atol: 1e-12 });
      expectClose('luSolve adjoint', values(L.luSolve(LU, pivots, B, { adjoint: true })), values(L.solve(A.T, B)), { rtol: 1e-12, atol: 1e-12 });
    });
    test('choleskySolve(B, cholesky(A)) equals solve(A, B)', () => {
      const M = tn.randn([4, 4], { dtype: 'float64', seed: 6 });
      const A = M.matmul(M.T).add(tn.eye(4, null, { dtype: 'float64' }));
      const B = tn.randn([4, 3], { dtype: 'float64', seed: 7 });
      expectClose('choleskySolve', values(L.choleskySolve(B, L.cholesky(A))), values(L.solve(A, B)), { rtol: 1e-11, atol: 1e-12 });
    });
    test('qr mode r gives R alone; svdvals and eigvalsh match the full decompositions', () => {
      const A = tn.randn([5, 3], { dtype: 'float64', seed: 8 });
      const { Q, R } = L.qr(A, { mode: 'r' });
      expect(Q.shape).toEqual([0]);
      expect(values(R)).toEqual(values(L.qr(A).R));
      expect(values(L.svdvals(A))).toEqual(values(L.svd(A).S));
      const S = A.T.matmul(A);
      expect(values(L.eigvalsh(S))).toEqual(values(L.eigh(S).eigenvalues));
    });
    test('det of a singular matrix is 0, not an error; slogdet gives sign 0 and -inf', () => {
      expect(L.det(f64([[1, 2], [2, 4]])).itemSync()).toBe(0);
      const { sign, logabsdet } = L.slogdet(f64([[1, 2], [2, 4]]));
      expect([sign.itemSync(), logabsdet.itemSync()]).toEqual([0, -Infinity]);
    });
    test('empty matrices: det 1, inv and solve of 0×0, svd of 0×3', () => {
      const E = tn.zeros([0, 0], { dtype: 'float64' });
      expect(L.det(E).itemSync()).toBe(1);
      expect(L.inv(E).shape).toEqual([0, 0]);
      expect(L.solve(E, tn.zeros([0, 2], { dtype: 'float64' })).shape).toEqual([0, 2]);
      const { U, S, Vh } = L.svd(tn.zeros([0, 3], { dtype: 'float64' }));
      expect([U.shape, S.shape, Vh.shape]).toEqual([[0, 0], [0], [3, 3]]);
      expect(L.det(tn.zeros([2, 0, 0], { dtype: 'float64' })).shape).toEqual([2]);
    });
    test('NaN input gives NaN output (solve, inv, det, eigh, svd, pinv, lstsq), never an error or a hang', () => {
      const A = f64([[1, NaN], [0, 1]]);
      expect(values(L.solve(A, f64([[1], [1]]))).every(Number.isNaN)).toBe(true);
      expect(values(L.inv(A)).every(Number.isNaN)).toBe(true);
      expect(Number.isNaN(L.det(A).itemSync() as number)).toBe(true);
      expect(values(L.eigh(f64([[NaN, 0], [0, 1]])).eigenvalues).every(Number.isNaN)).toBe(true);
      expect(values(L.svdvals(A)).every(Number.isNaN)).toBe(true);
      expect(values(L.pinv(A)).every(Number.isNaN)).toBe(true);
      for (const driver of ['svd', 'qr'] as const) expect(values(L.lstsq(A, f64([[1], [1]]), { driver }).solution).every(Number.isNaN)).toBe(true);
    });
    test('norm of a zero vector has gradient 0 (not NaN), as torch', () => {
      const x = tn.zeros([3], { dtype: 'float64', requiresGrad: true });
      L.vectorNorm(x).backward();
      expect(values(x.grad!)).toEqual(new Float64Array([0, 0, 0]));
    });
    test('spectral norms and trace/kron/outer agree with their definitions', () => {
      const A = tn.randn([3, 5], { dtype: 'float64', seed: 9 });
      const s = values(L.svdvals(A));
      expect(L.matrixNorm(A, 2).itemSync()).toBeCloseTo(s[0], 12);
      expect(L.matrixNorm(A, 'nuc').itemSync()).toBeCloseTo(s.reduce((p, v) => p + v, 0), 12);
      expect(L.trace(L.kron(tn.eye(3, null, { dtype: 'float64' }), f64([[1, 2], [3, 4]]))).itemSync()).toBe(15);
      expect(L.outer([1, 2], [3, 4, 5]).arraySync()).toEqual([[3, 4, 5], [6, 8, 10]]);
    });
    test('the kernel interface lists every routine; what cpu delegates to js is printed', () => {
      expect([...L.LINALG_KERNELS].sort()).toEqual(['geqrf', 'gesvd', 'getrf', 'getrs', 'orgqr', 'potrf', 'syevd', 'trtrs']);
      const delegated = L.delegatedLinalgKernels(device);
      console.log(`tn.linalg kernels on ${device} delegated to js: ${delegated.length ? delegated.join(', ') : 'none'}`);
      expect(delegated).toEqual([]); // cpu: all eight are native (native/src/linalg)
    });
  });

  describe('gradcheck (float64 central differences)', () => {
    const r64 = (shape: number[], seed: number) => tn.randn(shape, { dtype: 'float64', seed });
    /** Well conditioned: normal draws plus a multiple of I (square) so inverses stay tame. */
    const wc = (n: number, seed: number, batch: number[] = []) => r64([...batch, n, n], seed).add(tn.eye(n, null, { dtype: 'float64' }).mul(3));
    const spd = (n: number, seed: number) => { const M = r64([n, n], seed); return M.matmul(M.T).add(tn.eye(n, null, { dtype: 'float64' })); };
    const sym = (A: tn.Tensor) => A.add(A.T).div(2);
    /** Outputs of a decomposition that do not depend on the sign of a singular/eigen vector. */
    const signFree = (V: tn.Tensor) => [V.mul(V), V.slice(null, [0, 1]).matmul(V.slice(null, [0, 1]).T)];

    const cases: [string, tn.Tensor[], (...xs: tn.Tensor[]) => tn.Tensor | tn.Tensor[]][] = [
      ['solve', [wc(3, 1), r64([3, 2], 2)], (A, B) => L.solve(A, B)],
      ['solve/vector', [wc(3, 3), r64([3], 4)], (A, b) => L.solve(A, b)],
      ['solve/batch-broadcast', [wc(3, 5, [2]), r64([3, 2], 6)], (A, B) => L.solve(A, B)],
      ['solve/left=false', [wc(3, 7), r64([2, 3], 8)], (A, B) => L.solve(A, B, { left: false })],
      ['inv', [wc(4, 9)], (A) => L.inv(A)],
      ['det', [wc(3, 10)], (A) => L.det(A)],
      ['det/batched', [wc(3, 11, [2])], (A) => L.det(A)],
      ['slogdet', [wc(3, 12).mul(-1)], (A) => L.slogdet(A).logabsdet],
      ['cholesky(sym(A))', [spd(4, 13)], (A) => L.cholesky(sym(A))],
      ['cholesky(sym(A))/upper', [spd(3, 14)], (A) => L.cholesky(sym(A), { upper: true })],
      ['choleskySolve', [r64([3, 2], 15), L.cholesky(spd(3, 16))], (B, Lf) => L.choleskySolve(B, Lf)],
      ['triangularSolve/lower', [wc(3, 17), r64([3, 2], 18)], (A, B) => L.triangularSolve(A, B)],
      ['triangularSolve/upper-unit', [wc(3, 19), r64([3, 2], 20)], (A, B) => L.triangularSolve(A, B, { upper: true, unitriangular: true })],
      ['triangularSolve/upper-right', [wc(3, 21), r64([2, 3], 22)], (A, B) => L.triangularSolve(A, B, { upper: true, left: false })],
      ['eigh(sym(A))', [r64([4, 4], 23)], (A) => { const { eigenvalues, eigenvectors } = L.eigh(sym(A)); return [eigenvalues, ...signFree(eigenvectors)]; }],
      ['eigvalsh(sym(A))', [r64([3, 3], 24)], (A) => L.eigvalsh(sym(A))],
      ['eigh(sym(A))/batched', [r64([2, 3, 3], 49)], (A) => { const S = A.add(A.transpose(-2, -1)).div(2); const { eigenvalues, eigenvectors } = L.eigh(S); return [eigenvalues, eigenvectors.mul(eigenvectors)]; }],
      ['svd/square', [r64([3, 3], 25)], (A) => { const { U, S, Vh } = L.svd(A, { fullMatrices: false }); return [S, ...signFree(U), ...signFree(Vh.T)]; }],
      ['svd/tall', [r64([4, 3], 26)], (A) => { const { U, S, Vh } = L.svd(A, { fullMatrices: false }); return [S, ...signFree(U), ...signFree(Vh.T)]; }],
      ['svd/wide', [r64([3, 5], 27)], (A) => { const { U, S, Vh } = L.svd(A, { fullMatrices: false }); return [S, ...signFree(U), ...signFree(Vh.T)]; }],
      ['svd/u1·v1ᵀ', [r64([4, 3], 28)], (A) => { const { U, Vh } = L.svd(A, { fullMatrices: false }); return U.slice(null, [0, 1]).matmul(Vh.slice([0, 1])); }],
      ['svdvals', [r64([2, 3, 4], 29)], (A) => L.svdvals(A)],
      ['qr/tall', [r64([4, 3], 30)], (A) => { const { Q, R } = L.qr(A); return [Q, R]; }],
      ['qr/square', [r64([3, 3], 31)], (A) => { const { Q, R } = L.qr(A); return [Q, R]; }],
      ['qr/wide', [r64([3, 5], 32)], (A) => { const { Q, R } = L.qr(A); return [Q, R]; }],
      ['lstsq/tall', [r64([5, 3], 33), r64([5, 2], 34)], (A, B) => L.lstsq(A, B).solution],
      ['lstsq/wide', [r64([2, 4], 35), r64([2, 2], 36)], (A, B) => L.lstsq(A, B).solution],
      ['lstsq/residuals', [r64([5, 2], 37), r64([5, 2], 38)], (A, B) => L.lstsq(A, B).residuals],
      ['lstsq/qr', [r64([5, 3], 39), r64([5], 40)], (A, b) => L.lstsq(A, b, { driver: 'qr' }).solution],
      ['pinv/tall', [r64([4, 3], 41)], (A) => L.pinv(A)],
      ['pinv/wide', [r64([2, 4], 42)], (A) => L.pinv(A)],
      ['pinv/square', [wc(3, 43)], (A) => L.pinv(A)],
      ['vectorNorm/2', [r64([3, 4], 44)], (x) => L.vectorNorm(x, 2, 1)],
      ['vectorNorm/3', [r64([5], 45)], (x) => L.vectorNorm(x, 3)],
      ['matrixNorm/fro,nuc,2,1,inf', [r64([3, 4], 46)], (A) => [L.matrixNorm(A), L.matrixNorm(A, 'nuc'), L.matrixNorm(A, 2), L.matrixNorm(A, 1), L.matrixNorm(A, Infinity)]],
      ['trace,outer,kron', [r64([3, 3], 47), r64([2], 48)], (A, v) => [L.trace(A), L.outer(v, v), L.kron(A, v)]],
    ];
    test.each(cases)('%s', (name, inputs, f) => {
      expect(gradcheck(f, inputs, { name })).toBe(true);
    });

    // Backwards are written with ops, so they differentiate again.
    const second: [string, tn.Tensor[], (...xs: tn.Tensor[]) => tn.Tensor | tn.Tensor[]][] = [
      ['solve', [wc(2, 50), r64([2, 1], 51)], (A, B) => L.solve(A, B)],
      ['inv', [wc(2, 52)], (A) => L.inv(A)],
      ['det', [wc(3, 53)], (A) => L.det(A)],
      ['cholesky(sym(A))', [spd(2, 54)], (A) => L.cholesky(sym(A))],
      ['eigvalsh(sym(A))', [r64([2, 2], 55)], (A) => L.eigvalsh(sym(A))],
    ];
    test.each(second)('gradgradcheck %s', (name, inputs, f) => {
      expect(gradgradcheck(f, inputs, { name })).toBe(true);
    });
  });

  describe('bad input', () => {
    const f64 = (data: number[][]) => tn.tensor(data.flat(), { dtype: 'float64', shape: [data.length, data[0].length] });
    const exactlySingular = () => f64([[2, 0, 0], [0, 3, 0], [1, 1, 0]]);
    test('singular matrix to solve / inv names the pivot', () => {
      expect(() => L.solve(exactlySingular(), f64([[1], [2], [3]]))).toThrow(new tn.TensileError('solve', 'the matrix is singular (zero pivot at 2)'));
      expect(() => L.inv(exactlySingular())).toThrow(new tn.TensileError('inv', 'the matrix is singular (zero pivot at 2)'));
      expect(() => L.inv(f64([[1, 2, 3], [4, 5, 6], [7, 8, 9]]))).toThrow(/^inv: the matrix is singular to working precision \(pivot at 2 is .*\)$/);
      const batch = tn.stack([tn.eye(3, null, { dtype: 'float64' }), exactlySingular()]);
      expect(() => L.inv(batch)).toThrow('inv: the matrix is singular (zero pivot at 2 in batch element [1])');
    });
    test('gradient of det at a singular matrix says so', () => {
      const A = f64([[1, 2], [2, 4]]).requiresGrad_();
      const d = L.det(A);
      expect(d.itemSync()).toBe(0);
      expect(() => d.backward()).toThrow(/^det \(backward\): the matrix is singular/);
    });
    test('cholesky of a non-positive-definite matrix names the leading minor', () => {
      expect(() => L.cholesky(f64([[4, 2, 0], [2, 1, 0], [0, 0, 1]]))).toThrow(new tn.TensileError('cholesky', 'the matrix is not positive definite (the leading minor of order 2 is not positive)'));
      expect(() => L.cholesky(f64([[-1]]))).toThrow('the leading minor of order 1 is not positive');
    });
    test('triangularSolve with a zero on the diagonal names it', () => {
      expect(() => L.triangularSolve(f64([[1, 0], [5, 0]]), f64([[1], [1]]))).toThrow(new tn.TensileError('triangularSolve', 'the matrix is singular (zero diagonal entry at 1)'));
    });
    test('non-square, non-matrix and wrong-row-count arguments', () => {
      expect(() => L.inv(f64([[1, 2, 3], [4, 5, 6]]))).toThrow(new tn.TensileError('inv', "argument 'A' must be square in its last two dims, got shape [2,3]"));
      expect(() => L.cholesky(f64([[1, 2]]))).toThrow("cholesky: argument 'A' must be square");
      expect(() => L.eigh(tn.zeros([2, 3, 4], { dtype: 'float64' }))).toThrow("eigh: argument 'A' must be square in its last two dims, got shape [2,3,4]");
      expect(() => L.det(tn.tensor([1, 2, 3]))).toThrow("det: argument 'A' must be a matrix or a batch of matrices (rank >= 2), got shape [3]");
      expect(() => L.solve(tn.eye(3), tn.zeros([4, 1]))).toThrow("solve: 'B' has 4 rows but 'A' is 3×3 (shapes [3,3] and [4,1])");
    });
    test('mismatched batch dims', () => {
      expect(() => L.solve(tn.zeros([2, 3, 3]), tn.zeros([4, 3, 1]))).toThrow(new tn.TensileError('solve', "batch dims of 'A' [2,3,3] and 'B' [4,3,1] cannot broadcast"));
      expect(() => L.lstsq(tn.zeros([2, 5, 3]), tn.zeros([3, 5, 1]))).toThrow("lstsq: batch dims of 'A' [2,5,3] and 'B' [3,5,1] cannot broadcast");
    });
    test('lstsq driver qr refuses a rank-deficient A; bad options are named', () => {
      expect(() => L.lstsq(f64([[1, 2], [2, 4], [3, 6]]), f64([[1], [2], [3]]), { driver: 'qr' })).toThrow(/^lstsq: A is rank deficient: \|R\[1,1\]\| = .* use driver 'svd'$/);
      expect(() => L.qr(tn.eye(2), { mode: 'thin' as Any })).toThrow("qr: option 'mode' must be 'reduced', 'complete' or 'r', got thin");
      expect(() => L.matrixNorm(tn.eye(2), 3 as Any)).toThrow("matrixNorm: argument 'ord' must be one of");
      expect(() => L.norm(tn.zeros([2, 2, 2]), 2)).toThrow('norm: with \'ord\' and no \'dim\' the input must be 1-D or 2-D, got shape [2,2,2]');
    });
    test('gradients through U of a full svd of a non-square matrix are refused', () => {
      const A = tn.randn([4, 3], { dtype: 'float64', seed: 1, requiresGrad: true });
      const { U, S } = L.svd(A);
      S.sum().backward(); // S alone is fine
      expect(() => U.sum().backward()).toThrow(/^svd \(backward\): gradients through U of a non-square matrix need fullMatrices: false/);
    });
    test('gradients through a complete QR of a tall matrix are refused', () => {
      const A = tn.randn([4, 2], { dtype: 'float64', seed: 2, requiresGrad: true });
      expect(() => L.qr(A, { mode: 'complete' }).R.sum().backward()).toThrow(/^qr \(backward\): QR with mode 'complete' is not differentiable for m > n/);
    });
    test('mixed devices are named', () => {
      const other = devices.find((d) => d !== device);
      if (!other) return;
      expect(() => L.solve(tn.eye(2, null, { device }), tn.eye(2, null, { device: other }))).toThrow(/solve: argument 'B' is on device/);
    });
  });
});

describe('webgpu tensors', () => {
  let reason: string | null = null;
  beforeAll(async () => {
    try {
      await tn.initWebGPU();
    } catch (e) {
      if (process.env.TENSILE_REQUIRE_WEBGPU === '1') throw e;
      reason = (e as Error).message;
    }
    if (!reason && !tn.availableDevices().includes('webgpu')) reason = 'initWebGPU() did not register the webgpu device';
  }, 60000);

  test('decompositions throw naming toAsync; compositions run on the GPU', async () => {
    if (reason) { console.log(`tn.linalg webgpu case skipped: ${reason}`); return; }
    const A = tn.tensor([[4, 1], [1, 3]], { device: 'webgpu' });
    for (const f of [() => L.inv(A), () => L.svd(A), () => L.eigh(A), () => L.solve(A, A), () => L.matrixNorm(A, 2)]) {
      expect(f).toThrow(/decompositions run on 'js' or 'cpu' tensors, got a 'webgpu' tensor: move it first with `await t.toAsync\('cpu'\)`/);
    }
    expect(await L.trace(A).item()).toBeCloseTo(7, 5);
    expect(await L.matrixNorm(A, 1).item()).toBeCloseTo(5, 5);
    expect(Array.from(await L.kron(A, tn.tensor([1, -1], { device: 'webgpu' })).data())).toEqual([4, -4, 1, -1, 1, -1, 3, -3]);
    const back = await A.toAsync('cpu');
    expect(L.det(back).itemSync()).toBeCloseTo(11, 5);
  });
});
