/**
 * The process-wide WebGPU context: Dawn's `create()` object (which must stay referenced for
 * the life of the process, or dawn.node aborts when it is collected), the adapter and the
 * device, opened once with the adapter's real limits rather than Dawn's defaults.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { TensileError } from '../../errors.js';
import type { AdapterProfile } from './specs.js';

export interface GpuContext {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** A software adapter (lavapipe, SwiftShader): a CPU runs the kernels (see chooseMatmulConfig). */
  readonly software: boolean;
  /** What kernel specialisations are chosen by (specs.ts, chooseMatmulConfig). */
  readonly profile: AdapterProfile;
  lost: string | null;
}

/** Held forever on purpose: see the file comment. */
let holder: { gpu: GPU } | null = null;
let opening: Promise<GpuContext> | null = null;

const VULKAN_HINT =
  'WebGPU runs through Dawn, which needs a Vulkan driver: on a machine without a GPU install ' +
  "Mesa's lavapipe (Debian 12: `sudo bash scripts/install-vulkan-cpu.sh`, which adds bookworm-backports " +
  'and installs mesa-vulkan-drivers and libvulkan1)';

async function open(): Promise<GpuContext> {
  let mod: { create: (opts: string[]) => GPU; globals: object };
  try {
    // dawn.node itself, not the package's ESM wrapper: a native module loads the same way
    // from ESM, CommonJS and test runners without require(esm).
    const req = createRequire(import.meta.url);
    const pkg = dirname(req.resolve('webgpu/package.json'));
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    mod = req(join(pkg, 'dist', `${process.platform}-${arch}`, 'dawn.node')) as typeof mod;
  } catch (e) {
    throw new TensileError('webgpu', `the 'webgpu' package (Dawn) could not be loaded: ${(e as Error).message}. ${VULKAN_HINT}`);
  }
  // Dawn's GPUBufferUsage etc. are needed as globals by code written against the spec.
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  if (!holder) holder = { gpu: mod.create([]) };
  const gpu = holder.gpu;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new TensileError('webgpu', `no WebGPU adapter was found. ${VULKAN_HINT}`);
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  const info = adapter.info as GPUAdapterInfo | undefined;
  const adapterName = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
  // isFallbackAdapter moved from the adapter to its info in the spec; Dawn versions differ.
  const fallback = (x: unknown) => (x as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  const software = /llvmpipe|lavapipe|swiftshader|software/i.test(adapterName) || fallback(adapter) || fallback(info);
  const profile: AdapterProfile = {
    software,
    // lavapipe runs workgroups on LP_NUM_THREADS threads, by default one per CPU.
    cores: Number(process.env.LP_NUM_THREADS) || availableParallelism(),
    maxInvocations: device.limits.maxComputeInvocationsPerWorkgroup,
    maxWorkgroupStorage: device.limits.maxComputeWorkgroupStorageSize,
  };
  const ctx: GpuContext = { gpu, adapter, device, adapterName, software, profile, lost: null };
  device.lost.then((i) => { ctx.lost = `${i.reason}: ${i.message}`; });
  return ctx;
}

/** Opens (once) and returns the WebGPU context. */
export function openGpu(): Promise<GpuContext> {
  if (!opening) {
    opening = open();
    opening.catch(() => { opening = null; });
  }
  return opening;
}
