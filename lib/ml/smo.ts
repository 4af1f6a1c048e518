/**
 * The SMO solver of libsvm (Fan, Chen and Lin, "Working set selection using second order
 * information for training SVM", JMLR 6, 2005), step for step as libsvm 3.x's Solver in
 * scikit-learn's copy: WSS3 second-order working-set selection, shrinking with the final
 * unshrink at 10·tol, gradient reconstruction, an LRU cache of kernel rows stored as float32
 * (libsvm's Qfloat), per-variable upper bounds (class weights) and sklearn's max_iter. Given
 * the same kernel values it takes the same path as libsvm, so iteration counts, support sets
 * and dual coefficients agree with scikit-learn to rounding.
 *
 * Solves  min ½αᵀQα + pᵀα  s.t.  yᵀα = const, 0 ≤ α_i ≤ C_i,  Q_ij = y_i y_j k(s_i, s_j),
 * where s_i is the sample (kernel row) of variable i: C-SVC has one variable per sample,
 * ε-SVR two (α⁺ with y = +1 and α⁻ with y = −1) sharing a row.
 *
 * Unlike libsvm, which computes each kernel value on demand, a missing row is computed with
 * the rows of the most violating uncached variables as one GEMM (ThunderSVM's batching); those
 * speculative rows stay raw (float64 dot products) until first used, so a wrong guess costs
 * its share of the GEMM but not its exp. The cache holds full rows keyed by sample, so
 * shrinking swaps only the solver's arrays. Neither changes a single value the solver sees.
 *
 * Its C++ twin, native/src/ml/smo.cc (picked by lib/ml/smo-native.ts), makes the same cache
 * decisions and GEMM calls, so it takes the same path: change both (test/ml-smo-native.test.ts).
 *
 * @example
 * const rows = new DenseKernelRows({ kernel: 'rbf', gamma: 0.1, degree: 3, coef0: 0 }, X, n, p);
 * const res = new SMOSolver(rows, { y, p: minusOnes, C, sample }, { tol: 1e-3, shrinking: true,
 *   maxIter: -1, cacheBytes: 200 * 2 ** 20 }).solve();   // res.alpha, res.rho, res.nIter
 */
import type { KernelRowSource } from './kernels.js';
import { KernelCache, heapPush, heapReplaceMin } from './smo-cache.js';

const TAU = 1e-12;
const LOWER = 0, UPPER = 1, FREE = 2;

/** One QP: per variable its label ±1, linear term, upper bound and kernel row. */
export interface SMOProblem {
  y: Int8Array;
  p: Float64Array;
  C: Float64Array;
  sample: Int32Array;
  /** A feasible start (default all zeros). */
  alpha?: Float64Array;
}

export interface SMOOptions {
  /** Stopping tolerance on the maximal violation (libsvm's eps, sklearn's tol). */
  tol: number;
  shrinking: boolean;
  /** -1: no limit (sklearn's default). */
  maxIter: number;
  /** Kernel cache size in bytes. */
  cacheBytes: number;
  /** Rows computed per GEMM when the cache misses (default 32). */
  batchRows?: number;
}

export interface SMOResult {
  alpha: Float64Array;
  rho: number;
  obj: number;
  nIter: number;
  /** True when maxIter stopped the solver (sklearn's fit_status_ = 1). */
  timedOut: boolean;
}

/** libsvm's Solver over Float64Arrays; one instance solves one problem. */
export class SMOSolver {
  private readonly l: number;
  private readonly y: Int8Array;
  private readonly p: Float64Array;
  private readonly C: Float64Array;
  private readonly sample: Int32Array;
  private readonly QD: Float64Array;
  private readonly alpha: Float64Array;
  private readonly status: Uint8Array;
  private readonly G: Float64Array;
  private readonly Gbar: Float64Array;
  private readonly activeSet: Int32Array;
  private activeSize: number;
  private unshrink = false;
  private readonly cache: KernelCache;
  private readonly batchRows: number;
  // Prefetch scratch: the batch, a min-heap of candidates, and per-sample marks.
  private readonly batch: Int32Array;
  private readonly heapScore: Float64Array;
  private readonly heapSample: Int32Array;
  private readonly mark: Int32Array;
  private stamp = 0;
  private wsI = -1;
  private wsJ = -1;

