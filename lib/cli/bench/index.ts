/**
 * `tensile bench [suite...] [--device cpu|js|webgpu] [--json] [--quick]`: tensile against numpy,
 * PyTorch (python subprocesses) and tfjs-backend-wasm / -cpu (in-process), measured in the
 * same run, case by case (every library runs a case back to back with the others). Tables (or
 * JSON with --json) on stdout, progress on stderr. Results and method: bench/RESULTS.md.
 */
import * as os from 'node:os';
import { readFileSync } from 'node:fs';
import * as tn from '../../index.js';
import { DEVICES, type DeviceName } from '../../backends/backend.js';
import { unavailableReason } from '../../device.js';
import { figure, higherIsBetter, PYTHON_PEERS, SUITE_NAMES, buildSuites, type Case, type Suite } from './suites.js';
import { limits, measure, measureAsync, type Limits, type Timing } from './harness.js';
import { prepareTensile, type Prepared } from './tensile-runner.js';
import { loadTfjsPeers, type TfjsPeer } from './tfjs-runner.js';
import { PythonPeerProcess } from './python-runner.js';
import { headerLine, peersLines, ratioOf, suiteTable, type CellOut, type Report, type RowOut, type SuiteOut } from './report.js';

export interface BenchOptions {
  suites: string[];
  device?: string;
  json: boolean;
  quick: boolean;
  version: string;
}

export const BENCH_USAGE = `usage: tensile bench [suite...] [--device cpu|js|webgpu] [--json] [--quick]

suites: ${SUITE_NAMES.join(', ')} (default: all); \`tensile bench ml\`: tn.ml fit times and scores beside scikit-learn
  --device  tensile's device (default: the default device)
  --json    print the report as JSON
  --quick   tiny sizes and few iterations (a smoke test, not a measurement)
threads: tensile's (TENSILE_NUM_THREADS, default all cores), passed on to OpenBLAS and torch
peers: numpy and torch through ${'${TENSILE_BENCH_PYTHON:-/usr/bin/python3}'} bench/peers/*.py,
       tfjs-backend-wasm and tfjs-backend-cpu in-process (optional devDependencies)`;

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function cpuFlags(): string[] {
  try {
    const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(/\s+/) ?? []);
    return ['fma', 'avx2', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_bf16', 'avx512_vnni'].filter((f) => flags.has(f));
  } catch {
    return [];
  }
}

