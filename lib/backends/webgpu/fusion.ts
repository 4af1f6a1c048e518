/**
 * Lazy fusion of elementwise chains on webgpu. An elementwise op whose output is a fresh
 * contiguous storage is not dispatched: it records an expression over its inputs, and an
 * input that is itself such a pending result is inlined. The chain is computed by one
 * generated kernel when something needs the values (another kernel, a read, a write to a
 * leaf), and not at all if the result is freed first. x.mul(2).add(1).relu() is one dispatch.
 */
import type { View } from '../backend.js';
import type { Kind } from './ops.js';

/** A storage that holds real data, read at a strided view. */
export interface Leaf<S> { readonly s: S; readonly view: View; readonly kind: Kind; readonly as: Kind }
export type Arg = { readonly leaf: number } | { readonly node: FNode };
/** An op: a WGSL expression over a0..a2, one argument each. */
export interface FNode { readonly expr: string; readonly args: readonly Arg[] }
export interface Fused<S> {
  readonly leaves: readonly Leaf<S>[];
  readonly root: FNode;
  readonly shape: readonly number[];
  readonly outKind: Kind;
  /** Ops in the chain (bounds the generated kernel's size). */
  readonly nodes: number;
}

/** A kernel binds out + leaves storage buffers: 6 leaves stay within every adapter's limit. */
export const MAX_LEAVES = 6;
export const MAX_NODES = 48;

function sameView(a: View, b: View): boolean {
  return a.offset === b.offset && a.strides.length === b.strides.length && a.strides.every((s, i) => s === b.strides[i]) &&
    a.shape.every((d, i) => d === b.shape[i]);
}

/** Adds a leaf (deduplicated) and returns its index. */
export function addLeaf<S>(leaves: Leaf<S>[], leaf: Leaf<S>): number {
  const i = leaves.findIndex((l) => l.s === leaf.s && l.kind === leaf.kind && l.as === leaf.as && sameView(l.view, leaf.view));
  if (i >= 0) return i;
  leaves.push(leaf);
  return leaves.length - 1;
}

/** Copies a pending chain into `leaves`, returning its root with leaf indices remapped. */
export function inline<S>(leaves: Leaf<S>[], f: Fused<S>): FNode {
  const map = f.leaves.map((l) => addLeaf(leaves, l));
  const remap = (n: FNode): FNode => ({
    expr: n.expr,
    args: n.args.map((a) => ('leaf' in a ? { leaf: map[a.leaf] } : { node: remap(a.node) })),
  });
  return remap(f.root);
}

/** The WGSL pieces of the fused kernel for a chain (and its cache key). */
export function generate<S>(f: Fused<S>, bufferIndex: (s: S) => number): Record<string, string> {
  const body: string[] = [];
  let id = 0;
  const emit = (n: FNode): string => {
    const args = n.args.map((a) => ('leaf' in a ? `l${a.leaf}` : emit(a.node)));
    const v = `v${id++}`;
    body.push(`let ${v} = ${n.expr.replace(/\ba([0-2])\b/g, (_, k: string) => args[Number(k)])};`);
    return v;
  };
  const result = emit(f.root);
  const bindings = new Map<number, string>();
  const offsets: string[] = [], advance: string[] = [], loads: string[] = [];
  f.leaves.forEach((l, k) => {
    const b = bufferIndex(l.s);
    bindings.set(b, `@group(0) @binding(${b + 2}) var<storage, read> in${b}: array<${l.kind}>;`);
    offsets.push(`var o${k} = prm(${10 + 9 * k}u);`);
    advance.push(`o${k} += idx * prm(${11 + 9 * k}u + u32(d));`);
    const raw = `in${b}[o${k}]`;
    loads.push(`let l${k} = ${l.kind === l.as ? raw : `${l.as}(${raw})`};`);
  });
  return {
    TOUT: f.outKind,
    BINDINGS: [...bindings.values()].join('\n'),
    OFFSETS: offsets.join('\n  '),
    ADVANCE: advance.join('\n    '),
    BODY: [...loads, ...body].join('\n  '),
    RESULT: result,
  };
}
