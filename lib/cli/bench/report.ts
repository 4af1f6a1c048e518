/** The bench report: its JSON shape and the text tables. */
import type { Timing } from './harness.js';
import type { Spec, Unit } from './suites.js';

export type CellOut = (Timing & { value: number }) | { missing: string };

export interface RowOut {
  case: string;
  spec: Spec;
  /** by column (tensile first, then the peers that run this suite) */
  cells: Record<string, CellOut>;
  /** tensile / best peer in the unit's sense: > 1 means tensile is faster; null if either is missing */
  ratio: number | null;
  bestPeer: string | null;
}

export interface SuiteOut {
  name: string;
  title: string;
  unit: Unit;
  higherIsBetter: boolean;
  columns: string[];
  rows: RowOut[];
}

export interface PeerOut {
  available: boolean;
  missing?: string;
  info: Record<string, unknown>;
}

export interface Report {
  date: string;
  command: string;
  quick: boolean;
  machine: { cpu: string; cores: number; platform: string; node: string; flags: string[]; loadavg: { start: number[]; end?: number[] } };
  tensile: { version: string; device: string; adapter?: string; native: Record<string, unknown> | null };
  peers: Record<string, PeerOut>;
  suites: SuiteOut[];
}

export function ratioOf(higherIsBetter: boolean, cells: Record<string, CellOut>, columns: string[]): { ratio: number | null; bestPeer: string | null } {
  const t = cells.tensile;
  let best: string | null = null;
  let bestV = 0;
  for (const c of columns.slice(1)) {
    const cell = cells[c];
    if (!cell || 'missing' in cell) continue;
    if (best === null || (higherIsBetter ? cell.value > bestV : cell.value < bestV)) { best = c; bestV = cell.value; }
  }
  if (!t || 'missing' in t || best === null) return { ratio: null, bestPeer: best };
  return { ratio: higherIsBetter ? t.value / bestV : bestV / t.value, bestPeer: best };
}

function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v >= 100) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

export function headerLine(r: Report): string {
  const n = r.tensile.native;
  const nat = n ? `${n.isa}, ${n.threads} threads${n.compiler ? `, ${n.compiler}` : ''}` : 'no native addon';
  const flags = r.machine.flags.length ? ` [${r.machine.flags.join(' ')}]` : '';
  return `tensile bench · ${r.date} · ${r.machine.cpu}, ${r.machine.cores} cores${flags} · tensile ${r.tensile.version} on ${r.tensile.device}${r.tensile.adapter ? ` [${r.tensile.adapter}]` : ''} (native: ${nat}) · node ${r.machine.node} · load ${r.machine.loadavg.start.map((x) => x.toFixed(2)).join(' ')}${r.quick ? ' · QUICK (tiny sizes, not a measurement)' : ''}`;
}

export function peersLines(r: Report): string[] {
  const lines: string[] = [];
  for (const [name, p] of Object.entries(r.peers)) {
    if (!p.available) { lines.push(`  ${name}: missing (${p.missing})`); continue; }
    const i = p.info;
    const bits: string[] = [];
    if (i.version) bits.push(String(i.version));
    if (i.threads !== undefined) bits.push(`${i.threads} thread${i.threads === 1 ? '' : 's'}`);
    if (Array.isArray(i.blas)) {
      for (const b of i.blas as Record<string, unknown>[]) {
        if (b.internal_api === 'openmp') continue;
        bits.push(`BLAS ${[b.internal_api, b.version, b.architecture].filter(Boolean).join(' ')}${b.num_threads ? ` (${b.num_threads} threads)` : ''}`);
      }
    }
    if (i.simd !== undefined) bits.push(`SIMD ${i.simd ? 'on' : 'off'}, multithread ${i.multithread ? 'on' : 'off'}`);
    if (Array.isArray(i.envRemoved) && i.envRemoved.length) bits.push(`unset ${(i.envRemoved as string[]).join(', ')}`);
    lines.push(`  ${name}: ${bits.join(', ')}`);
  }
  return lines;
}

function pad(s: string, w: number, left: boolean): string {
  return left ? s.padEnd(w) : s.padStart(w);
}

export function suiteTable(s: SuiteOut): string[] {
  const head = ['case', ...s.columns, 'tensile/best'];
  const body = s.rows.map((row) => [
    row.case,
    ...s.columns.map((c) => { const cell = row.cells[c]; return !cell ? '-' : 'missing' in cell ? 'missing' : fmtNum(cell.value); }),
    row.ratio === null ? '-' : `${row.ratio.toFixed(2)}x (${row.bestPeer})`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], i === 0)).join('  ').trimEnd();
  const out = [`${s.name}: ${s.title}${s.higherIsBetter ? ' (higher is better)' : ''}`, line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  // Why cells are missing: one line per peer when the reason is the same on every row.
  for (const c of s.columns) {
    const reasons = s.rows.map((r) => r.cells[c]).map((cell) => (cell && 'missing' in cell ? cell.missing : null));
    const missing = reasons.filter((x): x is string => x !== null);
    if (!missing.length) continue;
    if (missing.length === s.rows.length && new Set(missing).size === 1) out.push(`  ${c}: missing (${missing[0]})`);
    else s.rows.forEach((r, i) => { if (reasons[i] !== null) out.push(`  ${c}, ${r.case}: missing (${reasons[i]})`); });
  }
  return out;
}