  constructor(private readonly source: KernelRowSource, problem: SMOProblem, private readonly opts: SMOOptions) {
    const l = problem.y.length;
    this.l = l;
    this.y = Int8Array.from(problem.y);
    this.p = Float64Array.from(problem.p);
    this.C = Float64Array.from(problem.C);
    this.sample = Int32Array.from(problem.sample);
    this.QD = Float64Array.from(this.sample, (s) => source.diagonal[s]);
    this.alpha = problem.alpha ? Float64Array.from(problem.alpha) : new Float64Array(l);
    this.status = new Uint8Array(l);
    this.G = new Float64Array(l);
    this.Gbar = new Float64Array(l);
    this.activeSet = Int32Array.from({ length: l }, (_, i) => i);
    this.activeSize = l;
    this.cache = new KernelCache(source.size, source.size, opts.cacheBytes);
    this.batchRows = Math.max(1, opts.batchRows ?? 32);
    this.batch = new Int32Array(this.batchRows);
    this.heapScore = new Float64Array(this.batchRows);
    this.heapSample = new Int32Array(this.batchRows);
    this.mark = new Int32Array(source.size);
  }

  /** Runs SMO to tolerance (or maxIter) and returns α in the problem's variable order. */
  solve(): SMOResult {
    const { l, y, G, Gbar, p, alpha, C } = this;
    const { tol, shrinking, maxIter } = this.opts;
    for (let i = 0; i < l; i++) this.updateStatus(i);
    G.set(p);
    // Gradient at a non-zero start (libsvm's initialisation; C-SVC and ε-SVR start at 0).
    const nonzero: number[] = [];
    for (let i = 0; i < l; i++) if (this.status[i] !== LOWER) nonzero.push(i);
    this.forRows(nonzero, (i, Ri) => {
      const ai = y[i] * alpha[i], ci = y[i] * C[i], upper = this.status[i] === UPPER;
      for (let k = 0; k < l; k++) {
        const K = Ri[this.sample[k]];
        G[k] += y[k] * (ai * K);
        if (upper) Gbar[k] += y[k] * (ci * K);
      }
    });

    let iter = 0, timedOut = false;
    let counter = Math.min(l, 1000) + 1;
    for (;;) {
      if (maxIter !== -1 && iter >= maxIter) { timedOut = true; break; }
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (shrinking) this.doShrinking(tol);
      }
      if (!this.selectWorkingSet(tol)) {
        this.reconstructGradient();
        this.activeSize = l;
        if (!this.selectWorkingSet(tol)) break;
        counter = 1; // shrink at the next iteration
      }
      ++iter;
      this.takeStep(this.wsI, this.wsJ);
    }

