/** Whether ops record the graph. Off inside noGrad and during a plain (non-createGraph) backward. */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Runs fn without recording gradients (for parameter updates and inference).
 * @example tn.noGrad(() => w.subInPlace(w.grad!.mul(0.1)));
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with gradient recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
