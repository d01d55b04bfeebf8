// Invariant checks that stay on in production. A failed check is a bug: it throws
// InvariantViolation, which only the top-level handler catches (log, exit) and which fails
// a seed in the simulator. Imports nothing.

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

/** Throws InvariantViolation naming `what` unless `condition` holds. One fact per call. */
export function assert(condition: unknown, what: string | (() => string)): asserts condition {
  if (!condition) {
    throw new InvariantViolation(typeof what === 'function' ? what() : what);
  }
}

export function assertEqual<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) {
    throw new InvariantViolation(`${what}: got ${String(actual)}, expected ${String(expected)}`);
  }
}

/** Marks a switch as exhaustive: the compiler proves `value` has type never. */
export function unreachable(value: never, what = 'unreachable'): never {
  throw new InvariantViolation(`${what}: ${JSON.stringify(value)}`);
}

/** Documents that a condition is legitimately sometimes true and sometimes false. */
export function maybe(_condition: unknown): void {}
