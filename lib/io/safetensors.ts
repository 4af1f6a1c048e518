/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
 * N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__: {
 * string: string } }` (padded with spaces), then the tensors' bytes, little-endian, row-major,
 * offsets relative to the end of the header. Files written by PyTorch (`safetensors.torch`)
 * read here, and files written here read there.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { TensileError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { DType, TypedArray } from '../dtype.js';
import type { DeviceName } from '../backends/backend.js';
import { tensor } from '../ops/index.js';

/** safetensors' dtype names and how tensile stores each (narrow ints widen to int32, halves to float32). */
const READ: Record<string, { bytes: number; dtype: DType }> = {
  F64: { bytes: 8, dtype: 'float64' }, F32: { bytes: 4, dtype: 'float32' }, F16: { bytes: 2, dtype: 'float32' }, BF16: { bytes: 2, dtype: 'float32' },
  I64: { bytes: 8, dtype: 'int32' }, I32: { bytes: 4, dtype: 'int32' }, I16: { bytes: 2, dtype: 'int32' }, I8: { bytes: 1, dtype: 'int32' },
  U64: { bytes: 8, dtype: 'int32' }, U32: { bytes: 4, dtype: 'int32' }, U16: { bytes: 2, dtype: 'int32' }, U8: { bytes: 1, dtype: 'int32' },
  BOOL: { bytes: 1, dtype: 'bool' },
};
const WRITE: { [K in DType]: string } = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

/** The safetensors library rejects headers above 100 MB; so do we (a corrupt length would ask for more). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

function corrupt(path: string, why: string): TensileError {
  return new TensileError('io.load', `${path} is not a valid safetensors file: ${why}`);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

/** The elements of one tensor's bytes in tensile's dtype. */
function decode(path: string, name: string, code: string, bytes: Uint8Array, size: number): TypedArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wide = (get: (i: number) => number) => { const out = new Int32Array(size); for (let i = 0; i < size; i++) out[i] = get(i); return out; };
  switch (code) {
    case 'F64': { const out = new Float64Array(size); for (let i = 0; i < size; i++) out[i] = view.getFloat64(i * 8, true); return out; }
    case 'F32': { const out = new Float32Array(size); for (let i = 0; i < size; i++) out[i] = view.getFloat32(i * 4, true); return out; }
    case 'F16': { const out = new Float32Array(size); for (let i = 0; i < size; i++) out[i] = halfToFloat(view.getUint16(i * 2, true)); return out; }
    case 'BF16': {
      const out = new Float32Array(size);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < size; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'I32': return wide((i) => view.getInt32(i * 4, true));
    case 'I16': return wide((i) => view.getInt16(i * 2, true));
    case 'I8': return wide((i) => view.getInt8(i));
    case 'U16': return wide((i) => view.getUint16(i * 2, true));
    case 'U8': return wide((i) => view.getUint8(i));
    case 'BOOL': return Uint8Array.from(bytes, (b) => (b ? 1 : 0));
    default: {
      // I64, U64, U32: int32 when every value fits (PyTorch's int64 buffers, e.g. num_batches_tracked).
      const get = code === 'I64' ? (i: number) => view.getBigInt64(i * 8, true)
        : code === 'U64' ? (i: number) => view.getBigUint64(i * 8, true) : (i: number) => BigInt(view.getUint32(i * 4, true));
      return wide((i) => {
        const v = get(i);
        if (v < -2147483648n || v > 2147483647n) throw new TensileError('io.load', `${path}: tensor '${name}' (${code}) holds ${v}, outside int32, tensile's integer type`);
        return Number(v);
      });
    }
  }
}

