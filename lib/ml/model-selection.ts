/**
 * Splitting data as sklearn.model_selection does: trainTestSplit (with scikit-learn's
 * stratified allocation), KFold and StratifiedKFold (the same folds as scikit-learn when not
 * shuffled), crossValScore; and the seeded host random stream the stochastic estimators use.
 * Shuffles draw from Philox (seed given) or from the global generator (tn.manualSeed), so
 * they repeat exactly but are not scikit-learn's numpy draws.
 */
import { TensileError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { rand, tensor } from '../ops/creation.js';
import { indexSelect } from '../ops/indexing.js';
import { philox4x32 } from '../backends/js/philox.js';
import { type Label, type LabelsLike, type MatrixLike, encodeLabels, toLabels, toMatrix } from './base.js';

/** A seeded stream of uniform doubles and integers on the host (Philox4x32-10, counter mode). */
export class HostRandom {
  private readonly k0: number;
  private readonly k1: number;
  private counter = 0;
  private readonly words = new Uint32Array(4);
  private pos = 4;

  constructor(seed: number) {
    this.k0 = seed >>> 0;
    this.k1 = Math.floor(seed / 4294967296) >>> 0;
  }

  /** From an optional user seed (validated), else a seed drawn from the global generator. */
  static from(op: string, seed: unknown): HostRandom {
    if (seed === undefined || seed === null) {
      const t = rand([2], { device: 'js', dtype: 'float64' });
      const u = t.dataSync();
      t.dispose();
      return new HostRandom(Math.floor(u[0] * 4294967296) + Math.floor(u[1] * 2097152) * 4294967296);
    }
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) throw new TensileError(op, `option 'seed' must be a non-negative integer, got ${String(seed)}`);
    return new HostRandom(seed);
  }

  nextUint32(): number {
    if (this.pos === 4) {
      philox4x32(this.counter >>> 0, Math.floor(this.counter / 4294967296) >>> 0, 0, 0, this.k0, this.k1, this.words);
      this.counter++;
      this.pos = 0;
    }
    return this.words[this.pos++];
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { [i: number]: number; length: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i]; a[i] = a[j]; a[j] = tmp;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rowsOf(op: string, X: unknown, arg: string): number {
  if (X instanceof Tensor) {
    if (X.rank === 0) throw new TensileError(op, `argument '${arg}' must have at least one dimension`);
    return X.shape[0];
  }
  if (Array.isArray(X)) return X.length;
  throw new TensileError(op, `argument '${arg}' must be a Tensor or an array`);
}

/** The rows `idx` of a tensor (a gather on its device) or of an array. */
function takeRows<T extends Tensor | readonly unknown[]>(x: T, idx: Int32Array): T {
  if (x instanceof Tensor) {
    const index = tensor(idx, { device: x.device });
    try {
      return indexSelect(x, 0, index) as T;
    } finally {
      index.dispose();
    }
  }
  return Array.from(idx, (i) => (x as readonly unknown[])[i]) as unknown as T;
}

/**
 * scikit-learn's _approximate_mode: how many of `draws` each class gets, proportional to its
 * count, the floors topped up class by class in order of the largest remainder (ties at random).
 */
function approximateMode(counts: number[], draws: number, rng: HostRandom): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const continuous = counts.map((c) => (c / total) * draws);
  const floored = continuous.map(Math.floor);
  let need = draws - floored.reduce((a, b) => a + b, 0);
  if (need > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const v of values) {
      const inds = remainder.flatMap((r, i) => (r === v ? [i] : []));
      rng.shuffle(inds);
      const add = Math.min(inds.length, need);
      for (let k = 0; k < add; k++) floored[inds[k]]++;
      need -= add;
      if (need === 0) break;
    }
  }
  return floored;
}

