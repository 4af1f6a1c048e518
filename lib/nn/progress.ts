/**
 * fit's progress output, as a callback: on a TTY (verbose 1) a cli-progress bar per epoch with
 * the loss, the metrics, the rate and the ETA; otherwise (verbose 2, or stdout not a TTY, as in
 * CI logs) one line per epoch; nothing with verbose 0.
 */
import cliProgress from 'cli-progress';
import type { Callback, FitContext, Logs } from './callbacks.js';

/** Where progress goes: process.stdout, or anything with write (and isTTY for the bar). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Keras's number format: 4 decimals, scientific below 1e-3. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v === 0 || Math.abs(v) >= 1e-3 ? v.toFixed(4) : v.toExponential(4);
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .filter(([k]) => k !== 'batch' && k !== 'size')
    .map(([k, v]) => `${k}: ${formatValue(v)}`)
    .join(' - ');
}

function formatSeconds(s: number): string {
  return s < 60 ? `${s.toFixed(s < 10 ? 2 : 1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60).toString().padStart(2, '0')}s`;
}

/** The progress callback for fit's `verbose` and stream. */
export function progressLogger(verbose: 0 | 1 | 2, stream: ProgressStream): Callback & { close(): void } {
  if (verbose === 0) return { close() {} };
  const useBar = verbose === 1 && stream.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let epochStart = 0;
  let epochs = 0, steps = 0;
  const stopBar = () => { bar?.stop(); bar = null; };
  return {
    onTrainBegin(_logs: Logs, ctx: FitContext) {
      epochs = ctx.params.epochs;
      steps = ctx.params.steps;
    },
    onEpochBegin(epoch: number) {
      epochStart = performance.now();
      if (!useBar) return;
      bar = new cliProgress.SingleBar({
        // The stream is duck-typed: cli-progress only writes to it and reads isTTY / columns.
        stream: stream as NodeJS.WritableStream,
        format: `Epoch ${epoch + 1}/${epochs} {bar} {value}/{total} | {metrics} | {rate} | ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: false,
        clearOnComplete: false,
        fps: 10,
        etaBuffer: 50,
      }, cliProgress.Presets.shades_classic);
      bar.start(steps, 0, { metrics: 'loss: ...', rate: '...' });
    },
    onBatchEnd(batch: number, logs: Logs) {
      if (!bar) return;
      const seconds = (performance.now() - epochStart) / 1000;
      const rate = seconds > 0 ? `${((batch + 1) / seconds).toFixed(1)} batch/s` : '';
      bar.update(batch + 1, { metrics: formatLogs(logs), rate });
    },
    onEpochEnd(epoch: number, logs: Logs) {
      const seconds = (performance.now() - epochStart) / 1000;
      if (bar) {
        const perStep = steps > 0 ? `, ${((seconds * 1000) / steps).toFixed(1)} ms/batch` : '';
        bar.update(steps, { metrics: formatLogs(logs), rate: `${formatSeconds(seconds)}${perStep}` });
        stopBar();
        return;
      }
      const perStep = steps > 0 ? ` (${((seconds * 1000) / steps).toFixed(1)} ms/batch)` : '';
      stream.write(`Epoch ${epoch + 1}/${epochs} - ${steps}/${steps} - ${formatSeconds(seconds)}${perStep} - ${formatLogs(logs)}\n`);
    },
    onTrainEnd() {
      stopBar();
    },
    /** Stops a bar left running by an error (fit calls this from its finally). */
    close: stopBar,
  };
}
