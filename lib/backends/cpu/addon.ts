/**
 * Loads the native addon (build/Release/tensile.node, built by cmake-js at install time).
 * Never throws: a missing or broken build is reported with its reason.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeInfo {
  isa: string;
  isas: string[];
  threads: number;
  unaryOps: string[];
  binaryOps: string[];
  reduceOps: string[];
  compiler?: string;
}

/** The addon's exports (see native/src/addon.cc). Typed arrays are passed without copies. */
export interface NativeAddon {
  init(meta: Int32Array): void;
  unary(op: number, x: ArrayBufferView, out: ArrayBufferView): void;
  binary(op: number, a: ArrayBufferView, b: ArrayBufferView, out: ArrayBufferView): void;
  where(c: ArrayBufferView, a: ArrayBufferView, b: ArrayBufferView, out: ArrayBufferView): void;
  copy(x: ArrayBufferView, out: ArrayBufferView): void;
  fill(out: ArrayBufferView, value: number): void;
  reduce(op: number, x: ArrayBufferView, out: ArrayBufferView): void;
  matmul(a: ArrayBufferView, b: ArrayBufferView, out: ArrayBufferView): void;
  gather(x: ArrayBufferView, index: ArrayBufferView, out: ArrayBufferView): void;
  scatterAdd(index: ArrayBufferView, src: ArrayBufferView, out: ArrayBufferView): void;
  random(out: ArrayBufferView, normal: number, seed: number, counter: number): void;
  softmax(log: boolean, x: ArrayBufferView, out: ArrayBufferView): void;
  adamUpdate(p: ArrayBufferView, g: ArrayBufferView, m: ArrayBufferView, v: ArrayBufferView, vmax: ArrayBufferView | null, o: object): void;
  info(): NativeInfo;
  setNumThreads(n: number): number;
  setIsa(name: string): boolean;
  // The tn.linalg and tn.ml routines the addon also exports are typed where they are used
  // (lib/linalg/kernels-cpu.ts, lib/ml/cd-native.ts, lib/ml/smo-native.ts).
}

function packageRoot(): string {
  // lib/backends/cpu (sources under jest) or dist/backends/cpu (the build): three levels up.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

export type AddonLoad = { addon: NativeAddon; path: string } | { addon: null; reason: string };

export function loadAddon(): AddonLoad {
  const candidates = [process.env.TENSILE_ADDON, join(packageRoot(), 'build', 'Release', 'tensile.node')].filter(Boolean) as string[];
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    return { addon: null, reason: `the native addon was not built (no ${candidates.join(' or ')}); run \`npm run build:native\` and see its output` };
  }
  try {
    const req = createRequire(import.meta.url);
    return { addon: req(path) as NativeAddon, path };
  } catch (e) {
    return { addon: null, reason: `the native addon at ${path} failed to load: ${(e as Error).message}` };
  }
}
