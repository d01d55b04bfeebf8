// Reconnect delays: capped exponential backoff with jitter, drawn from an injected Random so a
// seed reproduces them. PURE; imports only src/lib.

import { assert } from '../lib/assert.js';
import type { Random } from '../lib/prng.js';

export interface BackoffLimits {
  readonly reconnectBackoffMsMin: number;
  readonly reconnectBackoffMsMax: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 = first retry): the capped exponential
 * min(max, min * 2^attempt), then "equal jitter": uniformly in [half of it, all of it].
 */
export function backoffDelayMs(attempt: number, limits: BackoffLimits, random: Random): number {
  const { reconnectBackoffMsMin: low, reconnectBackoffMsMax: high } = limits;
  assert(Number.isInteger(attempt) && attempt >= 0, () => `attempt ${attempt} not >= 0`);
  assert(low >= 1 && low <= high, () => `backoff range ${low}..${high} invalid`);
  const ceiling = Math.min(high, low * 2 ** Math.min(attempt, 30));
  const delay = ceiling / 2 + random.next() * (ceiling / 2);
  assert(
    delay >= ceiling / 2 && delay <= high,
    () => `delay ${delay} outside [${ceiling / 2}, ${high}]`,
  );
  return Math.round(delay);
}
