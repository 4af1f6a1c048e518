/**
 * The cpu row of the tn.linalg kernel table: the native addon's routines (native/src/linalg:
 * blocked LU, Cholesky and Householder QR on the GEMM; SVD by bidiagonalisation and dbdsqr;
 * eigh by tridiagonalisation and QL), exported under the LinalgKernels names with the js
 * reference's contracts. Errors the addon throws on bad sizes ("getrf: why") become
 * TensileErrors naming the routine, as the cpu backend's kernels do.
 *
 * A routine this addon build lacks (an addon built before it existed) runs the js code and is
 * listed as delegated, so the delegation is explicit and printed, never silent.
 */
import { loadAddon } from '../backends/cpu/addon.js';
import { TensileError } from '../errors.js';
import type { LinalgKernelName, LinalgKernels } from './kernels.js';

export interface LinalgTable { readonly kernels: LinalgKernels; readonly delegated: readonly LinalgKernelName[] }

/** Runs an addon call, turning its plain Error into a TensileError naming the routine. */
function call(name: LinalgKernelName, f: () => void): void {
  try {
    f();
  } catch (e) {
    // Not `instanceof Error`: the addon's errors may come from another realm (jest's vm).
    const msg = typeof (e as { message?: unknown })?.message === 'string' ? (e as Error).message : String(e);
    const m = /^(\w+): (.*)$/s.exec(msg);
    throw new TensileError(name, m && m[1] === name ? m[2] : msg);
  }
}

// The addon exports each routine under its LinalgKernels name and signature.
function nativeKernels(a: LinalgKernels): LinalgKernels {
  return {
    getrf: (x, batch, n, piv, info) => call('getrf', () => a.getrf(x, batch, n, piv, info)),
    getrs: (lu, piv, b, batch, n, nrhs, trans) => call('getrs', () => a.getrs(lu, piv, b, batch, n, nrhs, trans)),
    potrf: (x, batch, n, info) => call('potrf', () => a.potrf(x, batch, n, info)),
    trtrs: (t, b, batch, n, nrhs, upper, unit, trans) => call('trtrs', () => a.trtrs(t, b, batch, n, nrhs, upper, unit, trans)),
    geqrf: (x, batch, m, n, tau) => call('geqrf', () => a.geqrf(x, batch, m, n, tau)),
    orgqr: (x, tau, batch, m, n, cols, q) => call('orgqr', () => a.orgqr(x, tau, batch, m, n, cols, q)),
    gesvd: (x, batch, m, n, s, u, vt, full) => call('gesvd', () => a.gesvd(x, batch, m, n, s, u, vt, full)),
    syevd: (x, batch, n, w, v) => call('syevd', () => a.syevd(x, batch, n, w, v)),
  };
}

/**
 * The cpu table: native routines where the addon has them, the given js ones (listed as
 * delegated) where it does not or when there is no addon at all.
 * @example const { kernels, delegated } = cpuLinalgTable(jsLinalgKernels)
 */
export function cpuLinalgTable(js: LinalgKernels): LinalgTable {
  const load = loadAddon();
  const names = Object.keys(js) as LinalgKernelName[];
  if (!load.addon) return { kernels: { ...js }, delegated: names };
  const addon = load.addon;
  const native = nativeKernels(addon as unknown as LinalgKernels);
  const kernels: LinalgKernels = { ...js };
  const delegated: LinalgKernelName[] = [];
  for (const name of names) {
    if (typeof (addon as unknown as Record<string, unknown>)[name] === 'function') Object.assign(kernels, { [name]: native[name] });
    else delegated.push(name);
  }
  return { kernels, delegated };
}
