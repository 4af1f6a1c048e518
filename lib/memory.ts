/**
 * Memory bookkeeping: storages are reference-counted (views share one), tensors are tracked
 * by `tidy` scopes, and a FinalizationRegistry releases what the user forgot to dispose.
 */
import type { Backend, DeviceName, Storage } from './backends/backend.js';
import { bytesPerElement } from './dtype.js';
import { TensileError } from './errors.js';

export interface StorageRef {
  readonly backend: Backend;
  readonly buf: Storage;
  refs: number;
  readonly bytes: number;
}

interface Usage { tensors: number; bytes: number }
const usage = new Map<DeviceName, Usage>();
function usageOf(d: DeviceName): Usage {
  let u = usage.get(d);
  if (!u) usage.set(d, (u = { tensors: 0, bytes: 0 }));
  return u;
}

export function newStorageRef(backend: Backend, buf: Storage): StorageRef {
  const bytes = buf.size * bytesPerElement(buf.dtype);
  usageOf(backend.name).bytes += bytes;
  return { backend, buf, refs: 0, bytes };
}

export function retain(ref: StorageRef): void {
  ref.refs++;
}

export function release(ref: StorageRef): void {
  // (Storages of internal tensors were already taken out of the byte count; untrackTensor
  // adds them back just before this runs.)
  if (--ref.refs === 0) {
    usageOf(ref.backend.name).bytes -= ref.bytes;
    ref.backend.free(ref.buf);
  }
}

/** Anything tidy can dispose: tensors register themselves here. */
export interface Disposable {
  readonly isDisposed: boolean;
  dispose(): void;
  readonly device: DeviceName;
}

// GC safety net: a tensor collected without dispose() gives its storage back.
const registry = new FinalizationRegistry<{ ref: StorageRef; device: DeviceName; counted: boolean }>((held) => {
  if (held.counted) usageOf(held.device).tensors--;
  else usageOf(held.device).bytes += held.ref.bytes; // see markInternal
  release(held.ref);
});

/** Library-internal tensors (cached scalar constants) that tn.memory() does not count. */
const internal = new WeakSet<Disposable>();

/**
 * Marks a live tensor as library-internal: tn.memory() stops counting it (a cache of JS
 * scalars as 0-d tensors should not look like a leak in the user's loop).
 */
export function markInternal(t: Disposable, ref: StorageRef): void {
  if (internal.has(t)) return;
  internal.add(t);
  usageOf(t.device).tensors--;
  usageOf(t.device).bytes -= ref.bytes;
  const wasRegistered = !refOf.has(t);
  if (wasRegistered) {
    registry.unregister(t);
    registry.register(t, { ref, device: t.device, counted: false }, t);
  }
}

// Registering with the FinalizationRegistry is a large share of an op's cost, and a tensor
// made inside tidy is usually disposed by it: such tensors register only if they outlive
// every scope (returned to the top level, or kept).
const refOf = new WeakMap<Disposable, StorageRef>();

function register(t: Disposable): void {
  const ref = refOf.get(t);
  if (!ref) return;
  refOf.delete(t);
  registry.register(t, { ref, device: t.device, counted: !internal.has(t) }, t);
}

export function trackTensor(t: Disposable, ref: StorageRef): void {
  retain(ref);
  usageOf(t.device).tensors++;
  const scope = scopes[scopes.length - 1];
  if (scope) {
    scope.push(t);
    refOf.set(t, ref);
  } else {
    registry.register(t, { ref, device: t.device, counted: true }, t);
  }
}

export function untrackTensor(t: Disposable, ref: StorageRef): void {
  if (!refOf.delete(t)) registry.unregister(t);
  if (internal.has(t)) {
    usageOf(t.device).bytes += ref.bytes; // release() below subtracts the storage's bytes
  } else {
    usageOf(t.device).tensors--;
  }
  release(ref);
}

const scopes: Disposable[][] = [];
const kept = new WeakSet<Disposable>();

/** Collects every tensor inside a (possibly nested) result value. */
function collect(v: unknown, out: Set<unknown>, seen = new Set<unknown>()): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if ('dispose' in v && 'isDisposed' in v) { out.add(v); return; }
  if (Array.isArray(v)) for (const x of v) collect(x, out, seen);
  else if (v instanceof Map) for (const x of v.values()) collect(x, out, seen);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collect(x, out, seen);
}

/**
 * Runs fn and disposes every tensor it created except those it returns (inside arrays or
 * plain objects) and those marked with `keep`. Must be synchronous.
 * @example const y = tn.tidy(() => x.mul(2).add(1)); // the x.mul(2) temporary is freed
 */
export function tidy<T>(fn: () => T): T {
  const scope: Disposable[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!kept.has(t)) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) if (!kept.has(t)) t.dispose();
    throw new TensileError('tidy', 'the function returned a Promise; tidy only accepts synchronous functions');
  }
  const keepSet = new Set<unknown>();
  collect(result, keepSet);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (keepSet.has(t) || kept.has(t)) {
      if (parent && !kept.has(t)) parent.push(t);
      else register(t);
    } else t.dispose();
  }
  return result;
}

/**
 * Exempts a tensor from every enclosing `tidy`.
 * @example tn.tidy(() => { state = tn.keep(x.mul(2)); });
 */
export function keep<T extends Disposable>(t: T): T {
  kept.add(t);
  register(t);
  return t;
}

export interface MemoryInfo {
  /** Live (undisposed, uncollected) tensors on all devices. */
  numTensors: number;
  /** Bytes of live storage on all devices (views share their base's bytes). */
  numBytes: number;
  byDevice: { [d in DeviceName]?: { numTensors: number; numBytes: number } };
}

/**
 * Live tensors and bytes, in total and per device.
 * @example tn.memory().numTensors
 */
export function memory(): MemoryInfo {
  const info: MemoryInfo = { numTensors: 0, numBytes: 0, byDevice: {} };
  for (const [d, u] of usage) {
    info.numTensors += u.tensors;
    info.numBytes += u.bytes;
    info.byDevice[d] = { numTensors: u.tensors, numBytes: u.bytes };
  }
  return info;
}
