// Property tests: histories produced by really executing ops on a Map inside their
// [invoke, complete] windows are always accepted, and corrupting one read always gets them
// rejected. Set KVD_SEED to replay a fast-check seed it printed.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryHistoryArb, execute, fcParams, planArb, type PlannedOp } from './fixtures.js';
import { describeHistory, type Operation } from '../../src/check/history.js';
import { checkLinearizable, describeResult, splitByKey } from '../../src/check/linearizability.js';
import { searchKey } from '../../src/check/search.js';
import { firstHolding, shrinkFailure } from '../../src/check/shrink.js';

const NEVER = 'never-written';

/** `history` with op `id`'s read result replaced. */
function corrupt(history: readonly Operation[], id: number, result: string): Operation[] {
  return history.map((op) => (op.id === id ? { ...op, result } : op));
}

function okReads(history: readonly Operation[]): Operation[] {
  return history.filter((op) => op.kind === 'read' && op.outcome === 'ok');
}

const plannedWithRead = (clients: number, keys: number, maxOps: number) =>
  fc
    .tuple(planArb(clients, keys, maxOps), fc.nat())
    .filter(([plan]) => okReads(execute(plan)).length > 0);

describe('linearizability: properties', () => {
  it('linearizability: true executions on a Map are always accepted', () => {
    fc.assert(
      fc.property(planArb(5, 2, 60), (plan: PlannedOp[]) => {
        const result = checkLinearizable(execute(plan));
        expect(result.verdict, describeResult(result)).toBe('linearizable');
      }),
      fcParams(300),
    );
  });

  it('linearizability: true executions with one key and many clients are accepted', () => {
    fc.assert(
      fc.property(planArb(10, 1, 120), (plan: PlannedOp[]) => {
        const result = checkLinearizable(execute(plan));
        expect(result.verdict, describeResult(result)).toBe('linearizable');
      }),
      fcParams(150),
    );
  });

  it('linearizability: a read corrupted to a never-written value is always rejected', () => {
    fc.assert(
      fc.property(plannedWithRead(6, 2, 60), ([plan, pick]) => {
        const history = execute(plan);
        const reads = okReads(history);
        const victim = reads[pick % reads.length];
        const result = checkLinearizable(corrupt(history, victim.id, NEVER));
        expect(result.verdict).toBe('not-linearizable');
        if (result.verdict !== 'not-linearizable') return;
        expect(result.key).toBe(victim.key);
        expect(result.history.map((op) => op.id)).toContain(victim.id);
      }),
      fcParams(300),
    );
  });

  it('linearizability: the search alone rejects a corrupted read and shrinks soundly', () => {
    fc.assert(
      fc.property(plannedWithRead(6, 1, 60), ([plan, pick]) => {
        const history = execute(plan);
        const reads = okReads(history);
        const victim = reads[pick % reads.length];
        const ops = corrupt(history, victim.id, NEVER);
        // Bypasses the never-written shortcut, so the search itself must find no order.
        expect(searchKey(ops, 1_000_000).kind).toBe('not-linearizable');
        const shrunk = shrinkFailure(ops, 1_000_000);
        expect(searchKey(shrunk.history, 1_000_000).kind).toBe('not-linearizable');
        expect(shrunk.history.map((op) => op.id)).toContain(victim.id);
        expect(shrunk.history.length).toBeLessThanOrEqual(ops.length);
      }),
      fcParams(200),
    );
  });

  it('linearizability: verdicts match brute force on small histories with a swapped read', () => {
    // A read swapped to another written value may or may not still fit some order: the
    // checker must agree with trying every order of the ops (unknown ones optional).
    fc.assert(
      fc.property(plannedWithRead(3, 1, 7), ([plan, pick]) => {
        const history = execute(plan);
        const reads = okReads(history);
        const victim = reads[pick % reads.length];
        const written = history.flatMap((op) => (op.value === undefined ? [] : [op.value]));
        const other = written.find((v) => v !== victim.result) ?? NEVER;
        const ops = corrupt(history, victim.id, other);
        const expected = bruteForce(ops) ? 'linearizable' : 'not-linearizable';
        expect(checkLinearizable(ops).verdict).toBe(expected);
      }),
      fcParams(400),
    );
  });

  it('linearizability: verdicts match brute force on arbitrary small histories', () => {
    fc.assert(
      fc.property(
        arbitraryHistoryArb(7),
        fc.constantFrom(null, 'a', 'b'),
        (history, initial) => {
          const truth = bruteForce(history, initial);
          const verdict = checkLinearizable(history).verdict;
          expect(verdict, describeHistory(history)).toBe(
            bruteForce(history, null) ? 'linearizable' : 'not-linearizable',
          );
          const fromInitial = searchKey(history, 1_000_000, false, initial).kind;
          expect(fromInitial).toBe(truth ? 'linearizable' : 'not-linearizable');
        },
      ),
      fcParams(1500),
    );
  });

  it('linearizability: shrinking finds a monotone boundary from any starting probe', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.nat(201), fc.integer({ min: -5, max: 210 }), (n, t, start) => {
        const threshold = Math.min(t, n);
        const probed: number[] = [];
        const holds = (i: number): boolean => {
          expect(i >= 0 && i < n).toBe(true);
          probed.push(i);
          return i >= threshold;
        };
        expect(firstHolding(n, holds, start)).toBe(threshold);
        expect(probed.length).toBeLessThanOrEqual(2 * Math.log2(n + 1) + 2);
      }),
      fcParams(500),
    );
  });

  it('linearizability: splitByKey keeps every op exactly once', () => {
    fc.assert(
      fc.property(planArb(4, 3, 40), (plan: PlannedOp[]) => {
        const history = execute(plan);
        const parts = [...splitByKey(history).values()];
        expect(parts.flat().map((op) => op.id).sort((a, b) => a - b)).toEqual(
          history.map((op) => op.id).sort((a, b) => a - b),
        );
        for (const part of parts) expect(new Set(part.map((op) => op.key)).size).toBe(1);
      }),
      fcParams(100),
    );
  });
});

