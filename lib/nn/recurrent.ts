/**
 * LSTM as torch.nn.LSTM: gate order (i, f, g, o), parameters weight_ih_l{k} [4H, in],
 * weight_hh_l{k} [4H, H], bias_ih_l{k} and bias_hh_l{k} [4H], all drawn from U(±1/√H).
 *
 *   i = σ(x W_ii^T + b_ii + h W_hi^T + b_hi)     f, o likewise; g with tanh
 *   c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c')
 *
 * Gradients come from the ops: the tape unrolls the time loop (backward walks it iteratively,
 * so long sequences do not overflow the stack). The loop works on per-step tensors, so no
 * step's gradient is the size of the whole sequence (see unbind).
 */
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, matmulT, mul, sigmoid, slice, split, squeeze, stack, tanh, unsqueeze, zeros } from '../ops/index.js';
import { isGradEnabled } from '../autograd/mode.js';
import { Module, type FactoryOptions, checkDevice, checkInput, factoryOf, newTensor } from './module.js';
import { uniform } from './init.js';
import { checkProbability, deriveSeed, dropout } from './dropout.js';

/** (h, c), each [numLayers, batch, hiddenSize] ([numLayers, hiddenSize] for unbatched input). */
export type LSTMState = [Tensor, Tensor];
/** PyTorch's return value: [output, [h_n, c_n]]. */
export type LSTMResult = [Tensor, LSTMState];

export interface LSTMOptions extends FactoryOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Input and output are [batch, time, features] instead of [time, batch, features] (default false, as PyTorch). */
  batchFirst?: boolean;
  /** Learn bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Dropout on each layer's output except the last, in training (default 0). */
  dropout?: number;
  /** Seed of the inter-layer dropout masks (see Dropout's seed). */
  seed?: number;
  /**
   * Keras mode: forward returns one tensor, the whole output sequence (true) or the last
   * step's output [batch, hiddenSize] (false), so the layer composes in Sequential. Left
   * undefined, forward returns PyTorch's [output, [h, c]].
   */
  returnSequences?: boolean;
}

type LSTMForward<RS> = RS extends boolean ? Tensor : LSTMResult;

/**
 * @example
 * const lstm = new tn.nn.LSTM(8, 16, { numLayers: 2, batchFirst: true });
 * const [out, [h, c]] = lstm.call(x);           // x: [B, T, 8] -> out: [B, T, 16], h, c: [2, B, 16]
 * const last = new tn.nn.LSTM(8, 16, { batchFirst: true, returnSequences: false }).call(x); // [B, 16]
 */
export class LSTM<RS extends boolean | undefined = undefined> extends Module<[Tensor, (LSTMState | null)?], LSTMForward<RS>> {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly bias: boolean;
  readonly dropout: number;
  readonly returnSequences: RS;
  private readonly seed: number | undefined;
  private dropoutCalls = 0;

