/**
 * `tensile bench [suite...] [--device cpu|js|webgpu] [--json] [--quick]`: tensile against numpy,
 * PyTorch (python subprocesses) and tfjs-backend-wasm / -cpu (in-process), measured in the
 * same run. Tables (or JSON with --json) on stdout, progress on stderr.
 */
import * as os from 'node:os';
import { readFileSync } from 'node:fs';
import * as tn from '../../index.js';
import { DEVICES, type DeviceName } from '../../backends/backend.js';
import { unavailableReason } from '../../device.js';
import { figure, higherIsBetter, PYTHON_PEERS, SUITE_NAMES, buildSuites, type Case, type Suite } from './suites.js';
import { limits, measure, type Limits, type Timing } from './harness.js';
import { prepareTensile, type Prepared } from './tensile-runner.js';
import { loadTfjsPeers, type TfjsPeer } from './tfjs-runner.js';
import { runPythonPeer, type PythonPeerResult } from './python-runner.js';
import { headerLine, peersLines, ratioOf, suiteTable, type CellOut, type Report, type RowOut, type SuiteOut } from './report.js';

export interface BenchOptions {
  suites: string[];
  device?: string;
  json: boolean;
  quick: boolean;
  version: string;
}

export const BENCH_USAGE = `usage: tensile bench [suite...] [--device cpu|js|webgpu] [--json] [--quick]

suites: ${SUITE_NAMES.join(', ')} (default: all)
  --device  tensile's device (default: the default device)
  --json    print the report as JSON
  --quick   tiny sizes and few iterations (a smoke test, not a measurement)
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
function runCase(name: string, prepare: () => Prepared | string, c: Case, lim: Limits, last: { c: Case; seconds: number } | null): Timing | { missing: string } {
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
    return measure(name, p.fn, lim);
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
    tensile: { version: o.version, device, native: native ? { isa: native.isa, isas: native.isas, threads: native.threads, compiler: native.compiler } : null },
    peers: {},
    suites: [],
  };
  if (!o.json) console.log(headerLine(report));

  // Python peers first, one subprocess each, for every selected suite.
  const py: PythonPeerResult[] = [];
  for (const peer of PYTHON_PEERS) {
    if (!suites.some((s) => s.pythonPeers.includes(peer))) continue;
    progress(`${peer}: running bench/peers/${peer}_peer.py ...`);
    const r = runPythonPeer(peer, suites, o.quick, threads);
    if (r.missing) progress(`${peer}: missing (${r.missing})`);
    py.push(r);
    report.peers[peer] = r.missing ? { available: false, missing: r.missing, info: r.info } : { available: true, info: r.info };
  }
  const tfjs: TfjsPeer[] = await loadTfjsPeers();
  for (const p of tfjs) report.peers[p.name] = p.missing ? { available: false, missing: p.missing, info: p.info } : { available: true, info: p.info };
  if (!o.json) for (const l of ['peers:', ...peersLines(report)]) console.log(l);

  for (const s of suites) {
    const inproc = new Map<string, Map<string, Timing | { missing: string }>>();
    // tensile, then each tfjs backend (one active at a time).
    const runners: { name: string; activate: () => Promise<void>; prepare: (c: Case) => Prepared | string }[] = [
      { name: 'tensile', activate: async () => {}, prepare: (c) => prepareTensile(c.spec) },
      ...tfjs.map((p) => ({ name: p.name, activate: p.activate, prepare: (c: Case) => (p.missing ? p.missing : p.prepare(c.spec)) })),
    ];
    for (const r of runners) {
      const cells = new Map<string, Timing | { missing: string }>();
      inproc.set(r.name, cells);
      const peer = tfjs.find((p) => p.name === r.name);
      if (peer?.missing) { for (const c of s.cases) cells.set(c.id, { missing: peer.missing }); continue; }
      await r.activate();
      let last: { c: Case; seconds: number } | null = null;
      for (const c of s.cases) {
        const t = runCase(`${r.name} ${s.name} ${c.id}`, () => r.prepare(c), c, lim, last);
        cells.set(c.id, t);
        if (!('missing' in t)) last = { c, seconds: t.seconds };
        progress(`${s.name} ${c.id} ${r.name}: ${'missing' in t ? `missing (${t.missing})` : `${figure(s.unit, c, t.seconds).toPrecision(4)} ${s.unit} (${t.samples} samples)`}`);
      }
    }
    const pyPeers = py.filter((p) => s.pythonPeers.includes(p.name));
    const columns = ['tensile', ...pyPeers.map((p) => p.name), ...tfjs.map((p) => p.name)];
    const rows: RowOut[] = s.cases.map((c) => {
      const cells: Record<string, CellOut> = {};
      cells.tensile = cellOut(s, c, inproc.get('tensile')!.get(c.id), 'not run');
      for (const p of pyPeers) cells[p.name] = cellOut(s, c, p.missing ? { missing: p.missing } : p.cells.get(`${s.name}/${c.id}`), 'no result from the peer script');
      for (const p of tfjs) cells[p.name] = cellOut(s, c, inproc.get(p.name)!.get(c.id), 'not run');
      return { case: c.id, spec: c.spec, cells, ...ratioOf(higherIsBetter(s.unit), cells, columns) };
    });
    const out: SuiteOut = { name: s.name, title: s.title, unit: s.unit, higherIsBetter: higherIsBetter(s.unit), columns, rows };
    report.suites.push(out);
    if (!o.json) { console.log(''); for (const l of suiteTable(out)) console.log(l); }
  }
  report.machine.loadavg.end = os.loadavg();
  // A busy machine (other jobs on these cores) distorts every figure, threaded ones most. The
  // load at the end includes this run's own threads, so only the start is judged.
  const busy = report.machine.loadavg.start[0] > report.machine.cores * 0.5;
  if (o.json) console.log(JSON.stringify(report, null, 2));
  else console.log(`\nload average (1/5/15 min) at start ${report.machine.loadavg.start.map((x) => x.toFixed(2)).join(' ')}, at end ${report.machine.loadavg.end.map((x) => x.toFixed(2)).join(' ')}${busy ? ' -- the machine was busy when the run started: figures are unreliable' : ''}`);
  return 0;
}
