#!/usr/bin/env node
// Builds the native addon with cmake-js (offline: node-api-headers). Never fails the install:
// on error it prints why, and the library runs on the js backend. TENSILE_REQUIRE_NATIVE=1
// (CI) makes a failed build an error instead.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.TENSILE_SKIP_NATIVE === '1') {
  console.log('tensile: TENSILE_SKIP_NATIVE=1, not building the native addon (the js backend will be used)');
  process.exit(0);
}
const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
const args = [cmakeJs, 'compile', '--directory', root];
if (process.env.TENSILE_SANITIZE === '1') args.push('--CDTENSILE_SANITIZE=ON', '--debug');
const t0 = Date.now();
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
if (r.status === 0) {
  console.log(`tensile: native addon built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(0);
}
const why = r.error ? r.error.message : `cmake-js exited with ${r.status}`;
console.warn(`tensile: the native addon failed to build (${why}); tensile will run on the js backend.`);
console.warn('tensile: a C++17 compiler and cmake are needed (Debian: apt-get install g++ cmake).');
process.exit(process.env.TENSILE_REQUIRE_NATIVE === '1' ? 1 : 0);
