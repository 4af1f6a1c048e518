/**
 * One entry point for SVC and SVR training: libsvm's SMO on the native addon's `smoSolve`
 * (native/src/ml: the solver, its kernel cache and the kernel rows, all in C++) when the
 * addon has it, else the TypeScript SMOSolver of lib/ml/smo.ts, which stays the oracle. Both
 * take the same path on the same data (same iterations and support set, alphas to rounding):
 * the native rows come from the same GEMM call as tn.matmulT's and the same transform.
 * SVM data lives on the host, so the native solver serves every device.
 *
 * An addon built before smoSolve existed runs the js solver; `smoImplementation()` says which
 * one runs and why, once, for tests and benchmarks to print.
 *
 * @example
 * const res = solveSMO({ spec, x: X, rows: n, cols: p }, { y, p: minusOnes, C, sample }, opts);
 */
import { loadAddon } from '../backends/cpu/addon.js';
import { TensileError } from '../errors.js';
import { DenseKernelRows, type KernelRowSource, type KernelSpec, PrecomputedKernelRows } from './kernels.js';
import { type SMOOptions, type SMOProblem, type SMOResult, SMOSolver } from './smo.js';

/** The training samples of one QP and their kernel. */
export interface SMOKernelData {
  spec: KernelSpec;
  /** Dense: features, rows × cols row-major. Precomputed: the whole Gram matrix (rows = cols). */
  x: Float64Array;
  rows: number;
  cols: number;
  /** The samples: rows of x (for a Gram matrix, rows and columns); all rows when omitted. */
  index?: Int32Array;
}

/** The problem object native/src/ml/smo_napi.cc reads (every field is checked there). */
export interface NativeSmoProblem {
  kernel: string; gamma: number; degree: number; coef0: number;
  x: Float64Array; rows: number; cols: number; index: Int32Array | null;
  y: Int32Array; linear: Float64Array; C: Float64Array; sample: Int32Array; alpha: Float64Array | null;
  tol: number; shrinking: boolean; maxIter: number; cacheBytes: number; batchRows: number;
}

export interface NativeSmoResult { alpha: Float64Array; rho: number; obj: number; nIter: number; timedOut: boolean; rowsComputed: number }

type SmoSolveFn = (problem: NativeSmoProblem) => NativeSmoResult;

let cached: { fn: SmoSolveFn | null; reason: string } | undefined;

function nativeSolve(): { fn: SmoSolveFn | null; reason: string } {
  if (!cached) {
    const load = loadAddon();
    if (!load.addon) cached = { fn: null, reason: load.reason };
    else {
      const f = (load.addon as unknown as Record<string, unknown>).smoSolve;
      cached = typeof f === 'function'
        ? { fn: f as SmoSolveFn, reason: `native smoSolve from ${load.path}` }
        : { fn: null, reason: `the addon at ${load.path} predates smoSolve (rebuild it); SVC/SVR use the js solver` };
    }
  }
  return cached;
}

/** Which solver SVC and SVR use ('native' or 'js') and why. */
export function smoImplementation(): { impl: 'native' | 'js'; reason: string } {
  const s = nativeSolve();
  return { impl: s.fn ? 'native' : 'js', reason: s.reason };
}

/**
 * The addon's smoSolve with its errors ("smoSolve: why") turned into TensileErrors; throws
 * when the addon lacks it. Exposed for tests of the native argument checks.
 */
export function callNativeSmo(problem: NativeSmoProblem): NativeSmoResult {
  const { fn, reason } = nativeSolve();
  if (!fn) throw new TensileError('smoSolve', reason);
  try {
    return fn(problem);
  } catch (e) {
    // Not `instanceof Error`: the addon's errors may come from another realm (jest's vm).
    const msg = typeof (e as { message?: unknown })?.message === 'string' ? (e as Error).message : String(e);
    const m = /^smoSolve: (.*)$/s.exec(msg);
    throw new TensileError('smoSolve', m ? m[1] : msg);
  }
}

/** The js oracle's kernel rows for `data`. */
export function jsRowSource(data: SMOKernelData): KernelRowSource {
  const { spec, x, rows, cols, index } = data;
  if (spec.kernel === 'precomputed') return new PrecomputedKernelRows(x, rows, index ?? Int32Array.from({ length: rows }, (_, k) => k));
  if (!index) return new DenseKernelRows(spec, x, rows, cols);
  const Xs = new Float64Array(index.length * cols);
  for (let r = 0; r < index.length; r++) Xs.set(x.subarray(index[r] * cols, index[r] * cols + cols), r * cols);
  return new DenseKernelRows(spec, Xs, index.length, cols);
}

/**
 * Solves one SMO problem: natively when the addon has smoSolve (or `impl` is 'native'), with
 * the TypeScript solver when it does not (or `impl` is 'js').
 */
export function solveSMO(data: SMOKernelData, problem: SMOProblem, opts: SMOOptions, impl: 'auto' | 'native' | 'js' = 'auto'): SMOResult {
  if (impl === 'native' || (impl === 'auto' && nativeSolve().fn)) {
    const r = callNativeSmo({
      kernel: data.spec.kernel, gamma: data.spec.gamma, degree: data.spec.degree, coef0: data.spec.coef0,
      x: data.x, rows: data.rows, cols: data.cols, index: data.index ?? null,
      y: Int32Array.from(problem.y), linear: problem.p, C: problem.C, sample: problem.sample, alpha: problem.alpha ?? null,
      tol: opts.tol, shrinking: opts.shrinking, maxIter: opts.maxIter, cacheBytes: opts.cacheBytes, batchRows: Math.max(1, opts.batchRows ?? 32),
    });
    return { alpha: r.alpha, rho: r.rho, obj: r.obj, nIter: r.nIter, timedOut: r.timedOut };
  }
  const source = jsRowSource(data);
  try {
    return new SMOSolver(source, problem, opts).solve();
  } finally {
    source.dispose();
  }
}
