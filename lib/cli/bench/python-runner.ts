/**
 * The numpy and PyTorch peers: bench/peers/<peer>_peer.py in a long-lived python subprocess
 * (TENSILE_BENCH_PYTHON, default /usr/bin/python3) answering one case at a time over JSON
 * lines, so every library runs a case back to back with the others. The scripts time with
 * time.perf_counter (warm-up, median of repeats).
 *
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the child's environment: set for
 * another CPU they make OpenBLAS pick a slower kernel. The BLAS numpy loaded is recorded.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Timing } from './harness.js';
import type { Case, PythonPeer, SuiteName } from './suites.js';

export type PeerCell = Timing | { missing: string };

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

export class PythonPeerProcess {
  /** null while usable */
  missing: string | null = null;
  info: Record<string, unknown> = {};
  private child: ChildProcessWithoutNullStreams | null = null;
  private waiting: ((line: string | null) => void)[] = [];
  private lines: string[] = [];
  private stderrTail = '';

  private constructor(readonly name: PythonPeer, private readonly quick: boolean) {}

  /** Starts the peer and reads its facts; a peer that cannot start is returned with `missing` set. */
  static async start(name: PythonPeer, quick: boolean, threads: number): Promise<PythonPeerProcess> {
    const p = new PythonPeerProcess(name, quick);
    const dir = peersDir();
    const script = dir && join(dir, `${name}_peer.py`);
    const py = pythonPath();
    if (!dir) p.missing = 'bench/peers/*.py not found (they ship in the repository, not the npm package)';
    else if (!existsSync(script!)) p.missing = `${script} not found`;
    else if (!existsSync(py)) p.missing = `no python at ${py} (set TENSILE_BENCH_PYTHON)`;
    if (p.missing) return p;

    const env: NodeJS.ProcessEnv = { ...process.env };
    const stripped = STRIPPED_ENV.filter((k) => k in env);
    for (const k of STRIPPED_ENV) delete env[k];
    // Same thread count as tensile: OpenBLAS (numpy's and torch's BLAS), OpenMP, torch's pool.
    env.OPENBLAS_NUM_THREADS = String(threads);
    env.OMP_NUM_THREADS = String(threads);
    env.TENSILE_BENCH_THREADS = String(threads);
    const child = spawn(py, [script!], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    p.child = child;
    child.on('error', (e) => p.fail(`${py} ${script}: ${e.message}`));
    child.on('exit', (code, signal) => p.fail(`${name}_peer.py exited with ${code ?? signal}${p.lastErr() ? `: ${p.lastErr()}` : ''}`));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { p.stderrTail = (p.stderrTail + d).slice(-4000); });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const w = p.waiting.shift();
      if (w) w(line); else p.lines.push(line);
    });
    const first = await p.next(quick ? 60 : 120);
    if (first === null) return p;
    try {
      const info = JSON.parse(first) as Record<string, unknown> & { error?: string };
      if (info.error) { p.fail(String(info.error)); return p; }
      info.python = `${py} ${info.python ?? ''}`.trim();
      info.envRemoved = stripped;
      p.info = info;
    } catch {
      p.fail(`${name}_peer.py printed no JSON: ${first.slice(0, 200)}`);
    }
    return p;
  }

  /** Times one case (median seconds per call), or says why it could not. */
  async run(suite: SuiteName, c: Case): Promise<PeerCell> {
    if (this.missing || !this.child) return { missing: this.missing ?? 'not started' };
    this.child.stdin.write(JSON.stringify({ suite, id: c.id, spec: c.spec, quick: this.quick }) + '\n');
    const line = await this.next(this.quick ? 60 : 900);
    if (line === null) return { missing: this.missing ?? 'no answer' };
    try {
      const r = JSON.parse(line) as { missing?: string; seconds?: number; samples?: number };
      if (r.missing !== undefined) return { missing: r.missing };
      return { seconds: r.seconds!, samples: r.samples!, method: 'perf_counter' };
    } catch {
      return { missing: `${this.name}_peer.py answered with no JSON: ${line.slice(0, 200)}` };
    }
  }

  close(): void {
    if (this.child && !this.missing) this.missing = 'closed';
    this.child?.stdin.end();
    this.child = null;
  }

  private lastErr(): string {
    return this.stderrTail.trim().split('\n').pop() ?? '';
  }

  private fail(why: string): void {
    if (!this.missing) this.missing = why;
    for (const w of this.waiting.splice(0)) w(null);
  }

  private next(timeoutS: number): Promise<string | null> {
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    if (this.missing) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== done);
        this.fail(`${this.name}_peer.py gave no answer within ${timeoutS} s`);
        this.child?.kill();
        resolve(null);
      }, timeoutS * 1000);
      const done = (line: string | null) => { clearTimeout(timer); resolve(line); };
      this.waiting.push(done);
    });
  }
}
