/**
 * L-BFGS on Float64Arrays, following the iteration of scipy's L-BFGS-B (Byrd, Lu, Nocedal, Zhu
 * 1995; lbfgsb.f 3.0) for problems without bounds, so that scikit-learn's LogisticRegression
 * (which calls scipy.optimize.minimize(method='L-BFGS-B')) can be reproduced iterate by iterate:
 * the first step is -g scaled to unit length, later steps start at 1 along -H·g (H the two-loop
 * inverse of the compact L-BFGS matrix, H0 = sᵀy/yᵀy), the line search is MINPACK-2's
 * dcsrch (Moré and Thuente 1994) with ftol 1e-3, gtol 0.9, xtol 0.1, pairs with
 * sᵀy <= eps·(-gᵀs) are skipped, and a failed line search restarts from steepest descent.
 */
import { TensileError } from '../errors.js';

/** The objective: returns [f(x), ∇f(x)]. It must not keep or modify x. */
export type LbfgsObjective = (x: Float64Array) => [number, Float64Array | ArrayLike<number>];

export interface LbfgsOptions {
  /** Most iterations (default 15000, as scipy). */
  maxIter?: number;
  /** Stop when max |g_i| <= tol (scipy's gtol, default 1e-5). */
  tol?: number;
  /** Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol (default 2.22e-9, scipy's factr 1e7). */
  ftol?: number;
  /** Correction pairs kept (scipy's maxcor, default 10). */
  m?: number;
  /** Most function evaluations in one line search (default 20). */
  maxLs?: number;
  /** Most function evaluations in all (default 15000). */
  maxFun?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  /** f(x) and ∇f(x) at the returned point. */
  f: number;
  grad: Float64Array;
  nIter: number;
  nFev: number;
  /** True when a convergence test (gradient or relative reduction) stopped the run. */
  converged: boolean;
  /** scipy's task string, e.g. 'CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL'. */
  message: string;
}

const EPSMCH = 2.220446049250313e-16;
const STPMAX = 1e10;

/** State of the Moré–Thuente search between function evaluations (dcsrch's isave/dsave). */
interface SearchState {
  brackt: boolean; stage: 1 | 2;
  finit: number; ginit: number; gtest: number;
  stx: number; fx: number; gx: number;
  sty: number; fy: number; gy: number;
  stmin: number; stmax: number; width: number; width1: number;
}

type SearchTask = 'FG' | 'CONVERGENCE' | 'WARNING' | 'ERROR';

const FTOL = 1e-3, GTOL = 0.9, XTOL = 0.1;

/**
 * One call of dcsrch: given f and g (= f'(stp)) at stp, returns the next step to evaluate
 * ('FG') or says the search is done. Start with `state = null`.
 */
function searchStep(f: number, g: number, stp: number, stpmin: number, stpmax: number, s: SearchState | null): { task: SearchTask; stp: number; state: SearchState } {
  if (s === null) {
    if (stp < stpmin || stp > stpmax || g >= 0) return { task: 'ERROR', stp, state: null as unknown as SearchState };
    const width = stpmax - stpmin;
    const st: SearchState = {
      brackt: false, stage: 1, finit: f, ginit: g, gtest: FTOL * g,
      stx: 0, fx: f, gx: g, sty: 0, fy: f, gy: g,
      stmin: 0, stmax: stp + 4 * stp, width, width1: width / 0.5,
    };
    return { task: 'FG', stp, state: st };
  }
  const ftest = s.finit + stp * s.gtest;
  if (s.stage === 1 && f <= ftest && g >= 0) s.stage = 2;
  let task: SearchTask | null = null;
  if (s.brackt && (stp <= s.stmin || stp >= s.stmax)) task = 'WARNING';          // rounding errors
  if (s.brackt && s.stmax - s.stmin <= XTOL * s.stmax) task = 'WARNING';         // xtol test
  if (stp === stpmax && f <= ftest && g <= s.gtest) task = 'WARNING';            // stp = stpmax
  if (stp === stpmin && (f > ftest || g >= s.gtest)) task = 'WARNING';           // stp = stpmin
  if (f <= ftest && Math.abs(g) <= GTOL * -s.ginit) task = 'CONVERGENCE';
  if (task) return { task, stp, state: s };

  // In stage 1, a lower but not sufficiently lower f: step on the modified function ψ.
  if (s.stage === 1 && f <= s.fx && f > ftest) {
    const gt = s.gtest;
    const r = safeguardedStep(s.stx, s.fx - s.stx * gt, s.gx - gt, s.sty, s.fy - s.sty * gt, s.gy - gt, stp, f - stp * gt, g - gt, s.brackt, s.stmin, s.stmax);
    s.stx = r.stx; s.sty = r.sty; s.brackt = r.brackt; stp = r.stp;
    s.fx = r.fx + s.stx * gt; s.fy = r.fy + s.sty * gt; s.gx = r.dx + gt; s.gy = r.dy + gt;
  } else {
    const r = safeguardedStep(s.stx, s.fx, s.gx, s.sty, s.fy, s.gy, stp, f, g, s.brackt, s.stmin, s.stmax);
    s.stx = r.stx; s.fx = r.fx; s.gx = r.dx; s.sty = r.sty; s.fy = r.fy; s.gy = r.dy; s.brackt = r.brackt; stp = r.stp;
  }
  if (s.brackt) {
    if (Math.abs(s.sty - s.stx) >= 0.66 * s.width1) stp = s.stx + 0.5 * (s.sty - s.stx);   // bisect
    s.width1 = s.width;
    s.width = Math.abs(s.sty - s.stx);
    s.stmin = Math.min(s.stx, s.sty);
    s.stmax = Math.max(s.stx, s.sty);
  } else {
    s.stmin = stp + 1.1 * (stp - s.stx);
    s.stmax = stp + 4 * (stp - s.stx);
  }
  stp = Math.min(Math.max(stp, stpmin), stpmax);
  if ((s.brackt && (stp <= s.stmin || stp >= s.stmax)) || (s.brackt && s.stmax - s.stmin <= XTOL * s.stmax)) stp = s.stx;
  return { task: 'FG', stp, state: s };
}