/** Parses a safetensors buffer into tensors on `device` and the metadata. */
export function parseSafetensors(buf: Uint8Array, path: string, device?: DeviceName): SafetensorsContents {
  if (endianness() !== 'LE') throw new TensileError('io.load', 'safetensors reading needs a little-endian host');
  if (buf.length < 8) throw corrupt(path, `the file has ${buf.length} bytes, fewer than the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = dv.getBigUint64(0, true);
  if (n > BigInt(buf.length - 8)) throw corrupt(path, `the header length ${n} exceeds the ${buf.length - 8} bytes after it`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw corrupt(path, `the header length ${n} exceeds 100 MB`);
  const start = 8 + Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, start)));
  } catch (e) {
    throw corrupt(path, `the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw corrupt(path, 'the header is not a JSON object');
  const dataBytes = buf.length - start;
  const metadata: Record<string, string> = {};
  const entries: [string, { code: string; shape: number[]; begin: number; end: number }][] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) throw corrupt(path, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== 'string') throw corrupt(path, `__metadata__ entry '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const i = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (i === null || typeof i !== 'object') throw corrupt(path, `the entry for tensor '${name}' is not an object`);
    if (typeof i.dtype !== 'string' || !Object.prototype.hasOwnProperty.call(READ, i.dtype)) {
      throw corrupt(path, `tensor '${name}' has dtype ${JSON.stringify(i.dtype)}; known: ${Object.keys(READ).join(', ')}`);
    }
    if (!Array.isArray(i.shape) || !i.shape.every((d) => Number.isInteger(d) && d >= 0)) throw corrupt(path, `tensor '${name}' has shape ${JSON.stringify(i.shape)}`);
    const off = i.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[0] > off[1] || off[1] > dataBytes) {
      throw corrupt(path, `tensor '${name}' has data_offsets ${JSON.stringify(off)} outside the ${dataBytes} data bytes`);
    }
    const size = (i.shape as number[]).reduce((a, b) => a * b, 1);
    if (off[1] - off[0] !== size * READ[i.dtype].bytes) {
      throw corrupt(path, `tensor '${name}' (${i.dtype}, shape [${(i.shape as number[]).join(',')}]) needs ${size * READ[i.dtype].bytes} bytes but data_offsets give ${off[1] - off[0]}`);
    }
    entries.push([name, { code: i.dtype, shape: i.shape as number[], begin: off[0], end: off[1] }]);
  }
  const tensors: Record<string, Tensor> = {};
  try {
    for (const [name, e] of entries) {
      const size = e.shape.reduce((a, b) => a * b, 1);
      const values = decode(path, name, e.code, buf.subarray(start + e.begin, start + e.end), size);
      tensors[name] = tensor(values, { dtype: READ[e.code].dtype, shape: e.shape, device });
    }
  } catch (err) {
    for (const t of Object.values(tensors)) t.dispose();
    throw err;
  }
  return { tensors, metadata };
}

/**
 * Reads a safetensors file: every tensor (on `device`, default the default device) and the
 * metadata. F16/BF16 become float32 and integer types int32.
 * @example const { tensors, metadata } = await tn.io.readSafetensors('model.safetensors');
 */
export async function readSafetensors(path: string, opts: { device?: DeviceName } = {}): Promise<SafetensorsContents> {
  if (typeof path !== 'string') throw new TensileError('io.load', `argument 'path' must be a string, got ${typeof path}`);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new TensileError('io.load', `cannot read ${path}: ${(e as Error).message}`);
  }
  return parseSafetensors(buf, path, opts.device);
}

/** The bytes of a safetensors file holding `tensors` (host copies) and the metadata. */
export function encodeSafetensors(tensors: [string, { dtype: DType; shape: readonly number[]; data: TypedArray }][], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new TensileError('io.save', "a tensor cannot be named '__metadata__'");
    const bytes = t.data.byteLength;
    header[name] = { dtype: WRITE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const jsonBytes = () => Buffer.byteLength(json, 'utf8');
  while ((8 + jsonBytes()) % 8 !== 0) json += ' ';
  const n = jsonBytes();
  const out = Buffer.alloc(8 + n + offset);
  out.writeBigUInt64LE(BigInt(n), 0);
  out.write(json, 8, 'utf8');
  let at = 8 + n;
  for (const [, t] of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Writes to `path` through a temporary file, so a reader never sees half a checkpoint. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    throw new TensileError('io.save', `cannot write ${path}: ${(e as Error).message}`);
  }
}

/**
 * Writes tensors (any device) and string metadata as a safetensors file.
 * @example await tn.io.writeSafetensors('t.safetensors', { w: tn.randn([2, 3]) }, { note: 'hi' });
 */
export async function writeSafetensors(path: string, tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Promise<void> {
  const entries: [string, { dtype: DType; shape: readonly number[]; data: TypedArray }][] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new TensileError('io.save', `entry '${name}' is not a Tensor`);
    t.assertAlive('io.save', name);
    entries.push([name, { dtype: t.dtype, shape: t.shape, data: await t.data() }]);
  }
  for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new TensileError('io.save', `metadata '${k}' must be a string, got ${typeof v}`);
  await writeFileAtomic(path, encodeSafetensors(entries, metadata));
}
