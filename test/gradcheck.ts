/**
 * Numerical gradient checking, modelled on torch.autograd.gradcheck / gradgradcheck.
 *
 * gradcheck(f, inputs) compares the analytical vector-Jacobian product of f (from tensile's
 * autograd) with central finite differences computed in float64:
 *
 *   loss(x) = sum_k sum(f(x)_k * v_k)      v_k: fixed random normal weights, one per output
 *
 * so every entry of the Jacobian contributes, not only the row sums. The numerical side never
 * uses tensile's reductions: f's outputs are read back with dataSync() and weighted and summed
 * in plain JS. Inputs are perturbed through a fresh contiguous copy of their values (an input
 * that is a transposed, sliced or expanded view is never written to element by element); the
 * analytical side sees the input with its original layout (a detached view), so ops are
 * exercised on non-contiguous data.
 *
 * The analytical gradient is taken twice, through `tn.grad` and through `loss.backward()` into
 * leaf `.grad`s, and both are compared with the numerical one.
 *
 * gradgradcheck(f, inputs) applies gradcheck to x -> d/dx sum(f(x) * v) computed with tn.grad
 * (which records the backward pass when nested), i.e. checks that backward is differentiable
 * and that its derivative is right (a Hessian-vector product check).
 *
 * Only float64 inputs are differentiated; int32/bool inputs (indices, masks) are passed through
 * unchanged. float32 inputs are rejected: finite differences need double precision.
 */
import * as tn from '../lib/index.js';

export type GradFn = (...xs: tn.Tensor[]) => tn.Tensor | tn.Tensor[];

export interface GradcheckOptions {
  /** Finite-difference step (central differences). Default 1e-6. */
  eps?: number;
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance (relative to the numerical value). Default 1e-3. */
  rtol?: number;
  /** Op name used in failure reports. */
  name?: string;
  /** Seed for the random output weights v. Default 1234. */
  seed?: number;
  /** Which inputs to differentiate (default: every float64 input). */
  wrt?: readonly number[];
  /** Throw a GradcheckError on mismatch (default true); otherwise return the result. */
  raiseException?: boolean;
  /** How many mismatching elements to list in the message. Default 20. */
  maxReport?: number;
  /** Which analytical paths to check. Default both. */
  modes?: readonly AnalyticalMode[];
}

/** 'grad': tn.grad(loss, wrt)(...inputs); 'backward': loss.backward() into leaf .grad. */
export type AnalyticalMode = 'grad' | 'backward';

export interface GradMismatch {
  mode: AnalyticalMode;
  /** Index of the input in `inputs`. */
  input: number;
  /** Row-major flat index of the element within that input. */
  index: number;
  /** The element's multi-index. */
  coord: number[];
  analytical: number;
  numerical: number;
}

export interface GradcheckResult {
  ok: boolean;
  name: string;
  mismatches: GradMismatch[];
  /** Other problems (wrong gradient shape, inputs mutated, ...). */
  problems: string[];
  /** Numerical gradient per checked input (row-major), for debugging. */
  numerical: Map<number, Float64Array>;
  /** Analytical gradient per mode and checked input (row-major). */
  analytical: Map<AnalyticalMode, Map<number, Float64Array>>;
}

export class GradcheckError extends Error {
  constructor(message: string, readonly result: GradcheckResult) {
    super(message);
    this.name = 'GradcheckError';
  }
}

const DEFAULTS = { eps: 1e-6, atol: 1e-5, rtol: 1e-3, seed: 1234, maxReport: 20 };

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

function unravel(index: number, shape: readonly number[]): number[] {
  const coord = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    coord[d] = index % shape[d];
    index = Math.floor(index / shape[d]);
  }
  return coord;
}

function asList(y: tn.Tensor | tn.Tensor[]): tn.Tensor[] {
  return Array.isArray(y) ? y : [y];
}

/** Row-major float64 copy of a tensor's values. */
function values(t: tn.Tensor): Float64Array {
  return Float64Array.from(t.dataSync() as ArrayLike<number>);
}

/** A fresh contiguous float64 leaf holding `data` in `shape`. */
function fromValues(data: Float64Array, shape: readonly number[], device?: tn.DeviceName): tn.Tensor {
  return tn.tensor(data, { dtype: 'float64', shape, device });
}

