/**
 * `tensile bench ml`: tn.ml fit times and test scores beside scikit-learn's on the same data
 * (written to temporary files both sides read): a 5000x50 classification and regression set
 * drawn from seeded Philox normals (make_classification / make_regression-style: informative
 * directions plus noise) and scaled breast cancer. Median of 5 fits per model after one
 * untimed warm-up fit, on both sides.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tn from '../../index.js';

type Model = { score(X: tn.Tensor, y: tn.Tensor): number };
const FACTORIES: Record<string, () => { fit(X: tn.Tensor, y: tn.Tensor): Model }> = {
  'SVC(linear)': () => new tn.ml.SVC({ kernel: 'linear' }),
  'SVC(rbf)': () => new tn.ml.SVC({ kernel: 'rbf' }),
  LinearSVC: () => new tn.ml.LinearSVC(),
  LogisticRegression: () => new tn.ml.LogisticRegression(),
  Ridge: () => new tn.ml.Ridge({ alpha: 1 }),
  Lasso: () => new tn.ml.Lasso({ alpha: 0.1 }),
};
const CLASSIFIERS = ['SVC(linear)', 'SVC(rbf)', 'LinearSVC', 'LogisticRegression'];
const REGRESSORS = ['Ridge', 'Lasso'];

interface Dataset { name: string; Xtr: tn.Tensor; ytr: tn.Tensor; Xte: tn.Tensor; yte: tn.Tensor; models: string[] }

function synthetic(name: string, n: number, p: number, classify: boolean, seed: number): Dataset {
  const X = tn.randn([n, p], { seed, dtype: 'float64', device: 'cpu' });
  const w = tn.randn([p, 1], { seed: seed + 1, dtype: 'float64', device: 'cpu' }).mul(tn.arange(p, undefined, 1, { dtype: 'float64', device: 'cpu' }).lt(Math.min(10, p)).cast('float64').reshape([p, 1]));
  const noise = tn.randn([n, 1], { seed: seed + 2, dtype: 'float64', device: 'cpu' });
  const score = X.matmul(w).add(noise.mul(classify ? 1 : 10)).reshape([n]);
  const y = classify ? score.gt(0).cast('float64') : score.mul(10);
  const ntr = Math.round(n * 0.8);
  return { name, Xtr: X.slice([0, ntr]), ytr: y.slice([0, ntr]), Xte: X.slice([ntr, n]), yte: y.slice([ntr, n]), models: classify ? CLASSIFIERS : REGRESSORS };
}

function breastCancer(): Dataset {
  const { data, target } = tn.data.loadBreastCancer({ dtype: 'float64', device: 'cpu' });
  const [Xtr, Xte, ytr, yte] = tn.ml.trainTestSplit(data, target.cast('float64'), { seed: 0, stratify: true }) as tn.Tensor[];
  const sc = new tn.ml.StandardScaler().fit(Xtr);
  return { name: 'breast cancer (scaled)', Xtr: sc.transform(Xtr), ytr, Xte: sc.transform(Xte), yte, models: CLASSIFIERS };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function runMlBench(o: { quick: boolean; json: boolean }): Promise<number> {
  // One untimed fit first on both sides (V8 compiles the solvers on first use; numpy and the
  // BLAS warm their caches too), then the median of `repeats` timed fits.
  const warmup = o.quick ? 0 : 1, repeats = o.quick ? 1 : 5;
  const n = o.quick ? 400 : 5000, p = o.quick ? 10 : 50;
  const datasets = [synthetic(`classification ${n}x${p}`, n, p, true, 100), synthetic(`regression ${n}x${p}`, n, p, false, 200), breastCancer()];
  const dir = mkdtempSync(join(tmpdir(), 'tensile-bench-ml-'));
  try {
    const spec = { repeats, warmup, datasets: datasets.map((d, i) => {
      const file = (k: string, t: tn.Tensor) => { const f = join(dir, `${i}-${k}.f64`); writeFileSync(f, Buffer.from((t.dataSync() as Float64Array).buffer)); return f; };
      return { name: d.name, p: d.Xtr.shape[1], ntr: d.Xtr.shape[0], nte: d.Xte.shape[0], models: d.models,
        Xtr: file('Xtr', d.Xtr.contiguous()), ytr: file('ytr', d.ytr.contiguous()), Xte: file('Xte', d.Xte.contiguous()), yte: file('yte', d.yte.contiguous()) };
    }) };
    const python = process.env.TENSILE_BENCH_PYTHON ?? '/usr/bin/python3';
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'peers', 'sklearn_peer.py');
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE; delete env.OPENBLAS_L2_SIZE;
    const r = spawnSync(python, [script, JSON.stringify(spec)], { encoding: 'utf8', env, timeout: 30 * 60_000 });
    let peer: { sklearn: string; results: Record<string, Record<string, { seconds: number; score: number }>> } | null = null;
    let missing = '';
    try { peer = JSON.parse(r.stdout); } catch { missing = (r.error?.message ?? r.stderr ?? '').trim().split('\n').pop() || `exit ${r.status}`; }
    const rows: { dataset: string; model: string; tensileMs: number; tensileScore: number; sklearnMs?: number; sklearnScore?: number }[] = [];
    for (const d of datasets) {
      for (const m of d.models) {
        const times: number[] = [];
        let score = NaN;
        for (let k = 0; k < warmup + repeats; k++) {
          const t0 = performance.now();
          const est = FACTORIES[m]().fit(d.Xtr, d.ytr);
          if (k >= warmup) times.push(performance.now() - t0);
          score = est.score(d.Xte, d.yte);
        }
        const pr = peer?.results[d.name]?.[m];
        rows.push({ dataset: d.name, model: m, tensileMs: median(times), tensileScore: score, sklearnMs: pr && pr.seconds * 1000, sklearnScore: pr?.score });
      }
    }
    if (o.json) {
      console.log(JSON.stringify({ suite: 'ml', quick: o.quick, repeats, sklearn: peer?.sklearn ?? null, missing: missing || null, rows }, null, 2));
      return 0;
    }
    console.log(`tensile bench ml · ${new Date().toISOString()} · fit time (median of ${repeats}${warmup ? `, after ${warmup} warm-up fit` : ''}) and test score; scikit-learn ${peer ? peer.sklearn : `missing (${missing})`} in the same run${o.quick ? ' · QUICK' : ''}`);
    const head = ['dataset', 'model', 'tensile ms', 'sklearn ms', 'speed (sklearn/tensile)', 'tensile score', 'sklearn score'];
    const cells = rows.map((r2) => [r2.dataset, r2.model, r2.tensileMs.toFixed(1), r2.sklearnMs === undefined ? 'missing' : r2.sklearnMs.toFixed(1),
      r2.sklearnMs === undefined ? '-' : `${(r2.sklearnMs / r2.tensileMs).toFixed(2)}x`, r2.tensileScore.toFixed(4), r2.sklearnScore === undefined ? 'missing' : r2.sklearnScore.toFixed(4)]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
    console.log(line(head));
    console.log(widths.map((w2) => '-'.repeat(w2)).join('  '));
    for (const c of cells) console.log(line(c));
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
