/**
 * Text and label preparation with Keras's semantics: padSequences (keras pad_sequences),
 * Tokenizer (keras.preprocessing.text.Tokenizer), oneHot (keras to_categorical).
 */
import { TensileError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { DeviceName } from '../backends/backend.js';
import { type TensorLike, arange, cast, eq, tensor, unsqueeze } from '../ops/index.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';

export interface PadOptions {
  /** Length of every output row (default: the longest sequence). */
  maxLen?: number;
  /** Where the padding goes: 'pre' (default, as Keras) or 'post'. */
  padding?: 'pre' | 'post';
  /** Which end a longer sequence loses: 'pre' (default, as Keras) or 'post'. */
  truncating?: 'pre' | 'post';
  /** The padding value (default 0). */
  value?: number;
  /** Output dtype (default int32, for Embedding ids). */
  dtype?: 'int32' | 'float32' | 'float64';
  device?: DeviceName;
}

/**
 * Pads (and truncates) sequences to one length, as Keras's pad_sequences: a [n, maxLen] tensor.
 * @example tn.data.padSequences([[1, 2, 3], [4]], { maxLen: 2 }).arraySync() // [[2, 3], [0, 4]]
 */
export function padSequences(seqs: readonly ArrayLike<number>[], opts: PadOptions = {}): Tensor {
  const op = 'padSequences';
  if (!Array.isArray(seqs)) throw new TensileError(op, `argument 'sequences' must be an array of number arrays, got ${typeof seqs}`);
  const padding = opts.padding ?? 'pre', truncating = opts.truncating ?? 'pre', value = opts.value ?? 0;
  for (const [k, v] of [['padding', padding], ['truncating', truncating]] as const) {
    if (v !== 'pre' && v !== 'post') throw new TensileError(op, `option '${k}' must be 'pre' or 'post', got '${String(v)}'`);
  }
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TensileError(op, `option 'value' must be a number, got ${String(value)}`);
  seqs.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof s.length !== 'number') throw new TensileError(op, `sequence ${i} is not an array, got ${String(s)}`);
  });
  const maxLen = opts.maxLen ?? seqs.reduce((m, s) => Math.max(m, s.length), 0);
  if (!Number.isInteger(maxLen) || maxLen < 0) throw new TensileError(op, `option 'maxLen' must be a non-negative integer, got ${String(opts.maxLen)}`);
  const out = new Float64Array(seqs.length * maxLen).fill(value);
  seqs.forEach((s, i) => {
    const n = Math.min(s.length, maxLen);
    const from = truncating === 'pre' ? s.length - n : 0;
    const to = padding === 'pre' ? maxLen - n : 0;
    for (let k = 0; k < n; k++) {
      const v = s[from + k];
      if (typeof v !== 'number') throw new TensileError(op, `sequence ${i} holds a non-number at position ${from + k}: ${String(v)}`);
      out[i * maxLen + to + k] = v;
    }
  });
  return tensor(out, { dtype: opts.dtype ?? 'int32', shape: [seqs.length, maxLen], device: opts.device });
}

export interface TokenizerOptions {
  /** Keep only the numWords - 1 most frequent words in textsToSequences (index 0 is reserved). */
  numWords?: number | null;
  /** Characters replaced by the separator before splitting (Keras's default punctuation set). */
  filters?: string;
  /** Lower-case the texts first (default true). */
  lower?: boolean;
  /** The separator (default ' '). */
  split?: string;
  /** Tokens are characters rather than words (default false). */
  charLevel?: boolean;
  /** A token for unknown (and cut) words; it gets index 1. */
  oovToken?: string | null;
}

const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/**
 * Keras's text Tokenizer: `fitOnTexts` counts words; `wordIndex` numbers them from 1 by
 * decreasing count (ties in order of first appearance; the oovToken, if any, is 1);
 * `textsToSequences` maps texts to index lists, dropping (or mapping to the oovToken) words it
 * does not know and those ranked numWords or beyond.
 * @example
 * const tok = new tn.data.Tokenizer({ numWords: 1000, oovToken: '<oov>' });
 * tok.fitOnTexts(texts); const seqs = tok.textsToSequences(texts);
 */
export class Tokenizer {
  readonly numWords: number | null;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | null;
  /** Word → count over every fitted text, in order of first appearance. */
  readonly wordCounts = new Map<string, number>();
  /** Word → number of documents it appears in. */
  readonly wordDocs = new Map<string, number>();
  /** Word → index (from 1). */
  wordIndex = new Map<string, number>();
  /** Index → word. */
  indexWord = new Map<number, string>();
  /** Texts fitted so far. */
  documentCount = 0;

  constructor(opts: TokenizerOptions = {}) {
    const op = 'Tokenizer';
    const nw = opts.numWords ?? null;
    if (nw !== null && (!Number.isInteger(nw) || nw < 1)) throw new TensileError(op, `option 'numWords' must be a positive integer or null, got ${String(nw)}`);
    this.numWords = nw;
    this.filters = opts.filters ?? KERAS_FILTERS;
    this.lower = opts.lower ?? true;
    this.split = opts.split ?? ' ';
    if (typeof this.split !== 'string' || this.split === '') throw new TensileError(op, `option 'split' must be a non-empty string, got ${JSON.stringify(opts.split)}`);
    this.charLevel = opts.charLevel ?? false;
    this.oovToken = opts.oovToken ?? null;
  }