function checkInputs(name: string, inputs: readonly tn.Tensor[], wrtOpt?: readonly number[]): number[] {
  if (!Array.isArray(inputs)) throw new Error(`gradcheck(${name}): inputs must be an array of tensors`);
  inputs.forEach((x, i) => {
    if (!(x instanceof tn.Tensor)) throw new Error(`gradcheck(${name}): input ${i} is not a Tensor`);
    if (x.isDisposed) throw new Error(`gradcheck(${name}): input ${i} is disposed`);
  });
  const wrt = wrtOpt ? [...wrtOpt] : inputs.map((x, i) => (x.dtype === 'float64' ? i : -1)).filter((i) => i >= 0);
  for (const i of wrt) {
    if (i < 0 || i >= inputs.length) throw new Error(`gradcheck(${name}): wrt index ${i} out of range`);
    if (inputs[i].dtype !== 'float64') {
      throw new Error(`gradcheck(${name}): input ${i} has dtype ${inputs[i].dtype}; gradcheck needs float64 inputs`);
    }
  }
  if (inputs.some((x) => x.dtype === 'float32')) {
    throw new Error(`gradcheck(${name}): float32 input given; use float64 inputs for finite differences`);
  }
  if (wrt.length === 0) throw new Error(`gradcheck(${name}): no float64 input to differentiate`);
  return wrt;
}

/** sum_k <y_k, v_k> computed in JS (independent of tensile's reductions). */
function weightedSum(ys: tn.Tensor[], vs: Float64Array[], name: string): number {
  if (ys.length !== vs.length) throw new Error(`gradcheck(${name}): f returned ${ys.length} outputs, expected ${vs.length}`);
  let s = 0;
  ys.forEach((y, k) => {
    const d = y.dataSync();
    const v = vs[k];
    if (d.length !== v.length) throw new Error(`gradcheck(${name}): output ${k} changed size (${d.length} vs ${v.length})`);
    for (let i = 0; i < d.length; i++) s += d[i] * v[i];
  });
  return s;
}

/** The scalar loss sum_k sum(y_k * v_k), built with tensile ops (for the analytical side). */
function lossOf(ys: tn.Tensor[], vts: tn.Tensor[]): tn.Tensor {
  let loss: tn.Tensor | null = null;
  ys.forEach((y, k) => {
    const term = tn.sum(tn.mul(y, vts[k]));
    loss = loss === null ? term : tn.add(loss, term);
  });
  return loss!;
}

/** Random normal weights shaped like f's outputs. */
function makeWeights(f: GradFn, inputs: readonly tn.Tensor[], seed: number, name: string): { shapes: number[][]; vs: Float64Array[] } {
  return tn.tidy(() => {
    const ys = asList(tn.noGrad(() => f(...inputs.map((x) => x.detach()))));
    if (ys.length === 0) throw new Error(`gradcheck(${name}): f returned no outputs`);
    const shapes: number[][] = [];
    const vs: Float64Array[] = [];
    ys.forEach((y, k) => {
      if (!(y instanceof tn.Tensor)) throw new Error(`gradcheck(${name}): output ${k} of f is not a Tensor`);
      if (y.dtype !== 'float64') throw new Error(`gradcheck(${name}): output ${k} has dtype ${y.dtype}, expected float64`);
      shapes.push([...y.shape]);
      vs.push(values(tn.randn(y.shape, { dtype: 'float64', seed: seed + 7919 * k })));
    });
    return { shapes, vs };
  });
}

