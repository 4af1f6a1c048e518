/**
 * The `tensile` CLI in a child process (the built dist/cli/main.js, rebuilt here first):
 * `info`, and `bench --quick` on tiny suites, checking the shape of the tables and the JSON.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli', 'main.js');

function tensile(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // Type errors elsewhere still emit; what matters here is a current dist/cli.
  try {
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
  } catch { /* reported by the typecheck step */ }
  expect(existsSync(cli)).toBe(true);
}, 60_000);

test('info still works', () => {
  const r = tensile(['info']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^tensile \d+\.\d+\.\d+/);
});

test('bench overhead --quick --json: one row per case, a cell per column, ratios', () => {
  const r = tensile(['bench', 'overhead', '--quick', '--json']);
  expect(r.code).toBe(0);
  const rep = JSON.parse(r.stdout);
  expect(rep.quick).toBe(true);
  expect(typeof rep.date).toBe('string');
  expect(rep.machine.cores).toBeGreaterThan(0);
  expect(rep.tensile.device).toBeTruthy();
  for (const p of ['numpy', 'torch', 'tfjs-wasm', 'tfjs-cpu']) {
    expect(typeof rep.peers[p].available).toBe('boolean');
    if (!rep.peers[p].available) expect(typeof rep.peers[p].missing).toBe('string');
  }
  expect(rep.suites).toHaveLength(1);
  const s = rep.suites[0];
  expect(s).toMatchObject({ name: 'overhead', unit: 'µs', higherIsBetter: false });
  expect(s.columns[0]).toBe('tensile');
  expect(s.columns).toEqual(expect.arrayContaining(['numpy', 'torch', 'tfjs-wasm', 'tfjs-cpu']));
  expect(s.rows.map((row: { case: string }) => row.case)).toEqual(['add 1 elem', 'add 1 elem + read value']);
  for (const row of s.rows) {
    expect(row.cells.tensile.value).toBeGreaterThan(0);
    for (const c of s.columns) {
      const cell = row.cells[c];
      if ('missing' in cell) expect(typeof cell.missing).toBe('string');
      else { expect(cell.value).toBeGreaterThan(0); expect(cell.seconds).toBeGreaterThan(0); }
    }
    if (row.ratio !== null) { expect(row.ratio).toBeGreaterThan(0); expect(s.columns).toContain(row.bestPeer); }
  }
}, 60_000);

test('bench matmul --quick: header, table, and a missing peer printed with its reason', () => {
  const r = tensile(['bench', 'matmul', '--quick'], { TENSILE_BENCH_PYTHON: '/nonexistent/python3' });
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toMatch(/^tensile bench · .* · .*cores.* · tensile .* on \w+ \(native: .*\)/);
  const title = lines.findIndex((l) => l.startsWith('matmul: '));
  expect(title).toBeGreaterThan(0);
  expect(lines[title + 1]).toMatch(/^case\s+tensile\s+numpy\s+torch\s+.*tensile\/best$/);
  expect(lines[title + 2]).toMatch(/^-+( +-+)+$/);
  for (const id of ['n=16', 'n=32', '8x24 @ 24x16']) {
    const row = lines.find((l) => l.startsWith(id + ' '));
    expect(row).toBeDefined();
    expect(row!).toMatch(/\d+\.\d+ +missing +missing/);   // tensile's figure, then numpy and torch missing
  }
  expect(r.stdout).toContain('numpy: missing (no python at /nonexistent/python3');
}, 60_000);

test('bench --device: webgpu runs or says why not; an unknown device or suite is rejected', () => {
  const gpu = tensile(['bench', 'overhead', '--device', 'webgpu', '--quick', '--json']);
  if (gpu.code === 0) {
    const rep = JSON.parse(gpu.stdout);
    expect(rep.tensile.device).toBe('webgpu');
    expect(rep.suites[0].rows[1].cells.tensile.value).toBeGreaterThan(0);
  } else {
    expect(gpu.stderr).toMatch(/device 'webgpu' is unavailable: \S/);
  }
  const dev = tensile(['bench', '--device', 'nosuch', '--quick']);
  expect(dev.code).toBe(1);
  expect(dev.stderr).toMatch(/unknown device 'nosuch'/);
  const bad = tensile(['bench', 'nosuch', '--quick']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/unknown suite 'nosuch'/);
}, 60_000);

test('bench ml --quick --json: tn.ml beside scikit-learn, same scores where the peer runs', () => {
  const r = tensile(['bench', 'ml', '--quick', '--json']);
  expect(r.code).toBe(0);
  const rep = JSON.parse(r.stdout);
  expect(rep.suite).toBe('ml');
  expect(rep.rows.length).toBe(10);
  for (const row of rep.rows) {
    expect(row.tensileMs).toBeGreaterThan(0);
    expect(row.tensileScore).toBeGreaterThan(0);
    // Same data, same algorithms: the scores agree wherever scikit-learn is there to compare.
    if (row.sklearnScore !== undefined && row.sklearnScore !== null) expect(row.tensileScore).toBeCloseTo(row.sklearnScore, 2);
  }
  if (rep.missing) expect(typeof rep.missing).toBe('string');
}, 120_000);
