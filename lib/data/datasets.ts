/**
 * The small real datasets bundled in datasets/ (from scikit-learn), loaded the way
 * scikit-learn loads them: same rows, same target coding, the diabetes features scaled as in
 * sklearn.datasets.load_diabetes (centered, each column of unit L2 norm).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DType } from '../dtype.js';
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { tensor } from '../ops/creation.js';
import type { DeviceName } from '../backends/backend.js';

export interface Dataset {
  /** Features, [nSamples, nFeatures]. */
  data: Tensor;
  /** Class indices (int32) or regression targets (float). */
  target: Tensor;
  featureNames: string[];
  /** Class names, in target-index order (classification only). */
  targetNames?: string[];
}

export interface LoadOptions {
  /** Feature dtype (default float32; use float64 for scikit-learn-exact work). */
  dtype?: DType;
  device?: DeviceName;
}

function datasetsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'datasets');
}

function readText(file: string): string {
  const path = join(datasetsDir(), file);
  const raw = readFileSync(path);
  return file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
}

function rows(text: string, sep: RegExp = /,/): number[][] {
  return text.trim().split(/\r?\n/).map((l) => l.trim().split(sep).map(Number));
}

let names: Record<string, { featureNames: string[]; targetNames: string[] | null }> | undefined;
function namesOf(key: string) {
  names ??= JSON.parse(readText('names.json'));
  return names![key];
}

/** sklearn's load_* CSV layout: a header "n,p,class names...", then features and the label. */
function classification(key: string, file: string, opts: LoadOptions): Dataset {
  const lines = readText(file).trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const n = Number(header[0]), p = Number(header[1]);
  const body = rows(lines.slice(1).join('\n'));
  if (body.length !== n || body.some((r) => r.length !== p + 1)) throw new TensileError('data', `${file} is malformed`);
  return finish(key, body.map((r) => r.slice(0, p)), body.map((r) => r[p]), 'int32', opts);
}

function finish(key: string, X: number[][], y: number[], targetDtype: DType, opts: LoadOptions): Dataset {
  const n = namesOf(key);
  return {
    data: tensor(X, { dtype: opts.dtype ?? 'float32', device: opts.device }),
    target: tensor(y, { dtype: targetDtype, device: opts.device }),
    featureNames: n.featureNames,
    ...(n.targetNames ? { targetNames: n.targetNames } : {}),
  };
}

/**
 * Fisher's iris: 150 samples, 4 features, 3 classes.
 * @example const { data, target } = tn.data.loadIris();
 */
export function loadIris(opts: LoadOptions = {}): Dataset {
  return classification('iris', 'iris.csv', opts);
}

/** Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 features, 0 = malignant, 1 = benign. */
export function loadBreastCancer(opts: LoadOptions = {}): Dataset {
  return classification('breastCancer', 'breast_cancer.csv', opts);
}

/** Handwritten digits, 8x8 images flattened: 1797 samples, 64 features (0..16), 10 classes. */
export function loadDigits(opts: LoadOptions = {}): Dataset {
  const body = rows(readText('digits.csv.gz'));
  return finish('digits', body.map((r) => r.slice(0, 64)), body.map((r) => r[64]), 'int32', opts);
}

/**
 * Diabetes regression: 442 samples, 10 features scaled as scikit-learn's default
 * (scaled=True), target a disease-progression measure (float).
 */
export function loadDiabetes(opts: LoadOptions = {}): Dataset {
  const X = rows(readText('diabetes_data_raw.csv.gz'), /\s+/);
  const y = readText('diabetes_target.csv.gz').trim().split(/\r?\n/).map(Number);
  const n = X.length, p = X[0].length;
  for (let j = 0; j < p; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += X[i][j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (X[i][j] - mean) ** 2;
    // sklearn: scale() (population std), then divide by sqrt(n): unit L2 norm per column.
    const norm = Math.sqrt(ss / n) * Math.sqrt(n);
    for (let i = 0; i < n; i++) X[i][j] = (X[i][j] - mean) / norm;
  }
  return finish('diabetes', X, y, opts.dtype ?? 'float32', opts);
}
