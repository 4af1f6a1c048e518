// Tensor pretty-printing modelled on PyTorch's repr (torch/_tensor_str.py, 1.13).
// Self-contained on purpose: it only needs flat data + shape, so any backend can use it.

export type FormatDType = 'float32' | 'float64' | 'int32' | 'bool';

export interface FormatOptions {
  /** Digits after the decimal point for floats (torch `precision`, default 4). */
  precision?: number;
  /** Summarize (elide with `...`) when numel exceeds this (default 1000). */
  threshold?: number;
  /** Items kept at each end of a summarized dimension (default 3). */
  edgeItems?: number;
  /** Target line width used to wrap rows and suffixes (default 80). */
  lineWidth?: number;
  /** Text before the values (default `tensor(`); nested rows are indented by its length. */
  prefix?: string;
  /** Extra text placed after the dtype, before `)`, e.g. `, device='webgpu'`. */
  suffix?: string;
}

/**
 * Python-style `'{:.pf}'` / `'{:.pe}'` for a finite number.
 * JS toFixed/toExponential break exact decimal ties away from zero, whereas Python (and thus
 * torch) rounds them to even, e.g. 0.03125 -> '0.0312'. A tie has a short exact expansion, so
 * 100 digits of it are enough to see one; then the kept digits are truncated if the last is even.
 */
function pyFloat(x: number, p: number, sci: boolean): string {
  const neg = x < 0 || Object.is(x, -0); // Python keeps the sign of -0.0 and of values rounding to 0
  const a = Math.abs(x);
  let s = sci ? a.toExponential(p) : a.toFixed(p);
  const full = sci ? a.toExponential(100) : a.toFixed(100);
  const [mant, exp] = full.split('e');
  const dot = mant.indexOf('.');
  const cut = p > 0 ? dot + 1 + p : dot;
  if (/^50*$/.test(mant.slice(dot + 1 + p))) {
    const lastKept = mant[p > 0 ? cut - 1 : dot - 1];
    if (Number(lastKept) % 2 === 0) s = mant.slice(0, cut) + (sci ? `e${exp}` : '');
  }
  // Python always prints at least two exponent digits: 1e+10 -> 1.0000e+10, 1e-5 -> 1.0000e-05.
  if (sci) s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  return (neg ? '-' : '') + s;
}

interface Formatter {
  width: number;
  format(v: number): string;
}

/** torch's _Formatter: one shared style and width, chosen from the values that will be shown. */
function makeFormatter(values: number[], dtype: FormatDType, precision: number): Formatter {
  if (dtype === 'bool' || dtype === 'int32') {
    const str = (v: number) => (dtype === 'bool' ? (v ? 'True' : 'False') : String(v));
    const width = values.reduce((w, v) => Math.max(w, str(v).length), 1);
    return { width, format: (v) => str(v).padStart(width) };
  }
  let intMode = true;
  let sci = false;
  let width = 1;
  // Only nonzero finite values decide the style and width; nan/inf/0 just get padded.
  const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
  if (nz.length > 0) {
    let min = Infinity;
    let max = 0;
    for (const v of nz) {
      min = Math.min(min, Math.abs(v));
      max = Math.max(max, Math.abs(v));
      if (v !== Math.ceil(v)) intMode = false;
    }
    // Same thresholds as torch; tiny values only force scientific when not all integral.
    sci = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
    for (const v of nz) {
      const len = sci ? pyFloat(v, precision, true).length
        : intMode ? pyFloat(v, 0, false).length + 1 // +1 for the trailing '.'
        : pyFloat(v, precision, false).length;
      width = Math.max(width, len);
    }
  }
  const format = (v: number): string => {
    let s: string;
    if (Number.isNaN(v)) s = 'nan';
    else if (!Number.isFinite(v)) s = v > 0 ? 'inf' : '-inf';
    else if (sci) s = pyFloat(v, precision, true);
    else if (intMode) s = pyFloat(v, 0, false) + '.';
    else s = pyFloat(v, precision, false);
    return s.padStart(width);
  };
  return { width, format };
}

