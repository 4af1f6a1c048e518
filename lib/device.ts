/**
 * Which backends exist and which one new tensors go to. Backends register themselves; the js
 * oracle is always there. `TENSILE_DEVICE` picks the default at start-up.
 */
import type { Backend, DeviceName } from './backends/backend.js';
import { DEVICES } from './backends/backend.js';
import { jsBackend } from './backends/js/js-backend.js';
import { loadAddon, type NativeAddon, type NativeInfo } from './backends/cpu/addon.js';
import { createCpuBackend } from './backends/cpu/cpu-backend.js';
import { openGpu } from './backends/webgpu/context.js';
import { createWebGpuBackend, type WebGpuBackend } from './backends/webgpu/webgpu-backend.js';
import { TensileError } from './errors.js';

const backends = new Map<DeviceName, Backend>([['js', jsBackend]]);
/** Why a device is missing, for the error a user sees when asking for it. */
const unavailable = new Map<DeviceName, string>();
let defaultDevice: DeviceName | undefined;

// The native addon: loaded once, synchronously; if it is missing the library runs on js.
let native: NativeAddon | null = null;
{
  const load = loadAddon();
  if (load.addon) {
    try {
      backends.set('cpu', createCpuBackend(load.addon));
      native = load.addon;
    } catch (e) {
      unavailable.set('cpu', (e as Error).message);
    }
  } else {
    unavailable.set('cpu', load.reason);
  }
}

unavailable.set('webgpu', 'it is not initialised: call `await tn.initWebGPU()` first');

/**
 * Opens the GPU (Dawn through the npm `webgpu` package) and registers the `webgpu` device.
 * Asynchronous, so it is explicit; safe to call again. Throws a TensileError with the
 * install hint when no adapter exists (no Vulkan driver).
 * @example await tn.initWebGPU(); const g = tn.randn([1024, 1024], { device: 'webgpu' });
 */
export async function initWebGPU(): Promise<{ adapter: string }> {
  const existing = backends.get('webgpu') as WebGpuBackend | undefined;
  if (existing) return { adapter: existing.adapterName };
  try {
    const b = createWebGpuBackend(await openGpu());
    backends.set('webgpu', b);
    unavailable.delete('webgpu');
    return { adapter: b.adapterName };
  } catch (e) {
    const msg = e instanceof TensileError ? e.message.replace(/^webgpu: /, '') : (e as Error).message;
    unavailable.set('webgpu', msg);
    throw e instanceof TensileError ? e : new TensileError('webgpu', msg);
  }
}

/** The native addon's build and run-time facts (ISA in use, threads), or null without it. */
export function nativeInfo(): NativeInfo | null {
  return native ? native.info() : null;
}

/**
 * Sets the cpu backend's thread count (default: all cores, or TENSILE_NUM_THREADS).
 * @example tn.setNumThreads(1)
 */
export function setNumThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new TensileError('setNumThreads', `expected a positive integer, got ${n}`);
  if (!native) throw new TensileError('setNumThreads', `device 'cpu' is not available: ${unavailable.get('cpu')}`);
  return native.setNumThreads(n);
}

/** @internal forces the GEMM ISA path (tests run every path the CPU has) */
export function setGemmIsa(isa: string): boolean {
  return native ? native.setIsa(isa) : false;
}

let warned = false;
function warnNoNative(): void {
  if (warned) return;
  warned = true;
  process.emitWarning(`tensile: the cpu backend is unavailable, using the js backend (${unavailable.get('cpu')})`, 'TensileWarning');
}

export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
  unavailable.delete(b.name);
}

export function markUnavailable(name: DeviceName, reason: string): void {
  if (!backends.has(name)) unavailable.set(name, reason);
}

export function checkDevice(op: string, d: unknown): DeviceName {
  if (typeof d === 'string' && (DEVICES as readonly string[]).includes(d)) return d as DeviceName;
  throw new TensileError(op, `argument 'device' must be one of ${DEVICES.join(', ')}, got ${String(d)}`);
}

export function getBackend(name: DeviceName, op = 'device'): Backend {
  checkDevice(op, name);
  const b = backends.get(name);
  if (b) return b;
  const why = unavailable.get(name) ?? 'its backend is not built in this version';
  throw new TensileError(op, `device '${name}' is not available: ${why}`);
}

/** Why a device cannot be used, or null when it can. */
export function unavailableReason(name: DeviceName): string | null {
  if (backends.has(name)) return null;
  return unavailable.get(name) ?? 'its backend is not built in this version';
}

/** Devices whose backends are loaded and usable. */
export function availableDevices(): DeviceName[] {
  return DEVICES.filter((d) => backends.has(d));
}

export function listBackends(): Backend[] {
  return [...backends.values()];
}

/** The device new tensors are created on. */
export function getDefaultDevice(): DeviceName {
  if (defaultDevice === undefined) {
    const env = process.env.TENSILE_DEVICE;
    if (!env && !backends.has('cpu')) warnNoNative();
    defaultDevice = env ? checkDevice('TENSILE_DEVICE', env) : backends.has('cpu') ? 'cpu' : 'js';
    getBackend(defaultDevice, 'TENSILE_DEVICE');
  }
  return defaultDevice;
}

/**
 * Sets the device new tensors are created on.
 * @example tn.setDefaultDevice('js');
 */
export function setDefaultDevice(device: DeviceName): void {
  const d = checkDevice('setDefaultDevice', device);
  getBackend(d, 'setDefaultDevice');
  defaultDevice = d;
}