/**
 * Reference oracle for tiny single-key histories: tries every permutation of the definite
 * ops plus any subset of the unknown ones, checking real-time order and the register rules.
 */
function bruteForce(history: readonly Operation[], initial: string | null = null): boolean {
  const ops = history.filter((op) => !(op.kind === 'read' && op.outcome !== 'ok'));
  const definite = ops.filter((op) => op.outcome !== 'unknown');
  const unknown = ops.filter((op) => op.outcome === 'unknown');
  const end = (op: Operation): number => op.completeTime ?? Infinity;
  const search = (done: Operation[], left: Operation[], state: string | null): boolean => {
    if (left.every((op) => op.outcome === 'unknown')) return true;
    return left.some((op, i) => {
      // op goes next only if no other remaining op completed before op was invoked.
      if (left.some((other) => other !== op && end(other) < op.invokeTime)) return false;
      const next = apply(state, op);
      if (next === undefined) return false;
      return search([...done, op], [...left.slice(0, i), ...left.slice(i + 1)], next);
    });
  };
  return search([], [...definite, ...unknown], initial);
}

/** The state after op in state, or undefined when op's recorded outcome is impossible. */
function apply(state: string | null, op: Operation): string | null | undefined {
  const fail = op.outcome === 'fail';
  switch (op.kind) {
    case 'read':
      return state === op.result ? state : undefined;
    case 'write':
      return fail ? state : (op.value ?? null);
    case 'cas':
      if (fail) return state === op.expected ? undefined : state;
      return state === op.expected ? (op.value ?? null) : undefined;
    case 'delete':
      if (fail) return state === null ? state : undefined;
      return state === null ? undefined : null;
  }
}
