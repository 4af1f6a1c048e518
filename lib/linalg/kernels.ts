/**
 * The tn.linalg kernel interface: a few LAPACK-shaped routines on batches of row-major float64
 * matrices (matrix b of a batch starts at b·rows·cols). It is separate from the backend kernel
 * set: the ops in this folder read a tensor's values, call these, and make tensors of the
 * results in the input's dtype, so every routine computes in float64 whatever the input.
 *
 * The js routines are the reference. The cpu backend runs the native addon's routines under
 * the same names (lib/linalg/kernels-cpu.ts); any it lacks run the js code as an explicit,
 * listed delegation (`delegatedLinalgKernels`). webgpu has none (decompositions need
 * data-dependent pivoting; read the tensor back first).
 */
import type { DeviceName } from '../backends/backend.js';
import { TensileError } from '../errors.js';
import { getrf, getrs, potrf, trtrs } from './factor.js';
import { geqrf, orgqr } from './qr.js';
import { gesvd } from './svd.js';
import { syevd } from './eigh.js';
import { cpuLinalgTable, type LinalgTable } from './kernels-cpu.js';

export interface LinalgKernels {
  /**
   * LU with partial pivoting, in place: P·A = L·U (L unit lower, U upper) for batch × n × n.
   * piv (batch × n): the row swapped with row k at step k, 0-based. info (batch): the first k
   * with U[k,k] = 0 exactly, or -1; a zero pivot is skipped, so the factorisation completes.
   */
  getrf(a: Float64Array, batch: number, n: number, piv: Int32Array, info: Int32Array): void;
  /** Solves A·X = B (Aᵀ·X = B with trans) from getrf's output, overwriting b (batch × n × nrhs). */
  getrs(lu: Float64Array, piv: Int32Array, b: Float64Array, batch: number, n: number, nrhs: number, trans: boolean): void;
  /**
   * Cholesky A = L·Lᵀ in place (batch × n × n), reading the lower triangle and zeroing the
   * upper. info (batch): -1, or the k whose leading minor of order k+1 is not positive definite.
   */
  potrf(a: Float64Array, batch: number, n: number, info: Int32Array): void;
  /** Solves op(T)·X = B for triangular T (batch × n × n), overwriting b (batch × n × nrhs). */
  trtrs(t: Float64Array, b: Float64Array, batch: number, n: number, nrhs: number, upper: boolean, unit: boolean, trans: boolean): void;
  /**
   * Householder QR in place (batch × m × n): R on and above the diagonal, the reflectors
   * below it; tau: batch × min(m, n).
   */
  geqrf(a: Float64Array, batch: number, m: number, n: number, tau: Float64Array): void;
  /** The first `cols` columns of Q from geqrf's output, into q (batch × m × cols). */
  orgqr(a: Float64Array, tau: Float64Array, batch: number, m: number, n: number, cols: number, q: Float64Array): void;
  /**
   * SVD A = U·diag(s)·Vᵀ (batch × m × n, read only), s descending (batch × min(m, n)); u and vt
   * (complete when `full`, else thin) may be null to get s alone.
   */
  gesvd(a: Float64Array, batch: number, m: number, n: number, s: Float64Array, u: Float64Array | null, vt: Float64Array | null, full: boolean): void;
  /**
   * Symmetric eigendecomposition from the lower triangle (batch × n × n, read only): w
   * ascending (batch × n), v the eigenvectors as columns, or null for values only.
   */
  syevd(a: Float64Array, batch: number, n: number, w: Float64Array, v: Float64Array | null): void;
}

export type LinalgKernelName = keyof LinalgKernels;

// A record over the names, so adding a routine to the interface without listing it here
// (or the reverse) fails to compile.
const NAMES: { [K in LinalgKernelName]: true } = {
  getrf: true, getrs: true, potrf: true, trtrs: true, geqrf: true, orgqr: true, gesvd: true, syevd: true,
};
/** Every routine of the interface, for tests that enumerate them. */
export const LINALG_KERNELS = Object.keys(NAMES) as LinalgKernelName[];

/** The reference routines. */
export const jsLinalgKernels: LinalgKernels = { getrf, getrs, potrf, trtrs, geqrf, orgqr, gesvd, syevd };

const TABLES: { [D in DeviceName]: LinalgTable | null } = {
  js: { kernels: jsLinalgKernels, delegated: [] },
  // Native routines; those the loaded addon lacks (or all, without an addon) delegate to js.
  cpu: cpuLinalgTable(jsLinalgKernels),
  webgpu: null,
};

/**
 * The routines for a device. webgpu throws: its tensors must be read back first.
 * @example linalgKernels('cpu').getrf(a, 1, n, piv, info)
 */
export function linalgKernels(device: DeviceName, op: string): LinalgKernels {
  const t = TABLES[device];
  if (!t) {
    throw new TensileError(op, `decompositions run on 'js' or 'cpu' tensors, got a '${device}' tensor: move it first with \`await t.toAsync('cpu')\``);
  }
  return t.kernels;
}

/** The routines a device runs by calling the js code, listed so tests can print them. */
export function delegatedLinalgKernels(device: DeviceName): readonly LinalgKernelName[] {
  return TABLES[device]?.delegated ?? [];
}
