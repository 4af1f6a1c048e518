#!/usr/bin/env node
/**
 * The `tensile` command: `npx tensile info` prints the version, the devices and why any are
 * missing; `npx tensile bench` measures tensile against numpy, PyTorch and tfjs (see
 * lib/cli/bench/); `npx tensile demo` trains a digits MLP with a progress bar (lib/cli/demo.ts).
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as os from 'node:os';
import * as tn from '../index.js';
import { DEVICES } from '../backends/backend.js';
import { unavailableReason } from '../device.js';

function version(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, '..', '..', 'package.json'), join(here, '..', 'package.json')]) {
    try { return JSON.parse(readFileSync(p, 'utf8')).version; } catch { /* try the next */ }
  }
  return 'unknown';
}

/** CPU features the native GEMM can use, from /proc/cpuinfo (Linux) when readable. */
function cpuFlags(): string[] {
  try {
    const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim().split(/\s+/) ?? [];
    return ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'amx_tile'].filter((f) => flags.includes(f));
  } catch {
    return [];
  }
}

async function info(json: boolean): Promise<void> {
  // Opening the GPU is part of the report: its adapter, or why there is none.
  let adapter: string | null = null;
  try {
    adapter = (await tn.initWebGPU()).adapter;
  } catch { /* the reason is in the device list */ }
  const devices = DEVICES.map((d) => ({ device: d, available: tn.availableDevices().includes(d), reason: unavailableReason(d) }));
  const native = tn.nativeInfo();
  const report = {
    version: version(),
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    cpuFeatures: cpuFlags(),
    native: native && { gemmIsa: native.isa, isas: native.isas, threads: native.threads, compiler: native.compiler },
    gpuAdapter: adapter,
    defaultDevice: tn.getDefaultDevice(),
    devices,
  };
  if (json) { console.log(JSON.stringify(report, null, 2)); return; }
  console.log(`tensile ${report.version} (node ${report.node}, ${report.platform})`);
  console.log(`cpu: ${report.cpu}, ${report.cores} cores, features: ${report.cpuFeatures.join(' ') || 'unknown'}`);
  if (native) console.log(`native addon: GEMM path ${native.isa} (available: ${native.isas.join(', ')}), ${native.threads} threads, ${native.compiler ?? ''}`);
  console.log(`gpu adapter: ${adapter ?? 'none'}`);
  console.log(`default device: ${report.defaultDevice}`);
  for (const d of devices) console.log(`  ${d.device.padEnd(7)} ${d.available ? 'available' : `unavailable: ${d.reason}`}`);
}

const USAGE = `usage: tensile <command> [options]

commands:
  info [--json]   version, devices and why any are unavailable
  bench [suite...] [--device cpu|js|webgpu] [--json] [--quick]
                  benchmarks against numpy, PyTorch and tfjs (suites: matmul, elementwise,
                  reduce, mlp, overhead; default all); \`tensile bench --help\` for more
  demo [--device cpu|js|webgpu] [--quick]
                  trains a digits MLP with a progress bar and prints its test accuracy
`;

export function main(argv: string[]): number | Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        device: { type: 'string' },
        quick: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    console.error(`tensile: ${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const cmd = positionals[0];
  if (cmd === 'bench') {
    // Loaded on demand: benchmark.js and the peers are not needed by other commands.
    return import('./bench/index.js').then(({ BENCH_USAGE, runBench }) => {
      if (values.help) { console.log(BENCH_USAGE); return 0; }
      return runBench({ suites: positionals.slice(1), device: values.device, json: !!values.json, quick: !!values.quick, version: version() });
    });
  }
  if (cmd === 'demo') {
    return import('./demo.js').then(({ DEMO_USAGE, runDemo }) => {
      if (values.help) { console.log(DEMO_USAGE); return 0; }
      return runDemo({ device: values.device, quick: !!values.quick });
    });
  }
  if (values.help || !cmd) { console.log(USAGE); return cmd || values.help ? 0 : 1; }
  if (cmd === 'info') return info(!!values.json).then(() => 0);
  console.error(`tensile: unknown command '${cmd}'\n\n${USAGE}`);
  return 1;
}

const code = main(process.argv.slice(2));
if (typeof code === 'number') process.exitCode = code;
else code.then((c) => { process.exitCode = c; }, (e) => { console.error(e); process.exitCode = 1; });
