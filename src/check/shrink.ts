// Shrinks one key's non-linearizable history to a small one that still fails, using only
// reductions that keep a failure a proof: end the history early, start it late from an
// unknown value, drop pure observations. Every candidate is re-checked with a search.

import type { Operation } from './history.js';
import { inFlightForm, initialValues, isObservation, type KvState } from './kv-model.js';
import { searchKey } from './search.js';

export interface Shrunk {
  /** A history that fails on its own, and whose failure implies the original's. */
  readonly history: Operation[];
  /** What each reduction that applied did, one sentence each. */
  readonly notes: string[];
  /** The initial values `history` fails from: absent, or every value that matters. */
  readonly initials: readonly KvState[];
}

/** At most this many checks are spent dropping observations. */
const DROP_CHECKS_MAX = 64;
/** A late start is tried only when at most this many initial values need checking. */
const INITIAL_VALUES_MAX = 64;

type Checker = (ops: readonly Operation[]) => boolean;

/** A history cut at `time`. */
interface Window {
  readonly ops: Operation[];
  readonly time: number;
}

/**
 * The history as it stood at time `time`: ops complete by then as they are, ops in flight
 * in their in-flight form (effectful ops unknown, observations dropped), later ops dropped.
 * If the cut history is not linearizable, neither is `ops`.
 */
export function endAt(ops: readonly Operation[], time: number): Operation[] {
  const out: Operation[] = [];
  for (const op of ops) {
    if (op.invokeTime > time) continue;
    const done = op.outcome !== 'unknown' && op.completeTime !== null && op.completeTime <= time;
    const kept = done || op.outcome === 'unknown' ? op : inFlightForm(op);
    if (kept !== null) out.push(kept);
  }
  return out;
}

/**
 * The history from just before time `time`, whose state there is unknown: ops invoked from
 * `time` on as they are, ops in flight in their in-flight form, earlier ops dropped. If it
 * fails from every initial value (see failsFromAnyValue), `ops` is not linearizable.
 */
export function startAt(ops: readonly Operation[], time: number): Operation[] {
  const out: Operation[] = [];
  for (const op of ops) {
    if (op.invokeTime >= time) {
      out.push(op);
    } else if (op.completeTime === null || op.completeTime >= time) {
      const kept = op.outcome === 'unknown' ? op : inFlightForm(op);
      if (kept !== null) out.push(kept);
    }
  }
  return out;
}

/**
 * For `holds` monotone over [0, count) (false ... false true ... true), the first index
 * where it holds, or `count` if none. Probes `start` first, then gallops away from it in
 * doubling steps and bisects: few probes when the answer is near `start`.
 */
export function firstHolding(
  count: number,
  holds: (index: number) => boolean,
  start: number,
): number {
  if (count === 0) return 0;
  const from = Math.min(Math.max(start, 0), count - 1);
  let lo = -1; // holds(lo) is false, or lo = -1
  let hi = count; // holds(hi) is true, or hi = count
  if (holds(from)) {
    hi = from;
    for (let step = 1; hi - step > lo; step *= 2) {
      if (!holds(hi - step)) {
        lo = hi - step;
        break;
      }
      hi -= step;
    }
  } else {
    lo = from;
    for (let step = 1; lo + step < hi; step *= 2) {
      if (holds(lo + step)) {
        hi = lo + step;
        break;
      }
      lo += step;
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function distinctTimes(times: number[]): number[] {
  return [...new Set(times)].sort((a, b) => a - b);
}

/**
 * The failing history ended as early as possible, or null when that drops nothing. Failing
 * is monotone in the end time (a later end keeps more); the search starts at `hint`.
 */
function earliestEnd(ops: readonly Operation[], fails: Checker, hint: number): Window | null {
  const times = distinctTimes(ops.flatMap((op) => op.completeTime ?? []));
  let start = times.length - 1;
  while (start > 0 && times[start] > hint) start--;
  const index = firstHolding(times.length, (i) => fails(endAt(ops, times[i])), start);
  if (index >= times.length) return null;
  const ended = endAt(ops, times[index]);
  return ended.length < ops.length ? { ops: ended, time: times[index] } : null;
}

/**
 * The failing history started as late as possible, or null when that drops nothing. Failing
 * from any value is monotone in the start time (an earlier start keeps more); the search
 * begins with the latest start, whose histories are smallest and cheapest to check.
 */
function latestStart(ops: readonly Operation[], failsFromAny: Checker): Window | null {
  const latestFirst = distinctTimes(ops.map((op) => op.invokeTime)).reverse();
  const fails = (i: number): boolean => failsFromAny(startAt(ops, latestFirst[i]));
  const index = firstHolding(latestFirst.length, fails, 0);
  if (index >= latestFirst.length - 1) return null; // none, or the first invoke: drops nothing
  return { ops: startAt(ops, latestFirst[index]), time: latestFirst[index] };
}

/** Drops chunks of pure observations (ok reads, failed cas/delete) while the rest fails. */
function dropObservations(ops: readonly Operation[], fails: Checker): Operation[] {
  let current = [...ops];
  let checks = 0;
  let chunk = Math.ceil(current.filter(isObservation).length / 2);
  while (chunk >= 1 && checks < DROP_CHECKS_MAX) {
    const observations = current.filter(isObservation);
    for (let i = 0; i < observations.length && checks < DROP_CHECKS_MAX; i += chunk) {
      const drop = new Set(observations.slice(i, i + chunk));
      const candidate = current.filter((op) => !drop.has(op));
      checks++;
      if (fails(candidate)) current = candidate;
    }
    chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2);
  }
  return current;
}

/**
 * Shrinks `ops` (one key, known not linearizable) with searches of at most `stepsMax` steps
 * each; a search that runs out of budget counts as "does not fail", so the result always
 * fails (from the absent state, and from any state if it starts late). Returns the original
 * when nothing smaller is found. `horizon` (SearchOutcome.horizon) is where to look first.
 */
export function shrinkFailure(
  ops: readonly Operation[],
  stepsMax: number,
  horizon = Infinity,
): Shrunk {
  const failsFrom = (candidate: readonly Operation[], initial: KvState): boolean =>
    searchKey(candidate, stepsMax, false, initial).kind === 'not-linearizable';
  const fails: Checker = (candidate) => failsFrom(candidate, null);
  const failsFromAny: Checker = (candidate) => {
    const values = initialValues(candidate);
    if (values.length > INITIAL_VALUES_MAX) return false;
    return values.every((value) => failsFrom(candidate, value));
  };
  const notes: string[] = [];
  let current = [...ops];
  const ended = earliestEnd(current, fails, horizon);
  if (ended !== null) {
    notes.push(
      `ended at time ${ended.time}, the earliest completion by which the history already ` +
        'fails (ops still in flight then are shown as unknown, reads among them dropped)',
    );
    current = ended.ops;
  }
  const started = latestStart(current, failsFromAny);
  if (started !== null) {
    notes.push(
      `started at time ${started.time}, whatever the key held then: it fails from every ` +
        'value (ops in flight then are shown as unknown, reads among them dropped)',
    );
    current = started.ops;
  }
  const before = current.length;
  current = dropObservations(current, started === null ? fails : failsFromAny);
  if (current.length < before) {
    notes.push(`dropped ${before - current.length} reads/failed ops not needed for the failure`);
  }
  const initials = started === null ? [null] : initialValues(current);
  return { history: current, notes, initials };
}