    const rho = this.calculateRho();
    let v = 0;
    for (let i = 0; i < l; i++) v += alpha[i] * (G[i] + p[i]);
    const out = new Float64Array(l);
    for (let i = 0; i < l; i++) out[this.activeSet[i]] = alpha[i];
    return { alpha: out, rho, obj: v / 2, nIter: iter, timedOut };
  }

  /** Optimises the pair (i, j) analytically, clipped to the box, then updates G and Ḡ. */
  private takeStep(i: number, j: number): void {
    const { y, G, Gbar, alpha, QD, sample, l } = this;
    const Ri = this.row(i);
    const Rj = this.row(j);
    const Ci = this.C[i], Cj = this.C[j];
    const oldAi = alpha[i], oldAj = alpha[j];
    const Kij = Ri[sample[j]];
    // libsvm's quad_coef = QD[i] + QD[j] ± 2·Q_ij is QD[i] + QD[j] − 2·k_ij for either sign pair.
    if (y[i] !== y[j]) {
      let quad = QD[i] + QD[j] - 2 * Kij;
      if (quad <= 0) quad = TAU;
      const delta = (-G[i] - G[j]) / quad;
      const diff = alpha[i] - alpha[j];
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0) {
        if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = diff; }
      } else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = -diff; }
      if (diff > Ci - Cj) {
        if (alpha[i] > Ci) { alpha[i] = Ci; alpha[j] = Ci - diff; }
      } else if (alpha[j] > Cj) { alpha[j] = Cj; alpha[i] = Cj + diff; }
    } else {
      let quad = QD[i] + QD[j] - 2 * Kij;
      if (quad <= 0) quad = TAU;
      const delta = (G[i] - G[j]) / quad;
      const sum = alpha[i] + alpha[j];
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > Ci) {
        if (alpha[i] > Ci) { alpha[i] = Ci; alpha[j] = sum - Ci; }
      } else if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = sum; }
      if (sum > Cj) {
        if (alpha[j] > Cj) { alpha[j] = Cj; alpha[i] = sum - Cj; }
      } else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = sum; }
    }

    // G_k += Q_ik Δα_i + Q_jk Δα_j; the ±1 signs factor out exactly, so this rounds as libsvm.
    const ai = y[i] * (alpha[i] - oldAi), aj = y[j] * (alpha[j] - oldAj);
    const n = this.activeSize;
    for (let k = 0; k < n; k++) {
      const s = sample[k];
      G[k] += y[k] * (Ri[s] * ai + Rj[s] * aj);
    }

    const ui = this.status[i] === UPPER, uj = this.status[j] === UPPER;
    this.updateStatus(i);
    this.updateStatus(j);
    if (ui !== (this.status[i] === UPPER)) {
      const c = y[i] * Ci, R = this.row(i);
      if (ui) for (let k = 0; k < l; k++) Gbar[k] -= y[k] * (c * R[sample[k]]);
      else for (let k = 0; k < l; k++) Gbar[k] += y[k] * (c * R[sample[k]]);
    }
    if (uj !== (this.status[j] === UPPER)) {
      const c = y[j] * Cj, R = this.row(j);
      if (uj) for (let k = 0; k < l; k++) Gbar[k] -= y[k] * (c * R[sample[k]]);
      else for (let k = 0; k < l; k++) Gbar[k] += y[k] * (c * R[sample[k]]);
    }
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    this.status[i] = a >= this.C[i] ? UPPER : a <= 0 ? LOWER : FREE;
  }

  /**
   * WSS3: i maximises −y_i∇f_i over I_up; j, among I_low with −y_j∇f_j < −y_i∇f_i, minimises
   * the second-order decrease −b²/a. Returns false when the maximal violation is below tol.
   */
  private selectWorkingSet(tol: number): boolean {
    const { y, G, status, QD, sample } = this;
    const n = this.activeSize;
    let Gmax = -Infinity, Gmax2 = -Infinity, GmaxIdx = -1, GminIdx = -1, objDiffMin = Infinity;
    for (let t = 0; t < n; t++) {
      if (y[t] === 1) {
        if (status[t] !== UPPER && -G[t] >= Gmax) { Gmax = -G[t]; GmaxIdx = t; }
      } else if (status[t] !== LOWER && G[t] >= Gmax) { Gmax = G[t]; GmaxIdx = t; }
    }
    const i = GmaxIdx;
    const Ri = i !== -1 ? this.row(i) : null;
    const QDi = i !== -1 ? QD[i] : 0;
    for (let j = 0; j < n; j++) {
      let gradDiff: number;
      if (y[j] === 1) {
        if (status[j] === LOWER) continue;
        gradDiff = Gmax + G[j];
        if (G[j] >= Gmax2) Gmax2 = G[j];
      } else {
        if (status[j] === UPPER) continue;
        gradDiff = Gmax - G[j];
        if (-G[j] >= Gmax2) Gmax2 = -G[j];
      }
      if (gradDiff > 0) {
        // libsvm's QD[i] + QD[j] ∓ 2·y_i·Q_ij equals QD[i] + QD[j] − 2·k_ij for either sign of y_j.
        const quad = QDi + QD[j] - 2 * Ri![sample[j]];
        const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
        if (objDiff <= objDiffMin) { GminIdx = j; objDiffMin = objDiff; }
      }
    }
    if (Gmax + Gmax2 < tol || GminIdx === -1) return false;
    this.wsI = GmaxIdx;
    this.wsJ = GminIdx;
    return true;
  }

  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const st = this.status[i], g = this.G[i];
    if (st === UPPER) return this.y[i] === 1 ? -g > Gmax1 : -g > Gmax2;
    if (st === LOWER) return this.y[i] === 1 ? g > Gmax2 : g > Gmax1;
    return false;
  }

  /** Removes bounded variables that cannot enter the working set; unshrinks once near the end. */
  private doShrinking(tol: number): void {
    const { y, G, status } = this;
    let Gmax1 = -Infinity, Gmax2 = -Infinity;
    for (let i = 0; i < this.activeSize; i++) {
      if (y[i] === 1) {
        if (status[i] !== UPPER && -G[i] >= Gmax1) Gmax1 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax2) Gmax2 = G[i];
      } else {
        if (status[i] !== UPPER && -G[i] >= Gmax2) Gmax2 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax1) Gmax1 = G[i];
      }
    }
    if (!this.unshrink && Gmax1 + Gmax2 <= tol * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.activeSize = this.l;
    }
    for (let i = 0; i < this.activeSize; i++) {
      if (this.beShrunk(i, Gmax1, Gmax2)) {
        this.activeSize--;
        while (this.activeSize > i) {
          if (!this.beShrunk(this.activeSize, Gmax1, Gmax2)) {
            this.swapIndex(i, this.activeSize);
            break;
          }
          this.activeSize--;
        }
      }
    }
  }

  private swapIndex(i: number, j: number): void {
    swap(this.y, i, j); swap(this.G, i, j); swap(this.status, i, j); swap(this.alpha, i, j);
    swap(this.p, i, j); swap(this.activeSet, i, j); swap(this.Gbar, i, j); swap(this.C, i, j);
    swap(this.sample, i, j); swap(this.QD, i, j);
  }

  /** Inactive gradients from Ḡ and the free variables, in libsvm's choice of loop order. */
  private reconstructGradient(): void {
    const { l, y, G, Gbar, p, alpha, status, sample } = this;
    const n = this.activeSize;
    if (n === l) return;
    for (let j = n; j < l; j++) G[j] = Gbar[j] + p[j];
    const free: number[] = [];
    for (let j = 0; j < n; j++) if (status[j] === FREE) free.push(j);
    if (free.length * l > 2 * n * (l - n)) {
      const inactive = Array.from({ length: l - n }, (_, k) => n + k);
      this.forRows(inactive, (i, Ri) => {
        let g = G[i];
        const yi = y[i];
        for (let j = 0; j < n; j++) if (status[j] === FREE) g += alpha[j] * (yi * y[j] * Ri[sample[j]]);
        G[i] = g;
      });
    } else {
      this.forRows(free, (i, Ri) => {
        const ai = alpha[i] * y[i];
        for (let j = n; j < l; j++) G[j] += y[j] * (ai * Ri[sample[j]]);
      });
    }
  }

  /** libsvm's rho: the mean of y∇f over free variables, else the midpoint of the bounds. */
  private calculateRho(): number {
    const { y, G, status } = this;
    let nFree = 0, ub = Infinity, lb = -Infinity, sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const yG = y[i] * G[i];
      if (status[i] === UPPER) {
        if (y[i] === -1) ub = Math.min(ub, yG); else lb = Math.max(lb, yG);
      } else if (status[i] === LOWER) {
        if (y[i] === 1) ub = Math.min(ub, yG); else lb = Math.max(lb, yG);
      } else {
        nFree++;
        sumFree += yG;
      }
    }
    return nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  }

  /**
   * The kernel row of variable `pos` (by sample): cached, or finished from its speculative raw
   * row, or computed in a batch with the likeliest next misses.
   */
  private row(pos: number): Float32Array {
    const s = this.sample[pos];
    const r = this.cache.get(s);
    if (r) return r;
    const row = this.finishRaw(s);
    if (row) return row;
    this.prefetch(s);
    return this.cache.get(s)!;
  }

  /** Transforms the speculative raw row of sample s into its cached row, if there is one. */
  private finishRaw(s: number): Float32Array | null {
    const raw = this.cache.takeRaw(s);
    if (!raw) return null;
    const row = this.cache.allocate(s);
    this.source.finish(s, raw, row);
    return row;
  }

  /**
   * Computes the missing row of sample `first` in one GEMM with the raw rows of the most
   * violating active variables not yet cached (the likeliest next working-set members); only
   * `first` is transformed now, the others when first used (an unused guess costs its GEMM
   * share, not its exp).
   */
  private prefetch(first: number): void {
    const { y, G, status, sample, mark, heapScore, heapSample, batch } = this;
    const stamp = ++this.stamp;
    mark[first] = stamp;
    // Speculate only into the room the finished rows leave (none once they fill the cache).
    const want = Math.max(0, Math.min(this.batchRows, this.cache.rawRoom()) - 1);
    let size = 0;
    if (want > 0) {
      for (let t = 0; t < this.activeSize; t++) {
        const s = sample[t];
        if (mark[s] === stamp || this.cache.has(s)) continue;
        const st = status[t], yG = y[t] * G[t];
        // −y∇f over I_up and y∇f over I_low: how strongly t violates optimality.
        let score = -Infinity;
        if (y[t] === 1 ? st !== UPPER : st !== LOWER) score = -yG;
        if ((y[t] === 1 ? st !== LOWER : st !== UPPER) && yG > score) score = yG;
        if (score === -Infinity) continue;
        if (size < want) {
          heapPush(heapScore, heapSample, size++, score, s);
          mark[s] = stamp;
        } else if (score > heapScore[0]) {
          mark[heapSample[0]] = 0;
          heapReplaceMin(heapScore, heapSample, size, score, s);
          mark[s] = stamp;
        }
      }
    }
    batch[0] = first;
    for (let k = 0; k < size; k++) batch[k + 1] = heapSample[k];
    this.compute(batch, size + 1, 1);
  }

  /**
   * Computes batch[0..count) (none cached) as one block: the first `now` rows are finished
   * (at most rowCapacity − 1, so the row in use is not evicted), the rest kept raw.
   */
  private compute(batch: Int32Array, count: number, now: number): void {
    const n = this.source.size;
    const raw = this.source.computeRaw(batch, count);
    for (let k = 0; k < now; k++) this.source.finish(batch[k], raw.subarray(k * n, (k + 1) * n), this.cache.allocate(batch[k]));
    if (now === 1) this.cache.addRawBlock(raw, batch, count);
  }

  /**
   * Visits the rows of the variables `positions` in order, computing the missing ones in
   * batches; a chunk's cached rows are touched first so allocation never evicts them.
   */
  private forRows(positions: readonly number[], visit: (pos: number, row: Float32Array) => void): void {
    const chunk = Math.max(1, this.cache.rowCapacity - 1);
    const missing = new Int32Array(Math.min(chunk, positions.length));
    for (let a = 0; a < positions.length; a += chunk) {
      const b = Math.min(positions.length, a + chunk);
      const stamp = ++this.stamp;
      let m = 0;
      for (let k = a; k < b; k++) {
        const s = this.sample[positions[k]];
        if (this.mark[s] === stamp) continue;
        this.mark[s] = stamp;
        if (this.cache.get(s) === null && this.finishRaw(s) === null) missing[m++] = s;
      }
      for (let off = 0; off < m; off += Math.max(this.batchRows, 64)) {
        const cnt = Math.min(m - off, Math.max(this.batchRows, 64));
        this.compute(missing.subarray(off, off + cnt), cnt, cnt);
      }
      for (let k = a; k < b; k++) visit(positions[k], this.row(positions[k]));
    }
  }
}

function swap(a: { [k: number]: number }, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
