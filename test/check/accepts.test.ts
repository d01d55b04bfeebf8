// Hand-written histories that ARE linearizable must be accepted; each is paired with a small
// variant that is not, so every test could fail in both directions.

import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from './fixtures.js';
import type { Operation } from '../../src/check/history.js';
import { checkLinearizable, describeResult } from '../../src/check/linearizability.js';

function expectAccepted(history: readonly Operation[]): void {
  const result = checkLinearizable(history);
  expect(result.verdict, describeResult(result)).toBe('linearizable');
}

function expectRejected(history: readonly Operation[]): void {
  expect(checkLinearizable(history).verdict).toBe('not-linearizable');
}

describe('linearizability: accepts', () => {
  it('linearizability: empty history and reads of absent keys are accepted', () => {
    expectAccepted([]);
    expectAccepted(new HistoryBuilder().read(1, null, [0, 1]).del(2, [2, 3], 'fail').build());
    expectRejected(new HistoryBuilder().read(1, 'a', [0, 1]).build());
  });

  it('linearizability: concurrent writes with reads seeing either order are accepted', () => {
    const base = (first: string, second: string): Operation[] =>
      new HistoryBuilder()
        .write(1, 'a', [0, 10])
        .write(2, 'b', [1, 9])
        .read(3, first, [2, 8])
        .read(4, second, [11, 12])
        .build();
    expectAccepted(base('a', 'b')); // a then b
    expectAccepted(base('b', 'a')); // b then a
    expectAccepted(base('a', 'a')); // b, a with the read between... b then a, read a after
    // Once both writes completed, a read that saw 'b' then... 'a' cannot follow 'b' twice:
    const flipFlop = new HistoryBuilder()
      .write(1, 'a', [0, 10])
      .write(2, 'b', [1, 9])
      .read(3, 'a', [2, 3])
      .read(3, 'b', [4, 5])
      .read(3, 'a', [6, 7])
      .build();
    expectRejected(flipFlop);
  });

  it('linearizability: a read concurrent with a write may see old or new value', () => {
    for (const seen of ['old', 'new', null]) {
      const builder = new HistoryBuilder();
      if (seen !== null) builder.write(1, 'old', [0, 1]);
      builder.write(1, 'new', [2, 6]).read(2, seen === null ? null : seen, [3, 4]);
      expectAccepted(builder.build());
    }
    const after = new HistoryBuilder().write(1, 'old', [0, 1]).write(1, 'new', [2, 3]);
    expectRejected(after.read(2, 'old', [4, 5]).build());
  });

  it('linearizability: ops touching at the same instant are treated as concurrent', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .write(1, 'b', [2, 5])
      .read(2, 'a', [5, 6]) // invoked exactly when 'b' completed: may precede it
      .build();
    expectAccepted(history);
    const later = history.map((op) => (op.id === 3 ? { ...op, invokeTime: 5.5 } : op));
    expectRejected(later);
  });

  it('linearizability: unknown write that took effect is accepted', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .write(2, 'b', [2, null])
      .read(3, 'b', [5, 6])
      .build();
    expectAccepted(history);
  });

  it('linearizability: unknown write that never took effect is accepted', () => {
    const history = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .write(2, 'b', [2, null])
      .read(3, 'a', [5, 6])
      .read(3, 'a', [7, 8])
      .build();
    expectAccepted(history);
    // ...but it cannot have taken effect before it was invoked.
    const early = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .read(3, 'b', [2, 3])
      .write(2, 'b', [4, null])
      .build();
    expectRejected(early);
  });

  it('linearizability: unknown write that becomes visible much later is accepted', () => {
    const builder = new HistoryBuilder().write(1, 'a', [0, 1]).write(2, 'late', [2, null]);
    for (let t = 10; t < 1000; t += 10) builder.read(1 + (t % 3), 'a', [t, t + 5]);
    builder.read(3, 'late', [5000, 5001]);
    expectAccepted(builder.build());
    builder.read(1, 'a', [6000, 6001]); // once seen it cannot un-happen
    expectRejected(builder.build());
  });

  it('linearizability: unknown cas and delete may or may not have applied', () => {
    const cas = (seen: string): Operation[] =>
      new HistoryBuilder()
        .write(1, 'a', [0, 1])
        .cas(2, 'a', 'b', [2, null])
        .read(3, seen, [5, 6])
        .build();
    expectAccepted(cas('a'));
    expectAccepted(cas('b'));
    const del = (seen: string | null): Operation[] =>
      new HistoryBuilder().write(1, 'a', [0, 1]).del(2, [2, null]).read(3, seen, [5, 6]).build();
    expectAccepted(del('a'));
    expectAccepted(del(null));
    // An unknown cas whose compare can never hold cannot explain its value appearing.
    const impossible = new HistoryBuilder()
      .write(1, 'a', [0, 1])
      .cas(2, 'z', 'b', [2, null])
      .read(3, 'b', [5, 6])
      .build();
    expectRejected(impossible);
  });

  it('linearizability: concurrent cas where exactly one wins is accepted', () => {
    const history = new HistoryBuilder()
      .write(1, '0', [0, 1])
      .cas(1, '0', '1', [2, 8], 'ok')
      .cas(2, '0', '2', [3, 7], 'fail')
      .cas(3, '1', '3', [4, 9], 'ok') // chained on the winner, concurrently
      .read(4, '3', [10, 11])
      .build();
    expectAccepted(history);
  });

  it('linearizability: concurrent counter increments by cas chain are accepted', () => {
    const builder = new HistoryBuilder().write(0, '0', [0, 1]);
    for (let i = 0; i < 8; i++) builder.cas(i + 1, `${i}`, `${i + 1}`, [2 + i, 30 - i], 'ok');
    builder.read(9, '8', [40, 41]);
    expectAccepted(builder.build());
    builder.read(9, '7', [42, 43]);
    expectRejected(builder.build());
  });

  it('linearizability: independent keys do not constrain each other', () => {
    const history = new HistoryBuilder('x')
      .write(1, 'a', [0, 1])
      .on('y')
      .read(2, null, [2, 3]) // y is untouched by x's write
      .on('x')
      .read(2, 'a', [4, 5])
      .build();
    expectAccepted(history);
  });

  it('linearizability: failed writes and failed or unknown reads carry no constraint', () => {
    const read = { key: 'k', kind: 'read', invokeTime: 4 } as const;
    const history: Operation[] = [
      ...new HistoryBuilder().write(1, 'a', [0, 1]).write(2, 'b', [2, 3], 'fail').build(),
      { ...read, id: 10, client: 3, completeTime: 5, outcome: 'fail' },
      { ...read, id: 11, client: 4, completeTime: null, outcome: 'unknown' },
      ...new HistoryBuilder().read(5, 'a', [6, 7]).build().map((op) => ({ ...op, id: 12 })),
    ];
    expectAccepted(history);
    // The same history with the failed write succeeding instead is not linearizable.
    expectRejected(history.map((op) => (op.id === 2 ? { ...op, outcome: 'ok' } : op)));
  });
});