  constructor(readonly inputSize: number, readonly hiddenSize: number, opts: LSTMOptions & { returnSequences?: RS } = {}) {
    super();
    const o = opts as LSTMOptions & Record<string, unknown>;
    for (const k of ['bidirectional', 'projSize', 'proj_size']) {
      if (o[k]) throw new TensileError('LSTM', `option '${k}' is not supported`);
    }
    for (const [k, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize], ['numLayers', opts.numLayers ?? 1]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new TensileError('LSTM', `${k} must be a positive integer, got ${String(v)}`);
    }
    this.numLayers = opts.numLayers ?? 1;
    this.batchFirst = opts.batchFirst ?? false;
    this.bias = opts.bias ?? true;
    this.dropout = opts.dropout ?? 0;
    checkProbability('LSTM', this.dropout);
    this.seed = opts.seed;
    this.returnSequences = (opts.returnSequences ?? undefined) as RS;
    const f = factoryOf('LSTM', opts);
    const bound = 1 / Math.sqrt(hiddenSize);
    const draw = (shape: number[]) => uniform(newTensor(shape, f), -bound, bound);
    // Registration order is PyTorch's _flat_weights_names order, hence its state-dict order.
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? inputSize : hiddenSize;
      this.registerParameter(`weight_ih_l${l}`, draw([4 * hiddenSize, inF]));
      this.registerParameter(`weight_hh_l${l}`, draw([4 * hiddenSize, hiddenSize]));
      if (this.bias) {
        this.registerParameter(`bias_ih_l${l}`, draw([4 * hiddenSize]));
        this.registerParameter(`bias_hh_l${l}`, draw([4 * hiddenSize]));
      }
    }
  }

  /**
   * Keras mode (returnSequences set): one tensor. Otherwise PyTorch's [output, [h_n, c_n]]
   * with output [T, B, H] ([B, T, H] with batchFirst).
   */
  forward(x: Tensor, state?: LSTMState | null): LSTMForward<RS> {
    if (this.returnSequences === undefined) return this.run(x, state, true) as LSTMForward<RS>;
    const [out, [h]] = this.run(x, state, this.returnSequences);
    if (this.returnSequences) return out as LSTMForward<RS>;
    // The last step's output of the last layer is that layer's final hidden state.
    return slice(h, this.numLayers - 1) as LSTMForward<RS>;
  }

  /** PyTorch's result whatever returnSequences says: [output, [h_n, c_n]]. */
  forwardWithState(x: Tensor, state?: LSTMState | null): LSTMResult {
    return this.run(x, state, true);
  }

  private run(xIn: Tensor, state: LSTMState | null | undefined, needSequence: boolean): LSTMResult {
    const x = checkInput('LSTM', xIn);
    const H = this.hiddenSize, L = this.numLayers;
    const layout = this.batchFirst ? '[batch, time, features]' : '[time, batch, features]';
    if (x.rank !== 2 && x.rank !== 3) {
      throw new TensileError('LSTM', `expected a 3-D input ${layout} or a 2-D unbatched one [time, features], got shape ${fmtShape(x.shape)}`);
    }
    if (x.shape[x.rank - 1] !== this.inputSize) {
      throw new TensileError('LSTM', `expected input with ${this.inputSize} features in its last dim (${layout}), got shape ${fmtShape(x.shape)}`);
    }
    const w0 = this.tensor('weight_ih_l0');
    checkDevice('LSTM', x, w0);
    const batched = x.rank === 3;
    const timeAxis = this.batchFirst ? 1 : 0;
    const inp = batched ? x : unsqueeze(x, 1 - timeAxis);
    const T = inp.shape[timeAxis], B = inp.shape[1 - timeAxis];
    if (T === 0) throw new TensileError('LSTM', `the input sequence is empty (shape ${fmtShape(x.shape)})`);

    const [h0, c0] = this.initialState(state, batched, B, x, w0);
    // Each layer consumes a list of per-step [B, in] tensors: layer 0 unbinds the input,
    // later layers take the previous layer's h_t as they are (no stack, no re-slicing).
    let steps = unbind(inp, timeAxis);
    const hn: Tensor[] = [], cn: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const wih = this.tensor(`weight_ih_l${l}`), whh = this.tensor(`weight_hh_l${l}`);
      const bias = this.bias ? add(this.tensor(`bias_ih_l${l}`), this.tensor(`bias_hh_l${l}`)) : null;
      let h = slice(h0, l), c = slice(c0, l);
      const outs: Tensor[] = [];
      for (let t = 0; t < T; t++) {
        // Per-step input GEMMs rather than one GEMM over the sequence: slicing that product
        // per step would give each step a gradient the size of the whole sequence.
        let gates = add(matmulT(steps[t], wih, false, true), matmulT(h, whh, false, true));
        if (bias) gates = add(gates, bias);
        const [gi, gf, gg, go] = split(gates, H, 1);
        c = add(mul(sigmoid(gf), c), mul(sigmoid(gi), tanh(gg)));
        h = mul(sigmoid(go), tanh(c));
        outs.push(h);
      }
      hn.push(h);
      cn.push(c);
      steps = outs;
      if (l < L - 1 && this.dropout > 0 && this.training) {
        steps = outs.map((o) => dropout(o, this.dropout, true, this.seed === undefined ? undefined : deriveSeed(this.seed, this.dropoutCalls++)));
      }
    }
    let output = needSequence ? stack(steps, timeAxis) : hn[L - 1];
    let hN = stack(hn, 0), cN = stack(cn, 0);
    if (!batched) {
      if (needSequence) output = squeeze(output, 1 - timeAxis);
      hN = squeeze(hN, 1);
      cN = squeeze(cN, 1);
    }
    return [output, [hN, cN]];
  }

  /** h0 and c0 as [L, B, H] (zeros when not given), validated against the input. */
  private initialState(state: LSTMState | null | undefined, batched: boolean, B: number, x: Tensor, w: Tensor): [Tensor, Tensor] {
    const L = this.numLayers, H = this.hiddenSize;
    if (state === undefined || state === null) {
      const z = zeros([L, B, H], { device: w.device, dtype: w.dtype });
      return [z, z];
    }
    if (!Array.isArray(state) || state.length !== 2) throw new TensileError('LSTM', 'the initial state must be a pair [h0, c0]');
    const want = batched ? [L, B, H] : [L, H];
    return state.map((s, i) => {
      const name = i === 0 ? 'h0' : 'c0';
      checkInput('LSTM', s, name);
      checkDevice('LSTM', s, w);
      if (s.rank !== want.length || s.shape.some((d, k) => d !== want[k])) {
        throw new TensileError('LSTM', `${name} must have shape ${fmtShape(want)} (numLayers, ${batched ? 'batch, ' : ''}hiddenSize) for input of shape ${fmtShape(x.shape)}, got ${fmtShape(s.shape)}`);
      }
      return batched ? s : unsqueeze(s, 1);
    }) as [Tensor, Tensor];
  }

  override extraRepr(): string {
    const extras = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) extras.push(`num_layers=${this.numLayers}`);
    if (!this.bias) extras.push('bias=False');
    if (this.batchFirst) extras.push('batch_first=True');
    if (this.dropout) extras.push(`dropout=${this.dropout}`);
    if (this.returnSequences !== undefined) extras.push(`return_sequences=${this.returnSequences ? 'True' : 'False'}`);
    return extras.join(', ');
  }
}

/**
 * The T slices of x along `axis` (each without that dim). Slicing is free, but the backward of
 * a slice is a zero tensor of x's full size with the slice's gradient copied in, so T slices of
 * a tensor that requires grad would cost O(T · size) time and memory in backward. Halving
 * recursively makes every tree level cost O(size): O(size · log T) in all.
 */
export function unbind(x: Tensor, axis: number): Tensor[] {
  const n = x.shape[axis];
  const pick = (t: Tensor, i: number) => (axis === 0 ? slice(t, i) : slice(t, null, i));
  if (!x.requiresGrad || !isGradEnabled()) return Array.from({ length: n }, (_, i) => pick(x, i));
  const out: Tensor[] = [];
  const halve = (t: Tensor): void => {
    const len = t.shape[axis];
    if (len === 1) { out.push(pick(t, 0)); return; }
    const m = len >> 1;
    halve(axis === 0 ? slice(t, [0, m]) : slice(t, null, [0, m]));
    halve(axis === 0 ? slice(t, [m, len]) : slice(t, null, [m, len]));
  };
  halve(x);
  return out;
}