/** The analytical gradient of the weighted loss w.r.t. inputs[wrt], as row-major arrays. */
function analyticalGrad(
  mode: AnalyticalMode,
  f: GradFn,
  inputs: readonly tn.Tensor[],
  wrt: readonly number[],
  shapes: readonly number[][],
  vs: readonly Float64Array[],
  problems: string[],
): Map<number, Float64Array> {
  return tn.tidy(() => {
    const vts = vs.map((v, k) => fromValues(v, shapes[k], inputs[0]?.device));
    const out = new Map<number, Float64Array>();
    // Detached views keep each input's layout (strides, offset) but cut any outer graph.
    const args = inputs.map((x) => x.detach());
    let grads: (tn.Tensor | null)[];
    if (mode === 'grad') {
      const loss = (...xs: tn.Tensor[]) => lossOf(asList(f(...xs)), vts);
      grads = tn.grad(loss, wrt)(...args);
    } else {
      for (const i of wrt) args[i].requiresGrad_(true);
      const loss = lossOf(asList(f(...args)), vts);
      if (!loss.requiresGrad) grads = wrt.map(() => null);
      else {
        loss.backward();
        grads = wrt.map((i) => args[i].grad);
      }
    }
    wrt.forEach((i, k) => {
      const g = grads[k];
      const x = inputs[i];
      if (g === null || g === undefined) {
        out.set(i, new Float64Array(x.size)); // no path from input to output: zero gradient
        return;
      }
      if (g.shape.length !== x.shape.length || g.shape.some((d, j) => d !== x.shape[j])) {
        problems.push(`[${mode}] gradient for input ${i} has shape ${fmtShape(g.shape)}, input has ${fmtShape(x.shape)}`);
      }
      if (g.dtype !== x.dtype) problems.push(`[${mode}] gradient for input ${i} has dtype ${g.dtype}, input has ${x.dtype}`);
      const gv = values(g);
      if (gv.length !== x.size) {
        out.set(i, new Float64Array(x.size).fill(NaN));
        return;
      }
      out.set(i, gv);
    });
    return out;
  });
}

/** Central differences of the weighted loss, perturbing a fresh contiguous copy of each input. */
function numericalGrad(
  f: GradFn,
  inputs: readonly tn.Tensor[],
  wrt: readonly number[],
  vs: Float64Array[],
  eps: number,
  name: string,
): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  const consts = inputs.map((x) => x.detach());
  for (const i of wrt) {
    const x = inputs[i];
    const base = values(x); // contiguous, row-major copy
    const grad = new Float64Array(base.length);
    const evalAt = (data: Float64Array): number =>
      tn.tidy(() => tn.noGrad(() => {
        const args = consts.slice();
        args[i] = fromValues(data, x.shape, x.device);
        return weightedSum(asList(f(...args)), vs, name);
      }));
    const work = Float64Array.from(base);
    for (let j = 0; j < base.length; j++) {
      work[j] = base[j] + eps;
      const lp = evalAt(work);
      work[j] = base[j] - eps;
      const lm = evalAt(work);
      work[j] = base[j];
      grad[j] = (lp - lm) / (2 * eps);
    }
    out.set(i, grad);
  }
  return out;
}

function close(a: number, n: number, atol: number, rtol: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(n)) return false;
  return Math.abs(a - n) <= atol + rtol * Math.abs(n);
}

function fmtNum(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(8) : String(x);
}

function report(res: GradcheckResult, inputs: readonly tn.Tensor[], o: typeof DEFAULTS & { atol: number; rtol: number; eps: number }): string {
  const lines = [`gradcheck failed for '${res.name}' (eps=${o.eps}, atol=${o.atol}, rtol=${o.rtol})`];
  for (const p of res.problems) lines.push(`  ${p}`);
  if (res.mismatches.length) {
    const byKey = new Map<string, number>();
    for (const m of res.mismatches) byKey.set(`${m.mode}/${m.input}`, (byKey.get(`${m.mode}/${m.input}`) ?? 0) + 1);
    for (const [key, n] of byKey) {
      const [mode, input] = key.split('/');
      const x = inputs[Number(input)];
      lines.push(`  [${mode}] input ${input} (shape ${fmtShape(x.shape)}): ${n} of ${x.size} elements differ`);
    }
    for (const m of res.mismatches.slice(0, o.maxReport)) {
      lines.push(
        `    op '${res.name}' [${m.mode}] input ${m.input} element ${m.index} ${fmtShape(m.coord)}: ` +
          `analytical ${fmtNum(m.analytical)}, numerical ${fmtNum(m.numerical)} (diff ${fmtNum(m.analytical - m.numerical)})`,
      );
    }
    if (res.mismatches.length > o.maxReport) lines.push(`    ... and ${res.mismatches.length - o.maxReport} more`);
  }
  return lines.join('\n');
}

