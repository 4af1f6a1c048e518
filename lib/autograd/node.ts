import type { Tensor } from '../tensor.js';

/**
 * One recorded op on the tape: its inputs and a backward that maps the output's gradient to
 * one gradient per input (null where none flows), written with ops so it can be
 * differentiated again.
 */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: (g: Tensor) => readonly (Tensor | null | undefined)[];
  /** Set once a backward without retainGraph has run through this node. */
  freed: boolean;
  /**
   * Optional fast path for single-input nodes whose gradient touches only part of the input
   * (slice): adds the contribution of g into `acc` (the input's accumulated gradient) in
   * place, instead of materialising a mostly-zero tensor. Used when no graph is recorded.
   */
  accumulate?: (g: Tensor, acc: Tensor) => void;
}