export interface TrainTestSplitOptions {
  /** Test fraction in (0, 1) or a count of samples (default 0.25, as scikit-learn). */
  testSize?: number;
  /** Train fraction or count (default: the complement of testSize). */
  trainSize?: number;
  seed?: number;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  /** Keep class proportions in both parts: true (use y) or the labels to stratify by. */
  stratify?: boolean | LabelsLike;
}

function splitSizes(op: string, n: number, testSize: number | undefined, trainSize: number | undefined): [number, number] {
  const resolve = (name: string, v: number, ceil: boolean) => {
    if (typeof v !== 'number' || !(v > 0)) throw new TensileError(op, `option '${name}' must be a positive number, got ${String(v)}`);
    if (Number.isInteger(v) && v >= 1) {
      if (v >= n) throw new TensileError(op, `option '${name}' = ${v} must be smaller than the number of samples (${n})`);
      return v;
    }
    if (v >= 1) throw new TensileError(op, `option '${name}' must be a fraction in (0, 1) or an integer count, got ${v}`);
    return ceil ? Math.ceil(v * n) : Math.floor(v * n);
  };
  const nTest = testSize !== undefined ? resolve('testSize', testSize, true) : trainSize !== undefined ? n - resolve('trainSize', trainSize, false) : Math.ceil(0.25 * n);
  const nTrain = trainSize !== undefined ? resolve('trainSize', trainSize, false) : n - nTest;
  if (nTrain + nTest > n) throw new TensileError(op, `train (${nTrain}) and test (${nTest}) sizes exceed the ${n} samples`);
  if (nTrain === 0 || nTest === 0) throw new TensileError(op, `with ${n} samples the split leaves an empty part (train ${nTrain}, test ${nTest})`);
  return [nTrain, nTest];
}

/**
 * Splits X and y into random train and test parts, as sklearn's train_test_split: returns
 * [XTrain, XTest, yTrain, yTest], tensors (rows gathered on their device) or arrays as given.
 * @example
 * const [XTrain, XTest, yTrain, yTest] = tn.ml.trainTestSplit(X, y, { testSize: 0.2, seed: 0, stratify: true });
 */
export function trainTestSplit<X extends Tensor | readonly unknown[], Y extends Tensor | readonly unknown[]>(
  X: X, y: Y, opts: TrainTestSplitOptions = {},
): [X, X, Y, Y] {
  const op = 'trainTestSplit';
  const n = rowsOf(op, X, 'X');
  if (rowsOf(op, y, 'y') !== n) throw new TensileError(op, `X has ${n} samples but y has ${rowsOf(op, y, 'y')}`);
  const [nTrain, nTest] = splitSizes(op, n, opts.testSize, opts.trainSize);
  const shuffle = opts.shuffle ?? true;
  let train: Int32Array, test: Int32Array;
  if (opts.stratify !== undefined && opts.stratify !== false) {
    if (!shuffle) throw new TensileError(op, `stratified splitting needs shuffle: true`);
    const rng = HostRandom.from(op, opts.seed);
    const labels = toLabels(op, (opts.stratify === true ? y : opts.stratify) as LabelsLike, n, 'stratify');
    const { classes, index } = encodeLabels(op, labels, 1);
    const counts = classes.map(() => 0);
    for (const c of index) counts[c]++;
    if (Math.min(...counts) < 2) throw new TensileError(op, `the least populated class has only ${Math.min(...counts)} member; stratification needs at least 2 per class`);
    if (nTrain < classes.length || nTest < classes.length) throw new TensileError(op, `train (${nTrain}) and test (${nTest}) sizes must each be at least the number of classes (${classes.length})`);
    // StratifiedShuffleSplit: allocate per class, then take a random subset of each class.
    const nI = approximateMode(counts, nTrain, rng);
    const tI = approximateMode(counts.map((c, i) => c - nI[i]), nTest, rng);
    const tr: number[] = [], te: number[] = [];
    classes.forEach((_, k) => {
      const members = Int32Array.from(index.keys()).filter((i) => index[i] === k);
      rng.shuffle(members);
      for (let i = 0; i < nI[k]; i++) tr.push(members[i]);
      for (let i = nI[k]; i < nI[k] + tI[k]; i++) te.push(members[i]);
    });
    train = rng.shuffle(Int32Array.from(tr));
    test = rng.shuffle(Int32Array.from(te));
  } else {
    const perm = shuffle ? HostRandom.from(op, opts.seed).permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    // scikit-learn's ShuffleSplit takes the test part first.
    test = perm.slice(0, nTest);
    train = perm.slice(nTest, nTest + nTrain);
  }
  return [takeRows(X, train), takeRows(X, test), takeRows(y, train), takeRows(y, test)];
}