/**
 * Checks f's analytical gradients against central finite differences. Returns true (or the
 * result with raiseException: false); throws a GradcheckError listing the op, input index,
 * element index and both values of every mismatch otherwise.
 * @example gradcheck((a, b) => tn.mul(a, b), [tn.randn([3, 1], { dtype: 'float64', seed: 1 }), tn.randn([4], { dtype: 'float64', seed: 2 })])
 */
export function gradcheck(f: GradFn, inputs: readonly tn.Tensor[], opts: GradcheckOptions & { raiseException: false }): GradcheckResult;
export function gradcheck(f: GradFn, inputs: readonly tn.Tensor[], opts?: GradcheckOptions): boolean;
export function gradcheck(f: GradFn, inputs: readonly tn.Tensor[], opts: GradcheckOptions = {}): boolean | GradcheckResult {
  const name = opts.name ?? (f.name || 'f');
  const o = { ...DEFAULTS, ...stripUndefined(opts) } as typeof DEFAULTS;
  const wrt = checkInputs(name, inputs, opts.wrt);
  const modes = opts.modes ?? (['grad', 'backward'] as const);
  const before = inputs.map((x) => values(x));

  const { shapes, vs } = makeWeights(f, inputs, o.seed, name);
  const res: GradcheckResult = { ok: true, name, mismatches: [], problems: [], numerical: new Map(), analytical: new Map() };

  for (const mode of modes) {
    try {
      res.analytical.set(mode, analyticalGrad(mode, f, inputs, wrt, shapes, vs, res.problems));
    } catch (e) {
      res.problems.push(`[${mode}] the analytical gradient threw: ${(e as Error).stack ?? String(e)}`);
    }
  }
  res.numerical = numericalGrad(f, inputs, wrt, vs, o.eps, name);

  inputs.forEach((x, i) => {
    const now = values(x);
    if (now.some((v, j) => !Object.is(v, before[i][j]))) res.problems.push(`input ${i} was modified by f or its backward`);
  });

  for (const [mode, an] of res.analytical) {
    for (const i of wrt) {
      const a = an.get(i)!, n = res.numerical.get(i)!;
      for (let j = 0; j < n.length; j++) {
        if (!close(a[j], n[j], o.atol, o.rtol)) {
          res.mismatches.push({ mode, input: i, index: j, coord: unravel(j, inputs[i].shape), analytical: a[j], numerical: n[j] });
        }
      }
    }
  }
  res.ok = res.mismatches.length === 0 && res.problems.length === 0;
  if (!res.ok && opts.raiseException !== false) throw new GradcheckError(report(res, inputs, o as never), res);
  return opts.raiseException === false ? res : res.ok;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The function x -> d/dx sum_k sum(f(x)_k * v_k) (one gradient per differentiated input),
 * computed with tn.grad. Called on tensors that already require grad (as gradcheck's
 * analytical pass does), tn.grad records its backward pass (createGraph), so it can be
 * differentiated again.
 */
export function gradientFunction(f: GradFn, inputs: readonly tn.Tensor[], opts: GradcheckOptions = {}): GradFn {
  const name = opts.name ?? (f.name || 'f');
  const o = { ...DEFAULTS, ...stripUndefined(opts) } as typeof DEFAULTS;
  const wrt = checkInputs(name, inputs, opts.wrt);
  const { shapes, vs } = makeWeights(f, inputs, o.seed, name);
  return (...xs: tn.Tensor[]) => {
    const vts = vs.map((v, k) => fromValues(v, shapes[k], xs[0]?.device));
    return tn.grad((...ys: tn.Tensor[]) => lossOf(asList(f(...ys)), vts), wrt)(...xs);
  };
}

/**
 * Second-derivative check: gradcheck applied to x -> grad_x sum(f(x) * v), where that gradient
 * is computed by tensile's autograd with a recorded backward (tn.grad nested). Fails when a
 * backward is not itself differentiable or its derivative is wrong.
 */
export function gradgradcheck(f: GradFn, inputs: readonly tn.Tensor[], opts: GradcheckOptions = {}): boolean {
  const name = opts.name ?? (f.name || 'f');
  const g = gradientFunction(f, inputs, { ...opts, name });
  return gradcheck(g, inputs, { ...opts, name: `grad of ${name}`, seed: (opts.seed ?? DEFAULTS.seed) + 1, raiseException: true });
}
