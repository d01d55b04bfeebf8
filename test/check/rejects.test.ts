// Hand-written histories that are NOT linearizable must be rejected, with the failing key, a
// failing sub-history that keeps the op at fault, and an explanation naming it.

import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from './fixtures.js';
import type { Operation } from '../../src/check/history.js';
import {
  checkLinearizable,
  describeResult,
  type CheckResult,
} from '../../src/check/linearizability.js';

type Rejection = Extract<CheckResult, { verdict: 'not-linearizable' }>;

function expectRejected(history: readonly Operation[], culprit: number): Rejection {
  const result = checkLinearizable(history);
  expect(result.verdict, describeResult(result)).toBe('not-linearizable');
  const rejection = result as Rejection;
  expect(rejection.history.map((op) => op.id)).toContain(culprit);
  expect(rejection.explanation).toContain(`#${culprit}`);
  // The reported sub-history must fail on its own: it is the evidence.
  expect(checkLinearizable(rejection.history).verdict).toBe('not-linearizable');
  return rejection;
}

describe('linearizability: rejects', () => {
  it('linearizability: stale read after acknowledged write is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .write(1, 'b', [2, 3])
      .read(2, 'a', [4, 5]) // #3: 'b' was acknowledged before this read began
      .build();
    expectRejected(history, 3);
  });

  it('linearizability: lost write (acknowledged, never visible) is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 2])
      .write(2, 'b', [1, 3]) // #2 acknowledged...
      .read(3, 'a', [4, 5]) // ...but later reads only ever see 'a'
      .read(1, 'a', [6, 7])
      .read(2, 'a', [8, 9])
      .build();
    // 'b' could be ordered before 'a' for the first reads; make the loss certain:
    const certain = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .write(2, 'b', [2, 3])
      .read(3, 'a', [4, 5])
      .read(1, 'a', [6, 7])
      .build();
    expect(checkLinearizable(history).verdict).toBe('linearizable');
    expectRejected(certain, 3);
  });

  it('linearizability: read of a value never written is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .read(2, 'ghost', [2, 3])
      .build();
    const rejection = expectRejected(history, 2);
    expect(rejection.history).toHaveLength(1);
    expect(rejection.explanation).toContain('no write or cas on the key ever wrote');
  });

  it('linearizability: read of a value written by a FAILED cas is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .cas(1, 'x', 'y', [2, 3], 'fail')
      .read(2, 'y', [4, 5])
      .build();
    expectRejected(history, 3);
  });

  it('linearizability: cas succeeding when its compare could not hold is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .write(1, 'x', [2, 3])
      .write(1, 'b', [4, 5])
      .cas(2, 'x', 'y', [6, 7], 'ok') // #4: the value is 'b', not 'x'
      .build();
    const rejection = expectRejected(history, 4);
    expect(rejection.explanation).toMatch(/it swapped expecting "x" while the value was "b"/);
  });

  it('linearizability: cas on an absent key succeeding is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .del(1, [2, 3])
      .cas(2, 'a', 'b', [4, 5], 'ok')
      .build();
    expectRejected(history, 3);
  });

  it('linearizability: two concurrent cas from one value both succeeding is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .cas(1, 'a', 'b', [2, 6], 'ok')
      .cas(2, 'a', 'c', [3, 7], 'ok')
      .build();
    const result = checkLinearizable(history);
    expect(result.verdict, describeResult(result)).toBe('not-linearizable');
    // Same history where the second one failed its compare is fine.
    const fixed = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .cas(1, 'a', 'b', [2, 6], 'ok')
      .cas(2, 'a', 'c', [3, 7], 'fail')
      .build();
    expect(checkLinearizable(fixed).verdict).toBe('linearizable');
  });

  it('linearizability: failed cas whose compare must have held is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .cas(2, 'a', 'b', [2, 3], 'fail') // #2: nothing else could have changed 'a'
      .build();
    expectRejected(history, 2);
  });

  it('linearizability: delete ok on an absent key is rejected', () => {
    const history = new HistoryBuilder().del(1, [0, 1], 'ok').build();
    const rejection = expectRejected(history, 1);
    expect(rejection.explanation).toContain('it deleted while the key was absent');
  });

  it('linearizability: delete ok twice in a row is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .del(1, [2, 3], 'ok')
      .del(2, [4, 5], 'ok')
      .build();
    expectRejected(history, 3);
  });

  it('linearizability: delete fail while the key exists is rejected', () => {
    const history = new HistoryBuilder().write(1, 'a', [0, 1]).del(2, [2, 3], 'fail').build();
    expectRejected(history, 2);
  });

  it('linearizability: read of the old value after an acknowledged delete is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .del(1, [2, 3], 'ok')
      .read(2, 'a', [4, 5])
      .build();
    expectRejected(history, 3);
  });

  it('linearizability: non-monotonic reads across clients are rejected', () => {
    // #2 is in flight throughout; client 2 sees the new value, then client 3 the old one.
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .write(1, 'b', [2, 20])
      .read(2, 'b', [3, 4])
      .read(3, 'a', [5, 6])
      .build();
    const rejection = expectRejected(history, 4);
    expect(rejection.history.map((op) => op.id)).toContain(3);
  });

  it('linearizability: unknown write seen, then unseen again, is rejected', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .write(2, 'b', [2, null]) // unknown: may take effect once, at any single instant
      .read(3, 'b', [10, 11])
      .read(3, 'a', [12, 13])
      .build();
    expectRejected(history, 4);
  });

  it('linearizability: a failing key is reported even when other keys are fine', () => {
    const history = new HistoryBuilder('x')
      .write(1, 'a', [0, 1])
      .read(2, 'a', [2, 3])
      .on('y')
      .write(1, 'p', [4, 5])
      .write(1, 'q', [6, 7])
      .read(2, 'p', [8, 9])
      .build();
    const rejection = expectRejected(history, 5);
    expect(rejection.key).toBe('y');
    expect(rejection.history.every((op) => op.key === 'y')).toBe(true);
  });

  it('linearizability: malformed histories are refused loudly', () => {
    const good = new HistoryBuilder().write(1, 'a', [0, 1]).build();
    const backwards = good.map((op) => ({ ...op, completeTime: -1 }));
    expect(() => checkLinearizable(backwards)).toThrow(/before it was invoked/);
    const twice = [...good, ...good];
    expect(() => checkLinearizable(twice)).toThrow(/duplicate id/);
  });
});
