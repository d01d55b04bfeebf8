// Scale and budget tests: big random true histories are checked (times are printed, never
// asserted: speed belongs to benchmarks), pathological ones end in 'unknown' within the step
// budget instead of hanging, and failures in long histories are shrunk to a few ops.

import { describe, expect, it } from 'vitest';
import { HistoryBuilder, execute, randomPlan } from './fixtures.js';
import type { Operation } from '../../src/check/history.js';
import {
  DEFAULT_STEPS_MAX,
  checkLinearizable,
  describeResult,
} from '../../src/check/linearizability.js';
import { searchKey } from '../../src/check/search.js';

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

/** Runs `run` `times` times; the fastest time filters out JIT warm-up and a busy machine. */
function fastest<T>(times: number, run: () => T): { value: T; ms: number; firstMs: number } {
  const first = timed(run);
  let ms = first.ms;
  for (let i = 1; i < times; i++) ms = Math.min(ms, timed(run).ms);
  return { value: first.value, ms, firstMs: first.ms };
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

/** n writes of distinct values all overlapping, then 'x', then a read of the first value. */
function overlappingWriters(n: number): Operation[] {
  const builder = new HistoryBuilder();
  for (let i = 0; i < n; i++) builder.write(i, `v${i}`, [i, 1000 + i]);
  return builder.write(0, 'x', [2000, 2001]).read(1, 'v0', [3000, 3001]).build();
}

/** n unknown writes, then reads that see one of them and afterwards the older value again. */
function unknownWriters(n: number): Operation[] {
  const builder = new HistoryBuilder().write(0, 'x', [0, 1]);
  for (let i = 0; i < n; i++) builder.write(i + 1, `v${i}`, [2 + i, null]);
  return builder.read(0, `v${n - 1}`, [200, 201]).read(0, 'x', [300, 301]).build();
}

describe('linearizability: scale', () => {
  it('linearizability: 5,000 ops on one key from 8 clients are checked well under 1 s', () => {
    const history = execute(randomPlan(7, { ops: 5000, clients: 8, keys: 1, unknownRate: 0.01 }));
    expect(history.filter((op) => op.outcome === 'unknown').length).toBeGreaterThan(10);
    const { value: result, ms, firstMs } = fastest(5, () => checkLinearizable(history));
    expect(result.verdict, describeResult(result)).toBe('linearizable');
    console.log(`5,000 ops / 8 clients / 1 key: first ${fmt(firstMs)}, best ${fmt(ms)}`);
  });

  it('linearizability: 20,000 ops over 4 keys and 10 clients are checked quickly', () => {
    const plan = randomPlan(11, { ops: 20_000, clients: 10, keys: 4, unknownRate: 0.02 });
    const history = execute(plan);
    const { value: result, ms, firstMs } = fastest(2, () => checkLinearizable(history));
    expect(result.verdict, describeResult(result)).toBe('linearizable');
    console.log(`20,000 ops / 10 clients / 4 keys: first ${fmt(firstMs)}, best ${fmt(ms)}`);
  });

  it('linearizability: a stale read deep in 5,000 ops from 8 clients is found and shrunk', () => {
    // Unique values: the first write's value, once overwritten, can never be read again.
    const shape = { ops: 5000, clients: 8, keys: 1, unknownRate: 0, values: 1e9 };
    const history = execute(randomPlan(3, shape));
    const first = history.find((op) => op.kind === 'write')!;
    const reads = history.filter((op) => op.kind === 'read' && op.outcome === 'ok');
    const victim = reads[Math.floor(reads.length / 2)];
    const overwrite = history.find(
      (op) =>
        op.kind !== 'read' &&
        op.outcome === 'ok' &&
        op.invokeTime > (first.completeTime ?? 0) &&
        (op.completeTime ?? 0) < victim.invokeTime,
    );
    expect(overwrite).toBeDefined(); // so the corrupted read below is certainly stale
    const bad = history.map((op) => (op.id === victim.id ? { ...op, result: first.value } : op));
    const { value: result, ms } = timed(() => checkLinearizable(bad));
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict !== 'not-linearizable') return;
    expect(result.history.map((op) => op.id)).toEqual(expect.arrayContaining([victim.id]));
    console.log(`5,000 ops, stale read: shrunk to ${result.history.length} in ${fmt(ms)}`);
    expect(result.history.length).toBeLessThan(30);
  });

  it('linearizability: a stale read after 1,000 ops shrinks to two reads', () => {
    const builder = new HistoryBuilder();
    for (let i = 0; i < 500; i++) {
      builder.write(1, `v${i}`, [4 * i, 4 * i + 1]).read(2, `v${i}`, [4 * i + 2, 4 * i + 3]);
    }
    const history = builder.read(3, 'v10', [5000, 5001]).build();
    const { value: result, ms } = timed(() => checkLinearizable(history));
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict !== 'not-linearizable') return;
    // Whatever the value was, a read of "v499" then a read of "v10" with no write between
    // cannot both be right.
    expect(result.history.map((op) => op.id)).toEqual([1000, 1001]);
    expect(result.explanation).toContain('it read "v10" while the value was "v499"');
  });

  it('linearizability: a stale read amid concurrent traffic is reported with its cause', () => {
    // Values are (almost surely) unique, so once a later write completed, a read of an
    // earlier write's value is certainly stale, however busy the other clients are.
    const shape = { ops: 3000, clients: 6, keys: 1, unknownRate: 0, values: 1e9 };
    const history = execute(randomPlan(5, shape));
    const effect = (op: Operation) => op.kind !== 'read' && op.outcome === 'ok';
    const middle = history[1500].invokeTime;
    const old = history.find((op) => op.kind === 'write' && op.invokeTime > middle)!;
    const newer = history.find((op) => effect(op) && op.invokeTime > (old.completeTime ?? 0))!;
    const at = (newer.completeTime ?? 0) + 1;
    const stale = { ...old, id: 100_000, client: 99, kind: 'read' as const, result: old.value };
    const ops = [...history, { ...stale, value: undefined, invokeTime: at, completeTime: at + 3 }];
    const { value: result, ms } = timed(() => checkLinearizable(ops));
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict !== 'not-linearizable') return;
    expect(result.history.map((op) => op.id)).toEqual(expect.arrayContaining([100_000, old.id]));
    console.log(`stale read amid 3,000 ops: shrunk to ${result.history.length} ops in ${fmt(ms)}`);
    expect(result.history.length).toBeLessThan(30);
  });
});