/** [trainIndices, testIndices] of one fold. */
export type Fold = [Int32Array, Int32Array];

export interface KFoldOptions {
  nSplits?: number;
  shuffle?: boolean;
  seed?: number;
}

function checkSplits(op: string, opts: KFoldOptions): number {
  const k = opts.nSplits ?? 5;
  if (!Number.isInteger(k) || k < 2) throw new TensileError(op, `option 'nSplits' must be an integer >= 2, got ${String(opts.nSplits)}`);
  if (opts.seed !== undefined && !opts.shuffle) throw new TensileError(op, `option 'seed' has no effect unless shuffle is true`);
  return k;
}

function foldsFromTestSets(n: number, tests: Int32Array[]): Fold[] {
  return tests.map((test) => {
    const inTest = new Uint8Array(n);
    for (const i of test) inTest[i] = 1;
    const train = new Int32Array(n - test.length);
    let c = 0;
    for (let i = 0; i < n; i++) if (!inTest[i]) train[c++] = i;
    return [train, test];
  });
}

/**
 * K consecutive folds (shuffled first when asked); the first n % k folds get one extra sample.
 * @example for (const [train, test] of new tn.ml.KFold({ nSplits: 5 }).split(X)) { ... }
 */
export class KFold {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly seed?: number;

  constructor(opts: KFoldOptions = {}) {
    this.nSplits = checkSplits('KFold', opts);
    this.shuffle = opts.shuffle ?? false;
    this.seed = opts.seed;
  }

  split(X: MatrixLike | readonly unknown[]): Fold[] {
    const n = rowsOf('KFold.split', X, 'X');
    if (this.nSplits > n) throw new TensileError('KFold.split', `cannot have nSplits = ${this.nSplits} greater than the number of samples (${n})`);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) HostRandom.from('KFold.split', this.seed).shuffle(idx);
    const tests: Int32Array[] = [];
    let start = 0;
    for (let f = 0; f < this.nSplits; f++) {
      const size = Math.floor(n / this.nSplits) + (f < n % this.nSplits ? 1 : 0);
      tests.push(idx.slice(start, start + size));
      start += size;
    }
    return foldsFromTestSets(n, tests);
  }
}

/**
 * Folds that keep each class's proportion, as sklearn's StratifiedKFold (scikit-learn >= 0.22):
 * classes in order of first appearance, the label-sorted samples dealt to folds round-robin.
 * @example new tn.ml.StratifiedKFold({ nSplits: 5 }).split(X, y)
 */
export class StratifiedKFold {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly seed?: number;

  constructor(opts: KFoldOptions = {}) {
    this.nSplits = checkSplits('StratifiedKFold', opts);
    this.shuffle = opts.shuffle ?? false;
    this.seed = opts.seed;
  }

