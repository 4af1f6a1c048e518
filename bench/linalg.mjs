#!/usr/bin/env node
// tn.linalg decompositions on the cpu device against numpy (LAPACK through OpenBLAS) in the
// same run: lu, inv, cholesky, qr, svd, eigh at n = 128, 256, 512 (float64, seeded inputs),
// median wall time of each, and the ratio tensile / numpy (issue 6 asks for <= 2 at 512).
//
//   npm run build && node bench/linalg.mjs [--sizes 128,256,512] [--js] [--json]
//
// --js adds the js reference backend (slow: sizes up to 256 only). The numpy side runs in a
// child /usr/bin/python3 (PYTHON overrides) with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
// removed from its environment, so OpenBLAS picks its own kernels for this CPU. TENSILE_ENTRY
// overrides the module to import (default: the built package, ../dist/index.js).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const sizes = option('--sizes', '128,256,512').split(',').map(Number);
const OPS = ['lu', 'inv', 'cholesky', 'qr', 'svd', 'eigh'];
const reps = (n) => (n <= 128 ? 21 : n <= 256 ? 11 : 7);

const entry = resolve(process.env.TENSILE_ENTRY ?? join(here, '..', 'dist', 'index.js'));
if (!existsSync(entry)) {
  console.error(`bench/linalg: ${entry} not found; run \`npm run build\` first (or set TENSILE_ENTRY)`);
  process.exit(1);
}
const tn = await import(pathToFileURL(entry).href);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median ms of fn() over `count` runs after two warm-up runs; results freed by tidy. */
function time(fn, count) {
  const ms = [];
  for (let i = 0; i < count + 2; i++) {
    const t0 = process.hrtime.bigint();
    tn.tidy(() => { fn(); });
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= 2) ms.push(t);
  }
  return median(ms);
}

function inputs(n, device) {
  const f64 = { dtype: 'float64', device };
  const A = tn.randn([n, n], { ...f64, seed: 6 });
  const S = tn.tidy(() => A.matmul(A.T).div(n).add(tn.eye(n, null, f64)));
  const H = tn.tidy(() => A.add(A.T).div(2));
  return { A, S, H };
}

const RUN = {
  lu: ({ A }) => tn.linalg.lu(A),
  inv: ({ A }) => tn.linalg.inv(A),
  cholesky: ({ S }) => tn.linalg.cholesky(S),
  qr: ({ A }) => tn.linalg.qr(A),
  svd: ({ A }) => tn.linalg.svd(A),
  eigh: ({ H }) => tn.linalg.eigh(H),
};

function timeDevice(device, n) {
  const x = inputs(n, device);
  const out = {};
  for (const op of OPS) out[op] = time(() => RUN[op](x), reps(n));
  for (const t of Object.values(x)) t.dispose();
  return out;
}

// The numpy side: the same ops (scipy's lu_factor for lu, when scipy is there), same counts.
const PY = String.raw`
import json, sys, time
import numpy as np
try:
    import scipy.linalg as sl
except Exception:
    sl = None
sizes = json.loads(sys.argv[1])
def med(f, reps):
    ts = []
    for i in range(reps + 2):
        t = time.perf_counter(); f(); d = time.perf_counter() - t
        if i >= 2: ts.append(d)
    ts.sort(); return ts[len(ts) // 2] * 1e3
out = {}
for n in sizes:
    reps = 21 if n <= 128 else 11 if n <= 256 else 7
    A = np.random.default_rng(6).standard_normal((n, n))
    S = A @ A.T / n + np.eye(n); H = (A + A.T) / 2
    r = {
        "inv": med(lambda: np.linalg.inv(A), reps),
        "cholesky": med(lambda: np.linalg.cholesky(S), reps),
        "qr": med(lambda: np.linalg.qr(A), reps),
        "svd": med(lambda: np.linalg.svd(A), reps),
        "eigh": med(lambda: np.linalg.eigh(H), reps),
    }
    if sl is not None: r["lu"] = med(lambda: sl.lu_factor(A, check_finite=False), reps)
    out[str(n)] = r
print(json.dumps({"numpy": np.__version__, "scipy": None if sl is None else __import__("scipy").__version__, "times": out}))
`;

function timeNumpy() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const py = process.env.PYTHON ?? '/usr/bin/python3';
  const r = spawnSync(py, ['-c', PY, JSON.stringify(sizes)], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop() };
  return JSON.parse(r.stdout);
}

const info = tn.nativeInfo();
if (!tn.availableDevices().includes('cpu')) {
  console.error('bench/linalg: the cpu device is unavailable (the native addon is not built)');
  process.exit(1);
}
const delegated = tn.linalg.delegatedLinalgKernels('cpu');
const results = { cpu: {}, js: {}, numpy: null };
for (const n of sizes) results.cpu[n] = timeDevice('cpu', n);
if (flag('--js')) for (const n of sizes.filter((s) => s <= 256)) results.js[n] = timeDevice('js', n);
results.numpy = timeNumpy();

if (flag('--json')) {
  console.log(JSON.stringify({ info, delegated, ...results }, null, 2));
  process.exit(0);
}

const fmt = (ms) => (ms === undefined ? '—' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
console.log(`tensile cpu: ${info.isa}, ${info.threads} threads (${info.compiler ?? '?'}); linalg kernels delegated to js: ${delegated.length ? delegated.join(', ') : 'none'}`);
if (results.numpy.error) console.log(`numpy: unavailable (${results.numpy.error})`);
else console.log(`numpy ${results.numpy.numpy}${results.numpy.scipy ? `, scipy ${results.numpy.scipy} (lu: scipy.linalg.lu_factor)` : ''}; medians in ms, ratio = tensile / numpy`);
const head = ['op', 'n', 'tensile', 'numpy', 'ratio', ...(flag('--js') ? ['js', 'js/tensile'] : [])];
const rows = [head];
for (const op of OPS) {
  for (const n of sizes) {
    const t = results.cpu[n][op];
    const p = results.numpy.times?.[n]?.[op];
    const row = [op, String(n), fmt(t), fmt(p), p ? (t / p).toFixed(2) : '—'];
    if (flag('--js')) {
      const j = results.js[n]?.[op];
      row.push(fmt(j), j ? (j / t).toFixed(1) : '—');
    }
    rows.push(row);
  }
}
const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((v, c) => (c < 1 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
