/**
 * Learning-rate schedulers, as torch.optim.lr_scheduler (torch 1.13): each sets `lr` of every
 * parameter group of one optimizer when `step()` is called, once per epoch (or per batch) after
 * `opt.step()`. Construction counts as step 0, as in PyTorch. StepLR, ExponentialLR and
 * CosineAnnealingLR use PyTorch's chainable (recursive) forms, so they compose with changes
 * other code makes to `lr`, and give the same numbers as PyTorch.
 */
import { Tensor } from '../tensor.js';
import { TensileError } from '../errors.js';
import { type BaseHyperParams, Optimizer } from './optimizer.js';

/** Any optimizer: schedulers only read and set each group's `lr`. */
type AnyOptimizer = Optimizer<BaseHyperParams>;

function checkOptimizer(name: string, optimizer: unknown): AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) throw new TensileError(name, `argument 'optimizer' must be a tn.optim optimizer, got ${optimizer === null ? 'null' : typeof optimizer}`);
  return optimizer as AnyOptimizer;
}

function checkNumber(name: string, arg: string, v: unknown, ok: (x: number) => boolean, want: string): number {
  if (typeof v !== 'number' || !ok(v)) throw new TensileError(name, `argument '${arg}' must be ${want}, got ${String(v)}`);
  return v;
}
const positiveInt = (x: number) => Number.isInteger(x) && x > 0;
const nonNegative = (x: number) => Number.isFinite(x) && x >= 0;

