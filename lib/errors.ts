/**
 * The one error type tensile throws for bad input. Messages name the op, the argument and the
 * shapes or values at fault, e.g. `add: shapes [2,3] and [4] cannot broadcast (argument 'b')`.
 */
export class TensileError extends Error {
  /** The op (or API entry point) that rejected its input. */
  readonly op: string;
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'TensileError';
    this.op = op;
  }
}

/** Formats a shape as `[2,3]` for error messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
