/**
 * The numpy and PyTorch peers: bench/peers/<peer>_peer.py run through a python subprocess
 * (TENSILE_BENCH_PYTHON, default /usr/bin/python3), one per peer for all selected suites. The
 * scripts time with time.perf_counter (warm-up, median of repeats) and print JSON.
 *
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the child's environment: set for
 * another CPU they make OpenBLAS pick a slower kernel. The BLAS numpy loaded is recorded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Timing } from './harness.js';
import type { PythonPeer, Suite } from './suites.js';

export type PeerCell = Timing | { missing: string };

export interface PythonPeerResult {
  name: PythonPeer;
  /** null when the peer ran */
  missing: string | null;
  info: Record<string, unknown>;
  /** by `${suite}/${case id}` */
  cells: Map<string, PeerCell>;
}

const STRIPPED_ENV = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/** bench/peers in the package root (found by walking up from this file). */
export function peersDir(): string | null {
  if (process.env.TENSILE_BENCH_PEERS) return process.env.TENSILE_BENCH_PEERS;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'bench', 'peers');
    if (existsSync(join(p, 'common.py'))) return p;
    dir = dirname(dir);
  }
  return null;
}

export function pythonPath(): string {
  return process.env.TENSILE_BENCH_PYTHON || '/usr/bin/python3';
}

export function runPythonPeer(peer: PythonPeer, suites: Suite[], quick: boolean, threads: number): PythonPeerResult {
  const cells = new Map<string, PeerCell>();
  const fail = (why: string): PythonPeerResult => ({ name: peer, missing: why, info: {}, cells });
  const cases = suites.filter((s) => s.pythonPeers.includes(peer)).flatMap((s) => s.cases.map((c) => ({ suite: s.name, id: c.id, spec: c.spec })));
  if (!cases.length) return { name: peer, missing: null, info: {}, cells };
  const dir = peersDir();
  if (!dir) return fail('bench/peers/*.py not found (they ship in the repository, not the npm package)');
  const script = join(dir, `${peer}_peer.py`);
  if (!existsSync(script)) return fail(`${script} not found`);
  const py = pythonPath();
  if (!existsSync(py)) return fail(`no python at ${py} (set TENSILE_BENCH_PYTHON)`);

  const env: NodeJS.ProcessEnv = { ...process.env };
  const stripped = STRIPPED_ENV.filter((k) => k in env);
  for (const k of STRIPPED_ENV) delete env[k];
  // Same thread count as tensile: OpenBLAS (numpy, and torch's BLAS) and torch's intra-op pool.
  env.OPENBLAS_NUM_THREADS = String(threads);
  env.OMP_NUM_THREADS = String(threads);
  const r = spawnSync(py, [script], {
    input: JSON.stringify({ quick, threads, cases }),
    env,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    timeout: (quick ? 120 : 1800) * 1000,
  });
  const errTail = (r.stderr || '').trim().split('\n').slice(-1)[0] ?? '';
  if (r.error) return fail(`${py} ${script}: ${r.error.message}`);
  if (r.status !== 0) return fail(`${peer}_peer.py exited with ${r.status ?? r.signal}${errTail ? `: ${errTail}` : ''}`);
  let out: Record<string, unknown> & { results?: Record<string, PeerCell & { number?: number }>; error?: string };
  try {
    out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    return fail(`${peer}_peer.py printed no JSON${errTail ? ` (${errTail})` : ''}`);
  }
  if (out.error) return fail(out.error);
  const { results, ...info } = out;
  info.python = `${py} ${info.python ?? ''}`.trim();
  info.envRemoved = stripped;
  for (const [k, v] of Object.entries(results ?? {})) {
    if ('missing' in v) cells.set(k, v);
    else cells.set(k, { seconds: v.seconds, samples: v.samples, method: 'perf_counter' });
  }
  return { name: peer, missing: null, info, cells };
}
