// checkLinearizable: the entry point of the key/value linearizability checker. Splits a
// history per key (each key is an independent register), searches each (search.ts), and for
// a failing key shrinks the history (shrink.ts) and explains the failure in words.

import { describeHistory, validateHistory, type Operation } from './history.js';
import { impossibleObservation, mismatch, showState, type KvState } from './kv-model.js';
import { searchKey, type SearchTrace } from './search.js';
import { shrinkFailure, type Shrunk } from './shrink.js';

export { describeHistory, describeOp } from './history.js';

export interface CheckOptions {
  /** Search steps allowed per key (and per shrinking search) before giving up. */
  readonly stepsMax?: number;
}

export type CheckResult =
  | { readonly verdict: 'linearizable' }
  | {
      readonly verdict: 'not-linearizable';
      readonly key: string;
      /** A small sub-history of `key` that is not linearizable on its own. */
      readonly history: Operation[];
      readonly explanation: string;
    }
  | { readonly verdict: 'unknown'; readonly key: string; readonly reason: string };

export const DEFAULT_STEPS_MAX = 5_000_000;

/** Most ops printed in an explanation; the `history` field always holds them all. */
const EXPLAIN_LINES_MAX = 80;

/** The ops of `history` grouped by key, keys in sorted order. */
export function splitByKey(history: readonly Operation[]): Map<string, Operation[]> {
  const byKey = new Map<string, Operation[]>();
  for (const op of history) {
    const ops = byKey.get(op.key);
    if (ops === undefined) byKey.set(op.key, [op]);
    else ops.push(op);
  }
  return new Map([...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Decides whether `history` is linearizable with respect to a map of independent keys that
 * all start absent. Throws on a malformed history (see validateHistory). A key whose search
 * exceeds `stepsMax` makes the verdict 'unknown', unless another key definitely fails.
 */
export function checkLinearizable(
  history: readonly Operation[],
  options: CheckOptions = {},
): CheckResult {
  const problems = validateHistory(history);
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    throw new Error(`malformed history (${problems.length} problems): ${shown}`);
  }
  const stepsMax = options.stepsMax ?? DEFAULT_STEPS_MAX;
  let undecided: CheckResult | null = null;
  for (const [key, ops] of splitByKey(history)) {
    const result = checkKey(key, ops, stepsMax);
    if (result.verdict === 'not-linearizable') return result;
    if (result.verdict === 'unknown' && undecided === null) undecided = result;
  }
  return undecided ?? { verdict: 'linearizable' };
}

/** checkLinearizable for the ops of a single key (not validated). */
export function checkKey(key: string, ops: readonly Operation[], stepsMax: number): CheckResult {
  const impossible = impossibleObservation(ops);
  if (impossible !== undefined) {
    const needs = impossible.kind === 'read' ? 'read' : 'compared against';
    const explanation =
      `key ${JSON.stringify(key)} is not linearizable: op #${impossible.id} ${needs} a ` +
      `value that no write or cas on the key ever wrote.\n${describeHistory([impossible])}`;
    return { verdict: 'not-linearizable', key, history: [impossible], explanation };
  }
  const outcome = searchKey(ops, stepsMax);
  if (outcome.kind === 'linearizable') return { verdict: 'linearizable' };
  if (outcome.kind === 'budget-exceeded') {
    const reason =
      `search budget exceeded: no verdict for key ${JSON.stringify(key)} ` +
      `(${ops.length} ops) within ${stepsMax} steps`;
    return { verdict: 'unknown', key, reason };
  }
  const shrunk = shrinkFailure(ops, stepsMax, outcome.horizon);
  const explanation = explain(key, ops.length, shrunk, stepsMax);
  return { verdict: 'not-linearizable', key, history: shrunk.history, explanation };
}

/** The deepest dead end over the searches from each initial value, for the explanation. */
function deepestTrace(
  history: readonly Operation[],
  initials: readonly KvState[],
  stepsMax: number,
): { trace: SearchTrace; initial: KvState } | null {
  let best: { trace: SearchTrace; initial: KvState } | null = null;
  for (const initial of initials) {
    const { trace } = searchKey(history, stepsMax, true, initial);
    if (trace !== undefined && (best === null || trace.order.length > best.trace.order.length)) {
      best = { trace, initial };
    }
  }
  return best;
}

function explain(key: string, originalCount: number, shrunk: Shrunk, stepsMax: number): string {
  const { history, notes, initials } = shrunk;
  const lines = [
    `key ${JSON.stringify(key)} is not linearizable: no order of these ${history.length} ` +
      `ops (shrunk from ${originalCount}) respects both real time and the register's rules.`,
    ...notes.map((note) => `- ${note}`),
  ];
  const deepest = deepestTrace(history, initials, stepsMax);
  if (deepest !== null) {
    const { trace, initial } = deepest;
    const order = trace.order.map((op) => `#${op.id}`).join(' ') || '(no op)';
    const from = initials.length > 1 ? `Starting from ${showState(initial)}, the l` : 'L';
    lines.push(
      `${from}ongest consistent order found is ${order}, leaving the key ` +
        `${showState(trace.state)}.`,
    );
    if (trace.blocked !== null) {
      const why = mismatch(trace.state, trace.blocked) || 'no consistent order continues';
      lines.push(
        `Then #${trace.blocked.id} had to take effect by its completion at ` +
          `${trace.blocked.completeTime}, yet ${why}; every other order fails too.`,
      );
    }
  }
  const sorted = [...history].sort((a, b) => a.invokeTime - b.invokeTime || a.id - b.id);
  const shown = sorted.slice(Math.max(0, sorted.length - EXPLAIN_LINES_MAX));
  const more = shown.length < sorted.length;
  lines.push(more ? `History (last ${shown.length} of ${sorted.length} ops):` : 'History:');
  lines.push(describeHistory(shown));
  return lines.join('\n');
}

/** Renders a check result for a test failure message or a log. */
export function describeResult(result: CheckResult): string {
  switch (result.verdict) {
    case 'linearizable':
      return 'linearizable';
    case 'unknown':
      return `unknown: ${result.reason}`;
    case 'not-linearizable':
      return result.explanation;
  }
}