/** Runs one in-process case; a case estimated to be too slow (from the runner's last, smaller case) is skipped. */
async function runCase(name: string, prepare: () => Prepared | string, c: Case, lim: Limits, last: { c: Case; seconds: number } | null): Promise<Timing | { missing: string }> {
  if (last && c.work && last.c.work && c.work > last.c.work) {
    const est = last.seconds * (c.work / last.c.work);
    if (est > lim.skipOver) return { missing: `skipped: ~${est.toFixed(0)} s per call estimated from ${last.c.id} (${last.seconds.toFixed(2)} s), over the ${lim.skipOver} s limit` };
  }
  let p: Prepared | string;
  try {
    p = prepare();
  } catch (e) {
    return { missing: `error preparing: ${(e as Error).message.split('\n')[0]}` };
  }
  if (typeof p === 'string') return { missing: p };
  try {
    return p.afn ? await measureAsync(name, p.afn, lim) : measure(name, p.fn!, lim);
  } catch (e) {
    return { missing: `error: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    p.dispose();
  }
}

function cellOut(s: Suite, c: Case, t: Timing | { missing: string } | undefined, fallback: string): CellOut {
  if (!t) return { missing: fallback };
  if ('missing' in t) return t;
  return { ...t, value: figure(s.unit, c, t.seconds) };
}

export async function runBench(o: BenchOptions): Promise<number> {
  // tn.ml against scikit-learn: its own table (fit times and scores), run on its own.
  if (o.suites.length === 1 && o.suites[0] === 'ml') return (await import('./ml.js')).runMlBench(o);
  const unknown = o.suites.filter((s) => !(SUITE_NAMES as readonly string[]).includes(s));
  if (unknown.length) {
    console.error(`tensile bench: unknown suite${unknown.length > 1 ? 's' : ''} ${unknown.map((s) => `'${s}'`).join(', ')} (suites: ${SUITE_NAMES.join(', ')})\n\n${BENCH_USAGE}`);
    return 1;
  }
  const device = (o.device ?? tn.getDefaultDevice()) as DeviceName;
  if (!(DEVICES as readonly string[]).includes(device)) {
    console.error(`tensile bench: unknown device '${device}' (devices: ${DEVICES.join(', ')})`);
    return 1;
  }
  // WebGPU opens asynchronously (and may fail: no adapter); the other devices load with the library.
  let adapter: string | undefined;
  if (device === 'webgpu') {
    try { adapter = (await tn.initWebGPU()).adapter; } catch { /* the reason is printed below */ }
  }
  const why = unavailableReason(device);
  if (why) {
    console.error(`tensile bench: device '${device}' is unavailable: ${why}`);
    return 2;
  }
  tn.setDefaultDevice(device);

  const lim = limits(o.quick);
  const suites = buildSuites(o.quick).filter((s) => !o.suites.length || o.suites.includes(s.name));
  const native = tn.nativeInfo();
  const threads = native?.threads ?? os.cpus().length;
  const report: Report = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: `tensile bench ${process.argv.slice(3).join(' ')}`.trim(),
    quick: o.quick,
    machine: { cpu: os.cpus()[0]?.model?.trim() ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()}-${os.arch()}`, node: process.version, flags: cpuFlags(), loadavg: { start: os.loadavg() } },
    tensile: { version: o.version, device, ...(adapter ? { adapter } : {}), native: native ? { isa: native.isa, isas: native.isas, threads: native.threads, compiler: native.compiler } : null },
    peers: {},
    suites: [],
  };
  if (!o.json) console.log(headerLine(report));

  // Every peer starts once (python peers stay up and answer case by case).
  const py: PythonPeerProcess[] = [];
  for (const peer of PYTHON_PEERS) {
    if (!suites.some((s) => s.pythonPeers.includes(peer))) continue;
    const p = await PythonPeerProcess.start(peer, o.quick, threads);
    if (p.missing) progress(`${peer}: missing (${p.missing})`);
    py.push(p);
    report.peers[peer] = p.missing ? { available: false, missing: p.missing, info: p.info } : { available: true, info: p.info };
  }
  const tfjs: TfjsPeer[] = await loadTfjsPeers(device);
  for (const p of tfjs) report.peers[p.name] = p.missing ? { available: false, missing: p.missing, info: p.info } : { available: true, info: p.info };
  if (!o.json) for (const l of ['peers:', ...peersLines(report)]) console.log(l);

  // Case by case, every runner back to back: on a shared machine the load drifts, and a
  // row's ratio should compare figures taken under the same conditions.
  type Runner = { name: string; run: (s: Suite, c: Case, last: Last | null) => Promise<Timing | { missing: string }> };
  type Last = { c: Case; seconds: number };
  try {
    for (const s of suites) {
      const runners: Runner[] = [
        { name: 'tensile', run: async (_s, c, last) => runCase(`tensile ${c.id}`, () => prepareTensile(c.spec), c, lim, last) },
        ...py.filter((p) => s.pythonPeers.includes(p.name)).map((p): Runner => ({ name: p.name, run: (s2, c) => p.run(s2.name, c) })),
        ...tfjs.map((p): Runner => ({
          name: p.name,
          run: async (_s, c, last) => {
            if (p.missing) return { missing: p.missing };
            await p.activate();
            return runCase(`${p.name} ${c.id}`, () => p.prepare(c.spec), c, lim, last);
          },
        })),
      ];
      const columns = runners.map((r) => r.name);
      const last = new Map<string, Last>();
      const rows: RowOut[] = [];
      for (const c of s.cases) {
        const cells: Record<string, CellOut> = {};
        for (const r of runners) {
          const t = await r.run(s, c, last.get(r.name) ?? null);
          if (!('missing' in t)) last.set(r.name, { c, seconds: t.seconds });
          cells[r.name] = cellOut(s, c, t, 'not run');
          const cell = cells[r.name];
          progress(`${s.name} ${c.id} ${r.name}: ${'missing' in cell ? `missing (${cell.missing})` : `${cell.value.toPrecision(4)} ${s.unit} (${cell.samples} samples)`}`);
        }
        rows.push({ case: c.id, spec: c.spec, cells, ...ratioOf(higherIsBetter(s.unit), cells, columns) });
      }
      const out: SuiteOut = { name: s.name, title: s.title, unit: s.unit, higherIsBetter: higherIsBetter(s.unit), columns, rows };
      report.suites.push(out);
      if (!o.json) { console.log(''); for (const l of suiteTable(out)) console.log(l); }
    }
  } finally {
    for (const p of py) p.close();
  }
  report.machine.loadavg.end = os.loadavg();
  // A busy machine (other jobs on these cores) distorts every figure, threaded ones most. The
  // load at the end includes this run's own threads, so only the start is judged.
  const busy = report.machine.loadavg.start[0] > report.machine.cores * 0.5;
  if (o.json) console.log(JSON.stringify(report, null, 2));
  else console.log(`\nload average (1/5/15 min) at start ${report.machine.loadavg.start.map((x) => x.toFixed(2)).join(' ')}, at end ${report.machine.loadavg.end.map((x) => x.toFixed(2)).join(' ')}${busy ? ' -- the machine was busy when the run started: figures are unreliable' : ''}`);
  return 0;
}