/**
 * dcstep: a safeguarded cubic/quadratic/secant step that keeps [stx, sty] around a point
 * satisfying the Wolfe conditions (the four cases of Moré and Thuente, section 4).
 */
function safeguardedStep(stx: number, fx: number, dx: number, sty: number, fy: number, dy: number,
  stp: number, fp: number, dp: number, brackt: boolean, stpmin: number, stpmax: number) {
  const sgnd = dp * (dx / Math.abs(dx));
  let stpf: number;
  if (fp > fx) {
    // Higher f: the minimum is bracketed; cubic step if closer to stx, else cubic/quadratic mean.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta, q = gamma - dx + gamma + dp;
    const stpc = stx + (p / q) * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    brackt = true;
  } else if (sgnd < 0) {
    // Lower f, derivatives of opposite sign: bracketed; the cubic step if farther, else secant.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dx / s) * (dp / s));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta, q = gamma - dp + gamma + dx;
    const stpc = stp + (p / q) * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    // Lower f, same sign, |derivative| decreasing: the cubic step only if it tends to infinity
    // in the step's direction or its minimum lies beyond stp.
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (dx / s) * (dp / s)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta, q = gamma + (dx - dp) + gamma;
    const r = p / q;
    const stpc = r < 0 && gamma !== 0 ? stp + r * (stx - stp) : stp > stx ? stpmax : stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.max(stpmin, Math.min(stpmax, stpf));
    }
  } else if (brackt) {
    // Lower f, same sign, |derivative| not decreasing, bracketed: cubic step toward sty.
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const s = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = s * Math.sqrt((theta / s) ** 2 - (dy / s) * (dp / s));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta, q = gamma - dp + gamma + dy;
    stpf = stp + (p / q) * (sty - stp);
  } else {
    stpf = stp > stx ? stpmax : stpmin;
  }
  if (fp > fx) {
    sty = stp; fy = fp; dy = dp;
  } else {
    if (sgnd < 0) { sty = stx; fy = fx; dy = dx; }
    stx = stp; fx = fp; dx = dp;
  }
  return { stx, fx, dx, sty, fy, dy, stp: stpf, brackt };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function intOption(name: string, v: unknown, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TensileError('lbfgs', `option '${name}' must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

function numOption(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new TensileError('lbfgs', `option '${name}' must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/**
 * Minimizes a smooth function with L-BFGS, as scipy.optimize.minimize(method='L-BFGS-B')
 * without bounds.
 * @example
 * const rosen = (x: Float64Array): [number, Float64Array] => [
 *   100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
 *   Float64Array.of(-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)),
 * ];
 * tn.optim.lbfgs(rosen, Float64Array.of(-1.2, 1)).x   // ≈ [1, 1]
 */
export function lbfgs(fun: LbfgsObjective, x0: ArrayLike<number>, opts: LbfgsOptions = {}): LbfgsResult {
  if (typeof fun !== 'function') throw new TensileError('lbfgs', `argument 'fun' must be a function returning [value, gradient]`);
  const maxIter = intOption('maxIter', opts.maxIter, 15000, 1);
  const m = intOption('m', opts.m, 10, 1);
  const maxLs = intOption('maxLs', opts.maxLs, 20, 1);
  const maxFun = intOption('maxFun', opts.maxFun, 15000, 1);
  const pgtol = numOption('tol', opts.tol, 1e-5);
  const ftol = numOption('ftol', opts.ftol, 2.220446049250313e-9);
  const n = x0.length;
  if (n === 0) throw new TensileError('lbfgs', `argument 'x0' is empty`);

  let nFev = 0;
  const evaluate = (at: Float64Array): [number, Float64Array] => {
    nFev++;
    const out = fun(at);
    if (!Array.isArray(out) || out.length !== 2) throw new TensileError('lbfgs', `'fun' must return [value, gradient]`);
    const [v, gr] = out;
    if (typeof v !== 'number' || gr.length !== n) throw new TensileError('lbfgs', `'fun' must return a number and a gradient of length ${n}, got ${typeof v} and ${gr.length}`);
    return [v, Float64Array.from(gr)];
  };

  let x = Float64Array.from(x0);
  if (x.some((v) => !Number.isFinite(v))) throw new TensileError('lbfgs', `argument 'x0' contains a non-finite value`);
  let [f, g] = evaluate(x);
  if (!Number.isFinite(f) || g.some((v) => !Number.isFinite(v))) throw new TensileError('lbfgs', `'fun' is not finite at x0 (f = ${f})`);
  const done = (message: string, converged: boolean, iter: number): LbfgsResult => ({ x, f, grad: g, nIter: iter, nFev, converged, message });
  if (maxAbs(g) <= pgtol) return done('CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL', true, 0);

  // The correction pairs, a ring buffer: S[k] = x_{k+1} − x_k, Y[k] = g_{k+1} − g_k.
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m), alpha = new Float64Array(m);
  let col = 0, head = 0, theta = 1, iter = 0;
  const d = new Float64Array(n), z = new Float64Array(n);
  const t = new Float64Array(n), r = new Float64Array(n);

  for (;;) {
    // The search direction d = z − x, z the minimizer of the quadratic model (the generalized
    // Cauchy point −g/θ while the memory is empty), formed as L-BFGS-B does so rounding matches.
    if (col === 0) {
      for (let i = 0; i < n; i++) z[i] = x[i] + -g[i] / theta;
    } else {
      for (let i = 0; i < n; i++) d[i] = -g[i];
      for (let k = col - 1; k >= 0; k--) {
        const j = (head + k) % m;
        alpha[j] = rho[j] * dot(S[j], d);
        const yj = Y[j];
        for (let i = 0; i < n; i++) d[i] -= alpha[j] * yj[i];
      }
      const h0 = 1 / theta;
      for (let i = 0; i < n; i++) d[i] *= h0;
      for (let k = 0; k < col; k++) {
        const j = (head + k) % m;
        const beta = rho[j] * dot(Y[j], d);
        const sj = S[j];
        for (let i = 0; i < n; i++) d[i] += (alpha[j] - beta) * sj[i];
      }
      for (let i = 0; i < n; i++) z[i] = x[i] + d[i];
    }
    for (let i = 0; i < n; i++) d[i] = z[i] - x[i];

    // Line search (lnsrlb): from stp = 1/|d| on the first iteration, 1 afterwards.
    const dnorm = Math.sqrt(dot(d, d));
    let stp = iter === 0 ? Math.min(1 / dnorm, STPMAX) : 1;
    t.set(x); r.set(g);
    const fold = f;
    let gd = dot(g, d);
    const gdold = gd;
    let ifun = 0, failed = gd >= 0 || !Number.isFinite(gd);
    let state: SearchState | null = null;
    while (!failed) {
      const step = searchStep(f, gd, stp, 0, STPMAX, state);
      state = step.state; stp = step.stp;
      if (step.task === 'CONVERGENCE' || step.task === 'WARNING') break;
      if (step.task === 'ERROR') { failed = true; break; }
      ifun++;
      if (ifun - 1 >= maxLs) { failed = true; break; }
      const xn = new Float64Array(n);
      if (stp === 1) xn.set(z);
      else for (let i = 0; i < n; i++) xn[i] = stp * d[i] + t[i];
      const [fn, gn] = evaluate(xn);
      x = xn; f = fn; g = gn;
      gd = dot(g, d);
    }
    if (failed) {
      x = Float64Array.from(t); g = Float64Array.from(r); f = fold;
      if (col === 0) return done('ABNORMAL_TERMINATION_IN_LNSRCH', false, iter + 1);
      col = 0; head = 0; theta = 1;       // refresh the memory and restart from steepest descent
      continue;
    }

    iter++;
    if (iter >= maxIter) return done('STOP: TOTAL NO. of ITERATIONS REACHED LIMIT', false, iter);
    if (nFev > maxFun) return done('STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT', false, iter);
    if (maxAbs(g) <= pgtol) return done('CONVERGENCE: NORM_OF_PROJECTED_GRADIENT_<=_PGTOL', true, iter);
    if (fold - f <= ftol * Math.max(Math.abs(fold), Math.abs(f), 1)) return done('CONVERGENCE: REL_REDUCTION_OF_F_<=_FACTR*EPSMCH', true, iter);

    // The new pair s = stp·d, y = g − g_old; skipped unless the curvature sᵀy is safely positive.
    let rr = 0, dr: number, ddum: number;
    for (let i = 0; i < n; i++) { r[i] = g[i] - r[i]; rr += r[i] * r[i]; }
    if (stp === 1) { dr = gd - gdold; ddum = -gdold; } else { dr = (gd - gdold) * stp; for (let i = 0; i < n; i++) d[i] *= stp; ddum = -gdold * stp; }
    if (dr <= EPSMCH * ddum) continue;
    const slot = col < m ? (head + col) % m : head;
    if (col < m) col++; else head = (head + 1) % m;
    S[slot].set(d); Y[slot].set(r);
    rho[slot] = 1 / dr;
    theta = rr / dr;
  }
}
