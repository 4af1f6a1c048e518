/**
 * The SMO solver's kernel cache (lib/ml/smo.ts), keyed by sample under one byte budget. Its
 * native twin is native/src/ml/smo_cache.cc; both make every decision with the same
 * arithmetic, so the js and native solvers hold the same rows and take the same path.
 */
/**
 * The kernel cache, keyed by sample, under one byte budget (cacheBytes less libsvm's
 * bookkeeping). Finished rows (float32, libsvm's Qfloat) come first, in LRU order, up to the
 * whole budget (at least two rows, libsvm's minimum). Whatever they leave holds raw rows:
 * float64 dot products computed speculatively and transformed when first used, as views into
 * their batch's block, which counts in full until its last raw row is used or the block,
 * oldest first, is dropped for a newer block or a finished row. Speculation never evicts a
 * finished row. A finished row stays valid until `rowCapacity` − 1 other rows have been
 * allocated after its last touch; buffers of evicted rows are reused.
 */
export class KernelCache {
  /** Finished rows that fit. */
  readonly rowCapacity: number;
  private readonly budgetBytes: number;
  private rowCount = 0;
  private rawBytes = 0;
  private readonly rows: (Float32Array | null)[];
  private readonly raws: (Float64Array | null)[];
  private readonly rawBlock: Int32Array;
  // Raw blocks, oldest first, and by id.
  private readonly blocks: RawBlock[] = [];
  private readonly blockById = new Map<number, RawBlock>();
  private nextBlock = 0;
  // A circular doubly linked LRU list over finished rows; node `keys` is the head sentinel.
  private readonly prev: Int32Array;
  private readonly next: Int32Array;

  constructor(readonly rowLength: number, readonly keys: number, cacheBytes: number) {
    this.budgetBytes = Math.max(cacheBytes - 32 * keys, 8 * rowLength);
    this.rowCapacity = Math.max(2, Math.floor(this.budgetBytes / (4 * rowLength)));
    this.rows = new Array<Float32Array | null>(keys).fill(null);
    this.raws = new Array<Float64Array | null>(keys).fill(null);
    this.rawBlock = new Int32Array(keys).fill(-1);
    this.prev = new Int32Array(keys + 1).fill(keys);
    this.next = new Int32Array(keys + 1).fill(keys);
  }

  /** Whether sample s has a finished or a raw row. */
  has(s: number): boolean {
    return this.rows[s] !== null || this.raws[s] !== null;
  }

  /** How many raw rows (with the finished row that comes with them) fit beside the finished rows. */
  rawRoom(): number {
    const free = this.budgetBytes - 4 * this.rowLength * (this.rowCount + 1);
    return Math.max(0, Math.floor(free / (8 * this.rowLength)));
  }

  /** The finished row of sample s (now most recently used), or null. */
  get(s: number): Float32Array | null {
    const r = this.rows[s];
    if (r) { this.unlink(s); this.linkLast(s); }
    return r;
  }

  /** A buffer for the finished row of sample s (not cached): a new one, or the LRU row's. */
  allocate(s: number): Float32Array {
    let buf: Float32Array;
    if (this.rowCount < this.rowCapacity) {
      this.rowCount++;
      this.fitRaw(0);
      buf = new Float32Array(this.rowLength);
    } else {
      const old = this.next[this.keys];
      this.unlink(old);
      buf = this.rows[old]!;
      this.rows[old] = null;
    }
    this.rows[s] = buf;
    this.linkLast(s);
    return buf;
  }

  /** Removes and returns the raw row of sample s, or null. */
  takeRaw(s: number): Float64Array | null {
    const r = this.raws[s];
    if (r) this.dropRaw(s);
    return r;
  }

  /**
   * Keeps rows 1..count−1 of a raw block (row k for sample samples[k]; row 0 is finished by
   * the caller) as speculative rows, dropping older blocks to make room; if the finished rows
   * leave too little room, the block is not kept.
   */
  addRawBlock(block: Float64Array, samples: ArrayLike<number>, count: number): void {
    const n = this.rowLength, bytes = 8 * n * count;
    if (count < 2 || 4 * n * this.rowCount + bytes > this.budgetBytes) return;
    this.fitRaw(bytes);
    const b: RawBlock = { id: this.nextBlock++, samples: Int32Array.from({ length: count - 1 }, (_, k) => samples[k + 1]), live: count - 1, bytes };
    this.blocks.push(b);
    this.blockById.set(b.id, b);
    this.rawBytes += bytes;
    for (let k = 1; k < count; k++) {
      const s = samples[k];
      this.raws[s] = block.subarray(k * n, (k + 1) * n);
      this.rawBlock[s] = b.id;
    }
  }

  /** Drops the oldest raw blocks until `extra` more raw bytes fit beside the finished rows. */
  private fitRaw(extra: number): void {
    while (this.blocks.length > 0 && 4 * this.rowLength * this.rowCount + this.rawBytes + extra > this.budgetBytes) {
      const old = this.blocks[0];
      for (const s of old.samples) if (this.rawBlock[s] === old.id) this.dropRaw(s);
    }
  }

  private dropRaw(s: number): void {
    const b = this.blockById.get(this.rawBlock[s])!;
    this.raws[s] = null;
    this.rawBlock[s] = -1;
    if (--b.live === 0) {
      this.rawBytes -= b.bytes;
      this.blockById.delete(b.id);
      this.blocks.splice(this.blocks.indexOf(b), 1);
    }
  }

  private unlink(s: number): void {
    this.next[this.prev[s]] = this.next[s];
    this.prev[this.next[s]] = this.prev[s];
  }

  private linkLast(s: number): void {
    const h = this.keys;
    this.prev[s] = this.prev[h];
    this.next[s] = h;
    this.next[this.prev[h]] = s;
    this.prev[h] = s;
  }
}

interface RawBlock { id: number; samples: Int32Array; live: number; bytes: number }

/** Pushes (s, v) onto a min-heap of `size` scores (the prefetch's most violating candidates). */
export function heapPush(score: Float64Array, item: Int32Array, size: number, s: number, v: number): void {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (score[parent] <= s) break;
    score[i] = score[parent];
    item[i] = item[parent];
    i = parent;
  }
  score[i] = s;
  item[i] = v;
}

/** Replaces the minimum of a min-heap of `size` scores by (s, v). */
export function heapReplaceMin(score: Float64Array, item: Int32Array, size: number, s: number, v: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1, r = l + 1;
    let m = i, ms = s;
    if (l < size && score[l] < ms) { m = l; ms = score[l]; }
    if (r < size && score[r] < ms) { m = r; ms = score[r]; }
    if (m === i) break;
    score[i] = score[m];
    item[i] = item[m];
    i = m;
  }
  score[i] = s;
  item[i] = v;
}