  split(X: MatrixLike | readonly unknown[], y: LabelsLike): Fold[] {
    const op = 'StratifiedKFold.split';
    const n = rowsOf(op, X, 'X');
    const labels = toLabels(op, y, n);
    const { index: sortedIdx } = encodeLabels(op, labels, 1);
    // Re-number classes by first appearance, as scikit-learn does.
    const firstSeen = new Map<number, number>();
    for (const c of sortedIdx) if (!firstSeen.has(c)) firstSeen.set(c, firstSeen.size);
    const enc = Int32Array.from(sortedIdx, (c) => firstSeen.get(c)!);
    const nClasses = firstSeen.size;
    const counts = new Array<number>(nClasses).fill(0);
    for (const c of enc) counts[c]++;
    if (counts.every((c) => this.nSplits > c)) throw new TensileError(op, `nSplits = ${this.nSplits} is greater than the number of members in each class`);
    const order = Int32Array.from(enc).sort();
    const allocation = Array.from({ length: this.nSplits }, (_, f) => {
      const a = new Array<number>(nClasses).fill(0);
      for (let i = f; i < n; i += this.nSplits) a[order[i]]++;
      return a;
    });
    const testFold = new Int32Array(n);
    const rng = this.shuffle ? HostRandom.from(op, this.seed) : null;
    for (let k = 0; k < nClasses; k++) {
      const folds: number[] = [];
      for (let f = 0; f < this.nSplits; f++) for (let c = 0; c < allocation[f][k]; c++) folds.push(f);
      if (rng) rng.shuffle(folds);
      let c = 0;
      for (let i = 0; i < n; i++) if (enc[i] === k) testFold[i] = folds[c++];
    }
    const tests = Array.from({ length: this.nSplits }, (_, f) => Int32Array.from(testFold.keys()).filter((i) => testFold[i] === f));
    return foldsFromTestSets(n, tests);
  }
}

/** What crossValScore needs of an estimator. */
export interface Scorable {
  fit(X: MatrixLike, y: LabelsLike): unknown;
  score(X: MatrixLike, y: LabelsLike): number;
  readonly estimatorType?: 'classifier' | 'regressor';
}

/**
 * The score of a fresh estimator on each fold, as sklearn's cross_val_score: an integer cv
 * means StratifiedKFold for classifiers and KFold for regressors (unshuffled, so the folds are
 * scikit-learn's); pass a KFold or StratifiedKFold for others.
 * @example tn.ml.crossValScore(() => new tn.ml.Ridge(), X, y, { cv: 5 })
 */
export function crossValScore(estimatorFactory: () => Scorable, X: MatrixLike, y: LabelsLike, opts: { cv?: number | KFold | StratifiedKFold } = {}): number[] {
  const op = 'crossValScore';
  if (typeof estimatorFactory !== 'function') throw new TensileError(op, `argument 'estimatorFactory' must be a function returning a new estimator`);
  const x = toMatrix(op, X);
  const labels: Label[] = toLabels(op, y, x.rows);
  const probe = estimatorFactory();
  const cv = opts.cv ?? 5;
  let folds: Fold[];
  if (cv instanceof KFold) folds = cv.split(X);
  else if (cv instanceof StratifiedKFold) folds = cv.split(X, labels as LabelsLike);
  else if (typeof cv === 'number') {
    folds = probe.estimatorType === 'classifier' ? new StratifiedKFold({ nSplits: cv }).split(X, labels as LabelsLike) : new KFold({ nSplits: cv }).split(X);
  } else throw new TensileError(op, `option 'cv' must be a number of folds, a KFold or a StratifiedKFold`);
  const subset = (idx: Int32Array) => {
    const data = new Float64Array(idx.length * x.cols);
    idx.forEach((r, i) => data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), i * x.cols));
    return tensor(data, { dtype: 'float64', shape: [idx.length, x.cols], device: x.device });
  };
  return folds.map(([train, test], f) => {
    const est = f === 0 ? probe : estimatorFactory();
    const [Xtr, Xte] = [subset(train), subset(test)];
    try {
      est.fit(Xtr, Array.from(train, (i) => labels[i]) as LabelsLike);
      return est.score(Xte, Array.from(test, (i) => labels[i]) as LabelsLike);
    } finally {
      Xtr.dispose(); Xte.dispose();
    }
  });
}