describe('linearizability: budget', () => {
  it('linearizability: many overlapping writers exhaust the budget and return unknown', () => {
    const history = overlappingWriters(24);
    const { value: result, ms } = timed(() => checkLinearizable(history, { stepsMax: 200_000 }));
    expect(result.verdict).toBe('unknown');
    if (result.verdict === 'unknown') expect(result.reason).toMatch(/budget.*200000 steps/);
    // A smaller instance of the same shape is decided, and correctly so.
    expect(checkLinearizable(overlappingWriters(6)).verdict).toBe('not-linearizable');
  });

  it('linearizability: many unknown writes exhaust the budget and return unknown', () => {
    const history = unknownWriters(40);
    const { value: result, ms } = timed(() => checkLinearizable(history, { stepsMax: 200_000 }));
    expect(result.verdict).toBe('unknown');
    expect(checkLinearizable(unknownWriters(5)).verdict).toBe('not-linearizable');
  });

  it('linearizability: with the default budget a pathological history ends within seconds', () => {
    const { value: result, ms } = timed(() => checkLinearizable(overlappingWriters(30)));
    expect(result.verdict).toBe('unknown');
    console.log(`default budget (${DEFAULT_STEPS_MAX} steps) used up in ${fmt(ms)}`);
  });

  it('linearizability: the budget is counted in steps and honoured exactly', () => {
    const outcome = searchKey(unknownWriters(40), 12_345);
    expect(outcome).toEqual({ kind: 'budget-exceeded', steps: 12_345 });
    expect(searchKey(unknownWriters(3), 12_345).steps).toBeLessThan(12_345);
  });

  it('linearizability: an undecided key does not hide a failing one', () => {
    const failing = new HistoryBuilder('z').write(1, 'a', [0, 1]).del(2, [2, 3], 'fail').build();
    const hard = overlappingWriters(24).map((op) => ({ ...op, id: op.id + 100 }));
    const result = checkLinearizable([...hard, ...failing], { stepsMax: 50_000 });
    expect(result.verdict).toBe('not-linearizable');
    if (result.verdict === 'not-linearizable') expect(result.key).toBe('z');
  });
});
