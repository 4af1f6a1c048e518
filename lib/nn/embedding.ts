/** Embedding: a lookup table of learned vectors indexed by integer ids. */
import { TensileError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/mode.js';
import { tidy } from '../memory.js';
import { cast, clone, fillInPlace, floor, indexSelect, ne, reshape, slice, sum, unsqueeze, where } from '../ops/index.js';
import { Module, type FactoryOptions, checkDevice, checkInput, factoryOf, newTensor } from './module.js';
import { normal } from './init.js';

export interface EmbeddingOptions extends FactoryOptions {
  /** This row starts as zeros and receives no gradient (a negative value counts from the end). */
  paddingIdx?: number | null;
}

/**
 * torch.nn.Embedding: weight [numEmbeddings, embeddingDim] drawn from N(0, 1); input ids of
 * any shape give [...ids.shape, embeddingDim].
 * @example const emb = new tn.nn.Embedding(1000, 16, { paddingIdx: 0 }); emb.call(tn.tensor([[1, 2, 0]], { dtype: 'int32' }))
 */
export class Embedding extends Module {
  readonly paddingIdx: number | null;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    for (const [k, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new TensileError('Embedding', `${k} must be a non-negative integer, got ${String(v)}`);
    }
    this.paddingIdx = normalizePadding(opts.paddingIdx ?? null, numEmbeddings);
    const w = normal(newTensor([numEmbeddings, embeddingDim], factoryOf('Embedding', opts)));
    if (this.paddingIdx !== null) noGrad(() => fillInPlace(slice(w, this.paddingIdx!), 0));
    this.registerParameter('weight', w);
  }

  /**
   * An Embedding holding a copy of `embeddings` ([num, dim]); frozen (no gradient) unless
   * `freeze: false`, as torch's from_pretrained.
   */
  static fromPretrained(embeddings: Tensor, opts: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    checkInput('Embedding.fromPretrained', embeddings, 'embeddings');
    if (embeddings.rank !== 2) throw new TensileError('Embedding.fromPretrained', `embeddings must be 2-D [num, dim], got shape ${fmtShape(embeddings.shape)}`);
    const dtype = embeddings.dtype === 'float64' ? 'float64' : 'float32';
    const e = new Embedding(embeddings.shape[0], embeddings.shape[1], { paddingIdx: opts.paddingIdx, device: embeddings.device, dtype });
    const w = noGrad(() => clone(cast(embeddings, dtype)));
    e.registerParameter('weight', w);
    if (opts.freeze ?? true) w.requiresGrad_(false);
    return e;
  }

  get weight(): Tensor { return this.tensor('weight'); }

  forward(ids: Tensor): Tensor {
    checkInput('Embedding', ids);
    const w = this.weight;
    checkDevice('Embedding', ids, w);
    let idx = ids;
    if (ids.dtype !== 'int32') {
      // Keras feeds ids as floats; accept them when they hold integers (checked where a
      // synchronous read is possible; webgpu truncates unchecked).
      const fractional = () => ids.device !== 'webgpu' && noGrad(() => tidy(() => sum(ne(floor(ids), ids)).itemSync())) !== 0;
      if (ids.dtype === 'bool' || fractional()) {
        throw new TensileError('Embedding', `ids must be int32 (or floats holding integers), got dtype ${ids.dtype}`);
      }
      idx = noGrad(() => cast(ids.detach(), 'int32'));
    }
    const flat = reshape(idx, [idx.size]);
    let out: Tensor;
    try {
      out = indexSelect(w, 0, flat);
    } catch (e) {
      if (e instanceof TensileError && /out of range/.test(e.message)) {
        throw new TensileError('Embedding', `an id is out of range for ${this.numEmbeddings} embeddings (${e.message})`);
      }
      throw e;
    }
    if (this.paddingIdx !== null && w.requiresGrad) {
      // Same values, but the padding rows' gradient is cut: where passes g only where the
      // id is not padding, and the detached copy carries none.
      out = where(unsqueeze(ne(flat, this.paddingIdx), 1), out, out.detach());
    }
    return reshape(out, [...idx.shape, this.embeddingDim]);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}

function normalizePadding(p: number | null, num: number): number | null {
  if (p === null) return null;
  if (!Number.isInteger(p) || p < -num || p >= num) {
    throw new TensileError('Embedding', `paddingIdx must be an integer in [-${num}, ${num}), got ${String(p)}`);
  }
  return p < 0 ? p + num : p;
}
