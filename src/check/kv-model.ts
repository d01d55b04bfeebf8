// The sequential specification of one key, whose state is its value (null when absent):
// step() judges an op's recorded outcome in a state. Also how the search sees each op
// (uninformative, observation, optional), how a cut in time weakens an op, and which
// initial values matter when a history starts from an unknown value.

import { showValue, type Operation } from './history.js';

/** The value of one key; null when the key is absent (the initial state of every key). */
export type KvState = string | null;

export interface StepResult {
  /** The op's recorded outcome (and read result) is possible in the state it was applied to. */
  readonly ok: boolean;
  /** The state after the op (unchanged when !ok). */
  readonly next: KvState;
}

function required(value: string | undefined, op: Operation, what: string): string {
  if (value === undefined) throw new Error(`op #${op.id}: ${op.kind} without ${what}`);
  return value;
}

/**
 * Applies `op` to `state`. An 'unknown' op is taken to have happened (the search may instead
 * leave it out, which stands for "never took effect"); an unknown read observes nothing.
 */
export function step(state: KvState, op: Operation): StepResult {
  switch (op.kind) {
    case 'read':
      if (op.outcome !== 'ok') return { ok: true, next: state };
      return { ok: state === (op.result ?? null), next: state };
    case 'write':
      if (op.outcome === 'fail') return { ok: true, next: state };
      return { ok: true, next: required(op.value, op, 'a value') };
    case 'cas': {
      const holds = state !== null && state === required(op.expected, op, 'an expected');
      if (op.outcome === 'fail') return { ok: !holds, next: state };
      return holds ? { ok: true, next: required(op.value, op, 'a value') } : fails(state);
    }
    case 'delete':
      if (op.outcome === 'fail') return { ok: state === null, next: state };
      return state !== null ? { ok: true, next: null } : fails(state);
  }
}

function fails(state: KvState): StepResult {
  return { ok: false, next: state };
}

/** Why step(state, op) is not ok, as a phrase; '' when it is ok. */
export function mismatch(state: KvState, op: Operation): string {
  if (step(state, op).ok) return '';
  const now = state === null ? 'the key was absent' : `the value was ${showValue(state)}`;
  switch (op.kind) {
    case 'read':
      return `it read ${showValue(op.result ?? null)} while ${now}`;
    case 'cas':
      return op.outcome === 'fail'
        ? `its compare failed while the value was ${showValue(state)}, equal to expected`
        : `it swapped expecting ${showValue(op.expected)} while ${now}`;
    case 'delete':
      return op.outcome === 'fail' ? `it found no key while ${now}` : `it deleted while ${now}`;
    case 'write':
      return 'a write always applies';
  }
}

/** The op tells nothing and changes nothing: an unknown or failed read, a failed write. */
export function isUninformative(op: Operation): boolean {
  if (op.kind === 'read') return op.outcome !== 'ok';
  return op.kind === 'write' && op.outcome === 'fail';
}

/** The op definitely happened without changing the state: an ok read, a failed cas/delete. */
export function isObservation(op: Operation): boolean {
  if (op.outcome === 'unknown') return false;
  return op.kind === 'read' ? op.outcome === 'ok' : op.kind !== 'write' && op.outcome === 'fail';
}

/** The op changed the state, or may have: an ok or unknown write, cas or delete. */
export function isEffectful(op: Operation): boolean {
  return op.kind !== 'read' && op.outcome !== 'fail';
}

/**
 * `op` as a history cut at a time while it was in flight sees it: an effectful op becomes
 * 'unknown' (it may or may not have taken effect by then); an observation becomes null
 * (dropped: nothing it saw need have happened yet, and it changed nothing).
 */
export function inFlightForm(op: Operation): Operation | null {
  if (!isEffectful(op)) return null;
  const { result: _result, ...rest } = op;
  return { ...rest, outcome: 'unknown', completeTime: null };
}

/**
 * A definite op that needs the key to hold a value no op of `ops` ever writes (e.g. a read
 * of a never-written value): on its own it proves the history is not linearizable.
 */
export function impossibleObservation(ops: readonly Operation[]): Operation | undefined {
  const written = new Set<string>();
  for (const op of ops) {
    if (isEffectful(op) && op.value !== undefined) written.add(op.value);
  }
  return ops.find((op) => {
    const needs = op.kind === 'read' ? op.result : op.kind === 'cas' ? op.expected : null;
    const definite = op.outcome === 'ok';
    return definite && typeof needs === 'string' && !written.has(needs);
  });
}

/**
 * The values the key could start with that make a difference to `ops`: absent, each value
 * an op might observe before the first definite effect must have happened, and one value
 * nobody mentions (standing for all such). If `ops` fails from each, it fails from any.
 */
export function initialValues(ops: readonly Operation[]): KvState[] {
  let firstEffect = Infinity;
  for (const op of ops) {
    if (isEffectful(op) && op.outcome !== 'unknown') {
      firstEffect = Math.min(firstEffect, op.completeTime ?? Infinity);
    }
  }
  const mentioned = new Set<string>();
  const observed = new Set<string>();
  for (const op of ops) {
    for (const value of [op.value, op.expected, op.result]) {
      if (typeof value === 'string') mentioned.add(value);
    }
    if (op.invokeTime > firstEffect) continue;
    if (typeof op.result === 'string') observed.add(op.result);
    if (op.kind === 'cas' && op.expected !== undefined) observed.add(op.expected);
  }
  let fresh = '(none of the above)';
  while (mentioned.has(fresh)) fresh += '*';
  return [null, ...observed, fresh];
}

/** One key's ops as the search takes them. */
export interface PreparedKey {
  /** Definite ops (ok/fail) by invoke time, then optional ('unknown') ops by invoke time. */
  readonly ops: readonly Operation[];
  /** How many leading entries of `ops` are definite: each must be linearized. */
  readonly definite: number;
}

function byInvoke(a: Operation, b: Operation): number {
  return a.invokeTime - b.invokeTime || a.id - b.id;
}

/** Drops uninformative ops and orders the rest for the search. */
export function prepareKey(ops: readonly Operation[]): PreparedKey {
  const kept = ops.filter((op) => !isUninformative(op));
  const definite = kept.filter((op) => op.outcome !== 'unknown').sort(byInvoke);
  const optional = kept.filter((op) => op.outcome === 'unknown').sort(byInvoke);
  return { ops: [...definite, ...optional], definite: definite.length };
}

/** A state as printed in reports. */
export function showState(state: KvState): string {
  return state === null ? 'absent' : showValue(state);
}
