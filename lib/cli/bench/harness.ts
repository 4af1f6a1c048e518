/**
 * Timing for `tensile bench`: benchmark.js for in-process runners (tensile and the tfjs peers),
 * the median of its samples reported. Every measured function must finish its work before it
 * returns (the runners read a value from each result).
 */
import Benchmark from 'benchmark';

/** A measured cell: median seconds per call and how it was obtained. */
export interface Timing {
  seconds: number;
  samples: number;
  /** benchmark.js's relative margin of error (percent), when benchmark.js ran it */
  rme?: number;
  method: 'benchmark.js' | 'single calls' | 'perf_counter';
}

/** Limits on slow cases (a slow peer must not make the whole run take an hour). */
export interface Limits {
  /** benchmark.js maxTime per case, seconds */
  maxTime: number;
  minSamples: number;
  /** a call slower than this is timed as a few single calls instead of through benchmark.js */
  slowCall: number;
  /** a case whose estimated call time is over this is skipped (reported as missing) */
  skipOver: number;
}

export function limits(quick: boolean): Limits {
  return quick
    ? { maxTime: 0.03, minSamples: 2, slowCall: 0.5, skipOver: 2 }
    : { maxTime: 1.5, minSamples: 5, slowCall: 1, skipOver: 12 };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function now(): number {
  return performance.now() / 1e3;
}

/**
 * Median seconds per call of fn. Warm-up first (which also probes the call time); slow calls
 * (over `slowCall` seconds) get a few single-call samples, the rest go through benchmark.js.
 */
export function measure(name: string, fn: () => void, lim: Limits): Timing {
  let t = now();
  fn();
  let one = now() - t;
  // Warm-up: at least two more calls, or ~0.2 s worth, unless calls are slow.
  if (one < lim.slowCall) {
    const reps = Math.max(2, Math.min(1000, Math.ceil((lim.maxTime / 8) / Math.max(one, 1e-7))));
    t = now();
    for (let i = 0; i < reps; i++) fn();
    one = Math.min(one, (now() - t) / reps);
  }
  if (one >= lim.slowCall) {
    const n = Math.max(1, Math.min(3, Math.floor((lim.skipOver * 1.5) / one)));
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      t = now();
      fn();
      samples.push(now() - t);
    }
    return { seconds: median(samples), samples: n, method: 'single calls' };
  }
  const bench = new Benchmark(name, fn, { maxTime: lim.maxTime, minSamples: lim.minSamples, initCount: 1, async: false, defer: false });
  bench.run();
  const err = (bench as unknown as { error?: Error }).error;
  if (err) throw err;
  const sample = bench.stats.sample;
  if (!sample.length) throw new Error(`benchmark.js returned no samples for ${name}`);
  return { seconds: median(sample), samples: sample.length, rme: bench.stats.rme, method: 'benchmark.js' };
}

/** measure() for calls that must be awaited (an async device): benchmark.js in deferred mode. */
export async function measureAsync(name: string, fn: () => Promise<void>, lim: Limits): Promise<Timing> {
  let t = now();
  await fn();
  let one = now() - t;
  if (one < lim.slowCall) {
    const reps = Math.max(2, Math.min(200, Math.ceil((lim.maxTime / 8) / Math.max(one, 1e-7))));
    t = now();
    for (let i = 0; i < reps; i++) await fn();
    one = Math.min(one, (now() - t) / reps);
  }
  if (one >= lim.slowCall) {
    const n = Math.max(1, Math.min(3, Math.floor((lim.skipOver * 1.5) / one)));
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      t = now();
      await fn();
      samples.push(now() - t);
    }
    return { seconds: median(samples), samples: n, method: 'single calls' };
  }
  let failure: unknown = null;
  const bench = new Benchmark(name, {
    defer: true,
    fn: (deferred: { resolve(): void }) => { fn().then(() => deferred.resolve(), (e) => { failure = e; deferred.resolve(); }); },
    maxTime: lim.maxTime,
    minSamples: lim.minSamples,
  });
  await new Promise<void>((resolve) => { bench.on('complete', () => resolve()); bench.run({ async: true }); });
  const err = failure ?? (bench as unknown as { error?: Error }).error;
  if (err) throw err;
  const sample = bench.stats.sample;
  if (!sample.length) throw new Error(`benchmark.js returned no samples for ${name}`);
  return { seconds: median(sample), samples: sample.length, rme: bench.stats.rme, method: 'benchmark.js' };
}