/** Formats a flat row-major tensor the way `repr(torch.tensor(...))` does. */
export function formatTensor(
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: FormatDType,
  opts: FormatOptions = {},
): string {
  const precision = opts.precision ?? 4;
  const threshold = opts.threshold ?? 1000;
  const edge = opts.edgeItems ?? 3;
  const lineWidth = opts.lineWidth ?? 80;
  const prefix = opts.prefix ?? 'tensor(';
  const indent = prefix.length;
  const ndim = shape.length;
  const numel = shape.reduce((a, b) => a * b, 1);
  if (data.length < numel) {
    throw new RangeError(`formatTensor: data has ${data.length} elements, shape [${shape.join(', ')}] needs ${numel}`);
  }
  // Read values as the dtype would store them, so rounding matches a real float32/int32 tensor.
  const get = (i: number): number => {
    const v = data[i];
    return dtype === 'float32' ? Math.fround(v) : dtype === 'int32' ? v | 0 : dtype === 'bool' ? (v ? 1 : 0) : v;
  };
  const strides: number[] = new Array<number>(ndim);
  for (let d = ndim - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }

  const summarize = numel > threshold;
  // Indices shown along a dimension of size n; -1 marks the elision.
  const shown = (n: number): number[] => {
    if (!summarize || n <= 2 * edge) return Array.from({ length: n }, (_, i) => i);
    const head = Array.from({ length: edge }, (_, i) => i);
    const tail = Array.from({ length: edge }, (_, i) => n - edge + i);
    return [...head, -1, ...tail];
  };

  const suffixes: string[] = [];
  let body: string;
  if (numel === 0) {
    // torch prints the shape unless it is (0,), like NumPy.
    if (ndim !== 1) suffixes.push(`size=(${shape.join(', ')})`);
    body = '[]';
  } else {
    // Style/width come only from visible values (torch's get_summarized_data).
    const visible: number[] = [];
    const collect = (d: number, off: number): void => {
      for (const i of shown(shape[d])) {
        if (i < 0) continue;
        if (d === ndim - 1) visible.push(get(off + i));
        else collect(d + 1, off + i * strides[d]);
      }
    };
    if (ndim === 0) visible.push(get(0));
    else collect(0, 0);
    const fmt = makeFormatter(visible, dtype, precision);

    const render = (d: number, off: number, ind: number): string => {
      if (d === ndim - 1) {
        // torch's _vector_str: fixed number of elements per line, continuation aligned after '['.
        const items = shown(shape[d]).map((i) => (i < 0 ? ' ...' : fmt.format(get(off + i))));
        const perLine = Math.max(1, Math.floor((lineWidth - ind) / (fmt.width + 2)));
        const lines: string[] = [];
        for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
        return '[' + lines.join(',\n' + ' '.repeat(ind + 1)) + ']';
      }
      const slices = shown(shape[d]).map((i) => (i < 0 ? '...' : render(d + 1, off + i * strides[d], ind + 1)));
      // One blank line per extra level between sub-blocks, as torch does for 3-D+.
      return '[' + slices.join(',' + '\n'.repeat(ndim - d - 1) + ' '.repeat(ind + 1)) + ']';
    };
    body = ndim === 0 ? fmt.format(get(0)) : render(0, 0, indent);
  }
  // Deviation: torch omits dtype for non-empty bool/int64; we always name non-default dtypes.
  if (dtype !== 'float32') suffixes.push(`dtype=${dtype}`);

  // torch's _add_suffixes: a suffix that would overflow the line starts a new indented line.
  let out = prefix + body;
  let lastLen = out.length - out.lastIndexOf('\n') + 1; // same (+1 when multi-line) arithmetic as torch
  const extra = opts.suffix ?? '';
  let tail = '';
  if (extra.startsWith(', ')) suffixes.push(extra.slice(2));
  else tail = extra; // not in ", name=value" form: append verbatim
  for (const s of suffixes) {
    if (lastLen + s.length + 2 > lineWidth) {
      out += ',\n' + ' '.repeat(indent) + s;
      lastLen = indent + s.length;
    } else {
      out += ', ' + s;
      lastLen += s.length + 2;
    }
  }
  return out + tail + ')';
}
