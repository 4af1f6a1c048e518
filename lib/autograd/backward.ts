/**
 * Reverse-mode sweep over the dynamic tape. The order is an iterative post-order DFS (a
 * recursive walk would overflow the stack on a long RNN unroll).
 */
import { Tensor } from '../tensor.js';
import { TensileError, fmtShape } from '../errors.js';
import { keep, tidy } from '../memory.js';
import { enableGrad, noGrad } from './mode.js';
import { add, addInPlace, clone, contiguous, onesLike, zerosLike } from '../ops/index.js';

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher derivatives. Implies retainGraph. */
  createGraph?: boolean;
}

/** Tensors reachable from roots through nodes that require grad, roots first. */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const post: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push([r, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const inputs = top[0].node?.inputs ?? [];
      if (top[1] < inputs.length) {
        const child = inputs[top[1]++];
        if (child.requiresGrad && !seen.has(child)) { seen.add(child); stack.push([child, 0]); }
      } else {
        post.push(top[0]);
        stack.pop();
      }
    }
  }
  return post.reverse();
}

interface SweepOptions extends BackwardOptions {
  /** Collect gradients for these tensors (tn.grad); otherwise accumulate into leaves' .grad. */
  wrt?: readonly Tensor[];
}

// .grad always owns its tensor: an incoming gradient may be shared (add's rule passes g to
// both inputs) or be the caller's own tensor, so the first one is copied, not adopted.
function accumulateInto(t: Tensor, g: Tensor, createGraph: boolean): void {
  if (t.grad) {
    const next = add(t.grad, g);
    if (!createGraph) t.grad.dispose();
    t.grad = keep(next);
  } else {
    t.grad = keep(clone(g));
  }
}

/** The sweep shared by `backward()` and `tn.grad`. Returns gradients for opts.wrt. */
export function sweep(roots: readonly Tensor[], rootGrads: readonly Tensor[], opts: SweepOptions): Tensor[] {
  const createGraph = !!opts.createGraph;
  const retainGraph = createGraph || !!opts.retainGraph;
  const wrt = opts.wrt;
  const run = (): Tensor[] => {
    const grads = new Map<Tensor, Tensor>();
    roots.forEach((r, i) => grads.set(r, rootGrads[i]));
    const order = topoOrder(roots);
    const found = new Map<Tensor, Tensor>();
    // Without createGraph, gradients are plain values: sums the sweep made itself ("owned")
    // are updated in place, and a gradient no entry holds any more is freed at once, so the
    // peak memory of a long chain stays near one step's worth instead of the whole sweep's.
    const owned = new Set<Tensor>();
    const holds = new Map<Tensor, number>();
    const hold = (g: Tensor) => holds.set(g, (holds.get(g) ?? 0) + 1);
    const drop = (g: Tensor) => {
      const n = (holds.get(g) ?? 1) - 1;
      if (n > 0) { holds.set(g, n); return; }
      holds.delete(g);
      if (!createGraph && !rootGrads.includes(g) && ![...found.values()].includes(g)) g.dispose();
    };
    const put = (inp: Tensor, gi: Tensor) => {
      const prev = grads.get(inp);
      if (!prev) { grads.set(inp, gi); hold(gi); return; }
      if (!createGraph && owned.has(prev) && holds.get(prev) === 1) { addInPlace(prev, gi); return; }
      const sum = add(prev, gi);
      if (!createGraph) owned.add(sum);
      grads.set(inp, sum);
      hold(sum);
      drop(prev);
    };
    /** The input's accumulated gradient as an owned tensor that may be updated in place. */
    const ownedAcc = (inp: Tensor): Tensor => {
      const prev = grads.get(inp);
      if (prev && owned.has(prev) && holds.get(prev) === 1) return prev;
      const acc = prev ? clone(prev) : zerosLike(inp);
      owned.add(acc);
      grads.set(inp, acc);
      hold(acc);
      if (prev) drop(prev);
      return acc;
    };
    roots.forEach((r, i) => hold(rootGrads[i]));
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      if (wrt) {
        if (wrt.includes(t)) found.set(t, g);
      } else if (t.isLeaf || t.retainsGrad) {
        if (t.requiresGrad) accumulateInto(t, g, createGraph);
      }
      const node = t.node;
      if (!node) continue;
      if (t.isDisposed) {
        throw new TensileError('backward', `tensor #${t.id} (made by '${node.op}', shape ${fmtShape(t.shape)}) on the graph was disposed before backward(); run backward inside the tidy that made it`);
      }
      if (node.freed) {
        throw new TensileError('backward', `the graph through '${node.op}' was freed by an earlier backward(); pass { retainGraph: true } to the first call`);
      }
      if (!createGraph && node.accumulate && node.inputs.length === 1 && node.inputs[0].requiresGrad) {
        node.accumulate(g, ownedAcc(node.inputs[0]));
      } else {
        const gs = node.backward(g);
        node.inputs.forEach((inp, i) => {
          const gi = gs[i];
          if (!gi || !inp.requiresGrad) return;
          if (gi.shape.length !== inp.shape.length || gi.shape.some((d, k) => d !== inp.shape[k])) {
            throw new TensileError('backward', `internal: '${node.op}' gave a gradient of shape ${fmtShape(gi.shape)} for an input of shape ${fmtShape(inp.shape)}`);
          }
          put(inp, gi);
        });
      }
      if (!retainGraph) node.freed = true;
      grads.delete(t);
      drop(g);
    }
    return (wrt ?? []).map((x) => {
      const g = found.get(x);
      return g ? (g.isContiguous ? g : contiguous(g)) : (null as unknown as Tensor);
    });
  };
  // Without createGraph, every intermediate gradient is a temporary: tidy frees them, keeping
  // the results (returned) and the leaves' .grad (marked with keep).
  return createGraph ? enableGrad(run) : noGrad(() => tidy(run));
}

export function runBackward(root: Tensor, grad: Tensor | undefined, opts: BackwardOptions): void {
  root.assertAlive('backward');
  if (!root.requiresGrad) {
    throw new TensileError('backward', `tensor of shape ${fmtShape(root.shape)} does not require grad (no input had requiresGrad, or it was made under noGrad)`);
  }
  let g = grad;
  if (g === undefined) {
    if (root.size !== 1) {
      throw new TensileError('backward', `a gradient can be created implicitly only for a one-element output; got shape ${fmtShape(root.shape)}: pass backward(grad)`);
    }
    g = noGrad(() => onesLike(root));
  } else if (!(g instanceof Tensor)) {
    throw new TensileError('backward', `argument 'grad' must be a Tensor, got ${g === null ? 'null' : typeof g}`);
  } else if (g.shape.length !== root.shape.length || g.shape.some((d, i) => d !== root.shape[i])) {
    throw new TensileError('backward', `argument 'grad' has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(root.shape)}`);
  }
  g.assertAlive('backward', 'grad');
  sweep([root], [g], opts);
}
