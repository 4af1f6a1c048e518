#!/usr/bin/env node
/**
 * The `tensile` command: `npx tensile info` prints the version, the devices and why any are
 * missing. Subcommands are added as their parts land (bench, demo).
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

function info(json: boolean): void {
  const devices = DEVICES.map((d) => ({ device: d, available: tn.availableDevices().includes(d), reason: unavailableReason(d) }));
  const report = {
    version: version(),
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    defaultDevice: tn.getDefaultDevice(),
    devices,
  };
  if (json) { console.log(JSON.stringify(report, null, 2)); return; }
  console.log(`tensile ${report.version} (node ${report.node}, ${report.platform})`);
  console.log(`cpu: ${report.cpu}, ${report.cores} cores`);
  console.log(`default device: ${report.defaultDevice}`);
  for (const d of devices) console.log(`  ${d.device.padEnd(7)} ${d.available ? 'available' : `unavailable: ${d.reason}`}`);
}

const USAGE = `usage: tensile <command> [options]

commands:
  info [--json]   version, devices and why any are unavailable
`;

export function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const cmd = positionals[0];
  if (values.help || !cmd) { console.log(USAGE); return cmd || values.help ? 0 : 1; }
  if (cmd === 'info') { info(!!values.json); return 0; }
  console.error(`tensile: unknown command '${cmd}'\n\n${USAGE}`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