/** The base of the epoch-driven schedulers: `step()` advances `lastEpoch` and sets each group's lr. */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** Each group's starting lr (`initialLr`, recorded by the first scheduler attached). */
  readonly baseLrs: number[];
  /** The number of `step()` calls since construction (0 right after it). */
  lastEpoch = -1;
  private lastLr: number[] = [];

  protected constructor(readonly name: string, optimizer: AnyOptimizer) {
    this.optimizer = checkOptimizer(name, optimizer);
    for (const g of this.optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** Each subclass calls this at the end of its constructor: PyTorch's initial step (epoch 0). */
  protected start(): void {
    this.step();
  }

  /** Advances one epoch and sets the learning rate of every parameter group. */
  step(): void {
    this.lastEpoch += 1;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate of each parameter group as the last `step()` set it. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The groups' current lrs (what chainable forms start from). */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of every group for epoch `lastEpoch`. */
  protected abstract computeLr(): number[];
}

/**
 * Multiplies the lr by `gamma` every `stepSize` epochs (torch.optim.lr_scheduler.StepLR).
 * @example const sched = new tn.optim.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, opts: { stepSize: number; gamma?: number }) {
    super('StepLR', optimizer);
    this.stepSize = checkNumber(this.name, 'stepSize', opts?.stepSize, positiveInt, 'a whole number > 0');
    this.gamma = checkNumber(this.name, 'gamma', opts.gamma ?? 0.1, nonNegative, 'a finite number >= 0');
    this.start();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Multiplies the lr by `gamma` every epoch (torch.optim.lr_scheduler.ExponentialLR).
 * @example const sched = new tn.optim.ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, opts: { gamma: number }) {
    super('ExponentialLR', optimizer);
    this.gamma = checkNumber(this.name, 'gamma', opts?.gamma, nonNegative, 'a finite number >= 0');
    this.start();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing from the base lr to `etaMin` over `tMax` epochs (SGDR without restarts;
 * torch.optim.lr_scheduler.CosineAnnealingLR): lr = etaMin + (base − etaMin)(1 + cos(π·t/tMax))/2.
 * Past tMax the cosine continues, rising back to the base lr at 2·tMax, as PyTorch's does.
 * @example const sched = new tn.optim.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, opts: { tMax: number; etaMin?: number }) {
    super('CosineAnnealingLR', optimizer);
    this.tMax = checkNumber(this.name, 'tMax', opts?.tMax, positiveInt, 'a whole number > 0');
    this.etaMin = checkNumber(this.name, 'etaMin', opts.etaMin ?? 0, nonNegative, 'a finite number >= 0');
    this.start();
  }

  // PyTorch's recursive form, term for term, so the numbers agree to the last bit.
  protected computeLr(): number[] {
    const e = this.lastEpoch, T = this.tMax, eta = this.etaMin;
    const lrs = this.currentLrs();
    if (e === 0) return lrs;
    if ((e - 1 - T) % (2 * T) === 0) return lrs.map((lr, i) => lr + ((this.baseLrs[i] - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - eta) + eta);
  }
}

export interface LinearWarmupOptions {
  /** Epochs (or steps) of warmup; the lr reaches the base lr at step `warmupSteps`. */
  warmupSteps: number;
  /** The lr at step 0 as a fraction of the base lr (default 0). */
  startFactor?: number;
  /**
   * A schedule to follow after the warmup, made on the same optimizer just before this one and
   * never stepped by the caller: LinearWarmup steps it, so its epoch 0 is the warmup's last step.
   */
  after?: LRScheduler;
}

/**
 * Linear warmup: lr = base · (startFactor + (1 − startFactor) · t / warmupSteps) for
 * t < warmupSteps, then the base lr, which later steps leave alone (other code, such as
 * ReduceLROnPlateau, may change it) — or, with `after`, the wrapped schedule, started from the
 * base lr at t = warmupSteps. Without `after` it equals PyTorch's
 * LambdaLR(t => startFactor + (1 − startFactor)·min(t, warmupSteps)/warmupSteps).
 * @example
 * const cosine = new tn.optim.CosineAnnealingLR(opt, { tMax: 95 });
 * const sched = new tn.optim.LinearWarmup(opt, { warmupSteps: 5, after: cosine });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 */
export class LinearWarmup extends LRScheduler {
  readonly warmupSteps: number;
  readonly startFactor: number;
  readonly after: LRScheduler | null;
  constructor(optimizer: AnyOptimizer, opts: LinearWarmupOptions) {
    super('LinearWarmup', optimizer);
    this.warmupSteps = checkNumber(this.name, 'warmupSteps', opts?.warmupSteps, positiveInt, 'a whole number > 0');
    this.startFactor = checkNumber(this.name, 'startFactor', opts.startFactor ?? 0, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
    const after = opts.after ?? null;
    if (after !== null) {
      if (!(after instanceof LRScheduler)) throw new TensileError(this.name, "argument 'after' must be an epoch scheduler (StepLR, ExponentialLR, CosineAnnealingLR, ...)");
      if (after.optimizer !== this.optimizer) throw new TensileError(this.name, "argument 'after' schedules a different optimizer");
      if (after.lastEpoch !== 0) throw new TensileError(this.name, `argument 'after' has already been stepped (lastEpoch ${after.lastEpoch}); LinearWarmup steps it`);
    }
    this.after = after;
    this.start();
  }

  protected computeLr(): number[] {
    const e = this.lastEpoch, W = this.warmupSteps;
    if (e < W) return this.baseLrs.map((b) => b * (this.startFactor + ((1 - this.startFactor) * e) / W));
    if (e === W) return this.after ? [...this.after.baseLrs] : [...this.baseLrs];
    if (this.after) {
      this.after.step();
      return this.after.getLastLr();
    }
    return this.currentLrs();
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': reduce when the metric stops falling; 'max': when it stops rising (default 'min'). */
  mode?: 'min' | 'max';
  /** The lr is multiplied by this on a plateau (default 0.1; must be < 1). */
  factor?: number;
  /** Epochs without improvement before the lr is reduced (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** A floor for the lr, one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces the lr by `factor` when a metric has stopped improving for `patience` epochs
 * (torch.optim.lr_scheduler.ReduceLROnPlateau). `step(metric)` takes the epoch's metric.
 * @example const sched = new tn.optim.ReduceLROnPlateau(opt, { patience: 5 }); sched.step(valLoss);
 */
export class ReduceLROnPlateau {
  readonly name = 'ReduceLROnPlateau';
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** The best metric so far. */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    const n = this.name;
    this.optimizer = checkOptimizer(n, optimizer);
    const mode = opts.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') throw new TensileError(n, `argument 'mode' must be 'min' or 'max', got ${String(mode)}`);
    const thresholdMode = opts.thresholdMode ?? 'rel';
    if (thresholdMode !== 'rel' && thresholdMode !== 'abs') throw new TensileError(n, `argument 'thresholdMode' must be 'rel' or 'abs', got ${String(thresholdMode)}`);
    this.mode = mode;
    this.thresholdMode = thresholdMode;
    this.factor = checkNumber(n, 'factor', opts.factor ?? 0.1, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
    this.patience = checkNumber(n, 'patience', opts.patience ?? 10, (x) => Number.isInteger(x) && x >= 0, 'a whole number >= 0');
    this.threshold = checkNumber(n, 'threshold', opts.threshold ?? 1e-4, nonNegative, 'a finite number >= 0');
    this.cooldown = checkNumber(n, 'cooldown', opts.cooldown ?? 0, (x) => Number.isInteger(x) && x >= 0, 'a whole number >= 0');
    this.eps = checkNumber(n, 'eps', opts.eps ?? 1e-8, nonNegative, 'a finite number >= 0');
    const groups = this.optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== groups) throw new TensileError(n, `argument 'minLr' has ${minLr.length} values but the optimizer has ${groups} param groups`);
    this.minLrs = (Array.isArray(minLr) ? minLr : new Array<number>(groups).fill(minLr)).map((v, i) =>
      checkNumber(n, Array.isArray(minLr) ? `minLr[${i}]` : 'minLr', v, nonNegative, 'a finite number >= 0'));
    this.best = mode === 'min' ? Infinity : -Infinity;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Records one epoch's metric (a number or a one-element tensor) and reduces the lr of every
   * group after more than `patience` epochs without improvement.
   */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? Number(metric.itemSync()) : metric;
    if (typeof current !== 'number') throw new TensileError(`${this.name}.step`, `argument 'metric' must be a number or a one-element Tensor, got ${typeof metric}`);
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const lr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - lr > this.eps) g.lr = lr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate of each parameter group after the last `step()`. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  private isBetter(a: number): boolean {
    const t = this.threshold, best = this.best;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }
}
