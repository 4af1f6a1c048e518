/**
 * Training callbacks (tn.nn.callbacks): hooks fit calls at the start and end of training, of
 * each epoch and of each batch. A callback is any object with some of the hooks, so a plain
 * `{ onEpochEnd(epoch, logs) { ... } }` works; earlyStopping and modelCheckpoint are built in.
 * Hooks may be async (fit awaits them). Setting `ctx.model.stopTraining = true` in a hook
 * ends training after the current epoch, as Keras's `model.stop_training`.
 */
import { TensileError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { keep, tidy } from '../memory.js';
import { noGrad } from '../autograd/mode.js';
import { clone } from '../ops/index.js';
import type { AnyModule } from './module.js';
import { save } from '../io/model.js';

/** Metric values by name: `loss`, `accuracy`, `val_loss`, ... (numbers, never tensors). */
export type Logs = Record<string, number>;

/** What fit tells every hook about the run. */
export interface FitContext {
  model: AnyModule;
  params: { epochs: number; steps: number; samples: number; batchSize: number; verbose: 0 | 1 | 2 };
}

type Ret = void | Promise<void>;

/**
 * The hooks (all optional). `epoch` and `batch` count from 0. Batch logs hold `batch`, `size`
 * and the epoch's running means as last read (on webgpu they are read a few times per epoch,
 * so they may trail by some batches).
 */
export interface Callback {
  onTrainBegin?(logs: Logs, ctx: FitContext): Ret;
  onEpochBegin?(epoch: number, logs: Logs, ctx: FitContext): Ret;
  onBatchEnd?(batch: number, logs: Logs, ctx: FitContext): Ret;
  onEpochEnd?(epoch: number, logs: Logs, ctx: FitContext): Ret;
  onTrainEnd?(logs: Logs, ctx: FitContext): Ret;
}

export type MonitorMode = 'auto' | 'min' | 'max';

/** 'auto' means max for accuracies, min for losses and errors (Keras's rule). */
function isMax(monitor: string, mode: MonitorMode, op: string): boolean {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new TensileError(op, `option 'mode' must be 'auto', 'min' or 'max', got '${String(mode)}'`);
  return mode === 'max' || (mode === 'auto' && /acc|auc|top/i.test(monitor));
}

function monitored(op: string, monitor: string, logs: Logs): number {
  const v = logs[monitor];
  if (typeof v !== 'number') {
    const hint = monitor.startsWith('val_') ? ' (validation metrics need validationData or validationSplit)' : '';
    throw new TensileError(op, `monitors '${monitor}', which is not in the epoch's logs: ${Object.keys(logs).join(', ') || 'none'}${hint}`);
  }
  return v;
}

/** Copies of every parameter and buffer, exempt from tidy (a snapshot to restore later). */
function snapshot(model: AnyModule): Record<string, Tensor> {
  const sd = model.stateDict();
  const out: Record<string, Tensor> = {};
  tidy(() => noGrad(() => { for (const [k, t] of Object.entries(sd)) out[k] = keep(clone(t)); }));
  for (const t of Object.values(sd)) t.dispose();
  return out;
}

function disposeAll(s: Record<string, Tensor> | null): void {
  if (s) for (const t of Object.values(s)) t.dispose();
}

export interface EarlyStoppingOptions {
  /** The log entry to watch (default 'val_loss'). */
  monitor?: string;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min', 'max', or 'auto' (max for accuracies). */
  mode?: MonitorMode;
  /** At the end of training, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
  /** Training stops unless the monitored value beats this within `patience` epochs. */
  baseline?: number;
  /** Print a line when stopping (default false). */
  verbose?: boolean;
}

export interface EarlyStopping extends Callback {
  /** The epoch (from 0) training stopped after, or -1 if it ran to the end. */
  readonly stoppedEpoch: number;
  /** The best epoch (from 0) and its monitored value. */
  readonly bestEpoch: number;
  readonly best: number;
}

/**
 * Stops training when the monitored value stops improving (Keras 3's EarlyStopping: the
 * first epoch never stops, and with restoreBestWeights the best epoch's weights are restored
 * when training ends, stopped early or not).
 * @example await model.fit(x, y, { validationSplit: 0.2, callbacks: [tn.nn.callbacks.earlyStopping({ patience: 3, restoreBestWeights: true })] })
 */
export function earlyStopping(opts: EarlyStoppingOptions = {}): EarlyStopping {
  const op = 'earlyStopping';
  const monitor = opts.monitor ?? 'val_loss';
  const patience = opts.patience ?? 0;
  const minDelta = Math.abs(opts.minDelta ?? 0);
  if (!Number.isInteger(patience) || patience < 0) throw new TensileError(op, `option 'patience' must be a non-negative integer, got ${String(opts.patience)}`);
  if (!Number.isFinite(minDelta)) throw new TensileError(op, `option 'minDelta' must be a finite number, got ${String(opts.minDelta)}`);
  const max = isMax(monitor, opts.mode ?? 'auto', op);
  const better = (cur: number, ref: number) => (max ? cur - minDelta > ref : cur + minDelta < ref);
  let wait = 0;
  let bestWeights: Record<string, Tensor> | null = null;
  const state = { stoppedEpoch: -1, bestEpoch: -1, best: max ? -Infinity : Infinity };
  return {
    get stoppedEpoch() { return state.stoppedEpoch; },
    get bestEpoch() { return state.bestEpoch; },
    get best() { return state.best; },
    onTrainBegin() {
      wait = 0;
      state.stoppedEpoch = -1;
      state.bestEpoch = -1;
      state.best = max ? -Infinity : Infinity;
      disposeAll(bestWeights);
      bestWeights = null;
    },
    onEpochEnd(epoch, logs, ctx) {
      const cur = monitored(op, monitor, logs);
      if (opts.restoreBestWeights && bestWeights === null) bestWeights = snapshot(ctx.model);
      wait++;
      if (better(cur, state.best)) {
        state.best = cur;
        state.bestEpoch = epoch;
        if (opts.restoreBestWeights) {
          disposeAll(bestWeights);
          bestWeights = snapshot(ctx.model);
        }
        if (opts.baseline === undefined || better(cur, opts.baseline)) {
          wait = 0;
          return;
        }
      }
      if (wait >= patience && epoch > 0) {
        state.stoppedEpoch = epoch;
        ctx.model.stopTraining = true;
      }
    },
    onTrainEnd(_logs, ctx) {
      if (state.stoppedEpoch >= 0 && opts.verbose) console.log(`Epoch ${state.stoppedEpoch + 1}: early stopping`);
      if (bestWeights) {
        if (opts.verbose) console.log(`Restoring the weights of the best epoch: ${state.bestEpoch + 1}`);
        ctx.model.loadStateDict(bestWeights);
        disposeAll(bestWeights);
        bestWeights = null;
      }
    },
  };
}

export interface ModelCheckpointOptions {
  /** Where to save; `{epoch}` (or `{epoch:03d}`) is replaced by the epoch number from 1. */
  path: string;
  /** The log entry that decides what is best (default 'val_loss'). */
  monitor?: string;
  /** Save only when the monitored value improves (default false: every epoch). */
  saveBestOnly?: boolean;
  mode?: MonitorMode;
  /** Save the optimizer's state too (default false). */
  saveOptimizer?: boolean;
  /** Print a line for each save (default false). */
  verbose?: boolean;
}

/** The path with `{epoch}` / `{epoch:0Nd}` filled in (Keras's format strings). */
export function checkpointPath(template: string, epoch: number): string {
  return template.replace(/\{epoch(?::0?(\d+)d)?\}/g, (_m, w: string | undefined) => String(epoch).padStart(w ? Number(w) : 0, '0'));
}

/**
 * Saves the model (tn.io.save, safetensors with its architecture) at the end of each epoch,
 * or only when the monitored value improves.
 * @example tn.nn.callbacks.modelCheckpoint({ path: 'best.safetensors', saveBestOnly: true })
 */
export function modelCheckpoint(opts: ModelCheckpointOptions): Callback & { readonly best: number; readonly saved: string[] } {
  const op = 'modelCheckpoint';
  if (opts === null || typeof opts !== 'object' || typeof opts.path !== 'string' || opts.path === '') {
    throw new TensileError(op, "needs { path: string }, e.g. modelCheckpoint({ path: 'model-{epoch}.safetensors' })");
  }
  const monitor = opts.monitor ?? 'val_loss';
  const max = isMax(monitor, opts.mode ?? 'auto', op);
  const state = { best: max ? -Infinity : Infinity, saved: [] as string[] };
  return {
    get best() { return state.best; },
    get saved() { return state.saved; },
    onTrainBegin() {
      state.best = max ? -Infinity : Infinity;
    },
    async onEpochEnd(epoch, logs, ctx) {
      if (opts.saveBestOnly) {
        const cur = monitored(op, monitor, logs);
        if (!(max ? cur > state.best : cur < state.best)) return;
        state.best = cur;
      }
      const path = checkpointPath(opts.path, epoch + 1);
      await save(ctx.model, path, { optimizer: opts.saveOptimizer ?? false });
      state.saved.push(path);
      if (opts.verbose) console.log(`Epoch ${epoch + 1}: saved the model to ${path}`);
    },
  };
}