  /** A text as a list of tokens (Keras's text_to_word_sequence, or characters). */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new TensileError('Tokenizer', `texts must be strings, got ${typeof text}`);
    const t = this.lower ? text.toLowerCase() : text;
    if (this.charLevel) return [...t];
    let s = '';
    for (const c of t) s += this.filters.includes(c) ? this.split : c;
    return s.split(this.split).filter((w) => w !== '');
  }

  /** Counts the words of the texts and rebuilds the index. Returns this. */
  fitOnTexts(texts: readonly string[]): this {
    if (!Array.isArray(texts)) throw new TensileError('Tokenizer.fitOnTexts', `argument 'texts' must be an array of strings, got ${typeof texts}`);
    for (const text of texts) {
      this.documentCount++;
      const words = this.tokenize(text);
      for (const w of words) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
      for (const w of new Set(words)) this.wordDocs.set(w, (this.wordDocs.get(w) ?? 0) + 1);
    }
    // A stable sort keeps first-appearance order among equal counts, as Python's sort.
    const ranked = [...this.wordCounts].filter(([w]) => w !== this.oovToken).sort((a, b) => b[1] - a[1]).map(([w]) => w);
    const vocab = this.oovToken !== null ? [this.oovToken, ...ranked] : ranked;
    this.wordIndex = new Map(vocab.map((w, i) => [w, i + 1]));
    this.indexWord = new Map(vocab.map((w, i) => [i + 1, w]));
    return this;
  }

  /** Each text as a list of word indices. */
  textsToSequences(texts: readonly string[]): number[][] {
    if (!Array.isArray(texts)) throw new TensileError('Tokenizer.textsToSequences', `argument 'texts' must be an array of strings, got ${typeof texts}`);
    const oov = this.oovToken !== null ? this.wordIndex.get(this.oovToken) ?? null : null;
    return texts.map((text) => {
      const out: number[] = [];
      for (const w of this.tokenize(text)) {
        const i = this.wordIndex.get(w);
        if (i === undefined) { if (oov !== null) out.push(oov); continue; }
        if (this.numWords !== null && i >= this.numWords) { if (oov !== null) out.push(oov); continue; }
        out.push(i);
      }
      return out;
    });
  }

  /** Index lists back to space-joined words (unknown indices skipped, as Keras). */
  sequencesToTexts(seqs: readonly (readonly number[])[]): string[] {
    const oov = this.oovToken !== null ? this.wordIndex.get(this.oovToken) ?? null : null;
    return seqs.map((s) => s.flatMap((i) => {
      const cut = this.numWords !== null && i >= this.numWords;
      const w = cut ? undefined : this.indexWord.get(i);
      if (w !== undefined) return [w];
      return oov !== null ? [this.oovToken!] : [];
    }).join(' '));
  }

  /** The configuration and vocabulary as plain JSON (restore with Tokenizer.fromJSON). */
  toJSON(): object {
    return {
      config: { numWords: this.numWords, filters: this.filters, lower: this.lower, split: this.split, charLevel: this.charLevel, oovToken: this.oovToken },
      wordCounts: [...this.wordCounts], wordDocs: [...this.wordDocs], documentCount: this.documentCount,
    };
  }

  static fromJSON(j: { config: TokenizerOptions; wordCounts: [string, number][]; wordDocs: [string, number][]; documentCount: number }): Tokenizer {
    const t = new Tokenizer(j.config);
    for (const [w, c] of j.wordCounts) t.wordCounts.set(w, c);
    for (const [w, c] of j.wordDocs) t.wordDocs.set(w, c);
    t.fitOnTexts([]);
    t.documentCount = j.documentCount;
    return t;
  }
}

/**
 * One-hot rows: indices of any shape give float32 [...shape, numClasses] on the indices'
 * device (Keras's to_categorical). On js and cpu an index outside [0, numClasses) throws;
 * without numClasses it is max + 1.
 * @example tn.data.oneHot([0, 2], 3).arraySync() // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: TensorLike, numClasses?: number): Tensor {
  const op = 'oneHot';
  const idx = indices instanceof Tensor ? indices : tensor(indices as TensorLike, { dtype: 'int32' });
  idx.assertAlive(op, 'indices');
  if (idx.dtype === 'bool') throw new TensileError(op, `argument 'indices' must hold integers, got dtype bool`);
  let values: ArrayLike<number> | null = null;
  if (idx.device !== 'webgpu') values = idx.dataSync();
  let C = numClasses;
  if (C === undefined) {
    if (!values) throw new TensileError(op, "give 'numClasses' for indices on webgpu (inferring it would read the indices back)");
    C = 0;
    for (let i = 0; i < values.length; i++) C = Math.max(C, values[i] + 1);
  }
  if (!Number.isInteger(C) || C < 1) throw new TensileError(op, `argument 'numClasses' must be a positive integer, got ${String(numClasses)}`);
  if (values) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0 || v >= C) {
        throw new TensileError(op, `index ${v} at flat position ${i} is outside [0, ${C}) (indices of shape ${fmtShape(idx.shape)})`);
      }
    }
  }
  const out = tidy(() => noGrad(() => {
    const classes = arange(0, C, 1, { device: idx.device, dtype: 'int32' });
    const ids = idx.dtype === 'int32' ? idx : cast(idx, 'int32');
    return cast(eq(unsqueeze(ids, -1), classes), 'float32');
  }));
  if (idx !== indices) idx.dispose();
  return out;
}
