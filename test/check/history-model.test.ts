// Tests of the building blocks: HistoryRecorder and validateHistory (history.ts), the
// single-key model step() (kv-model.ts), and the report format of describeHistory.

import { describe, expect, it } from 'vitest';
import {
  HistoryRecorder,
  describeHistory,
  describeOp,
  validateHistory,
  type Operation,
} from '../../src/check/history.js';
import { checkLinearizable } from '../../src/check/linearizability.js';
import { inFlightForm, mismatch, step } from '../../src/check/kv-model.js';

function op(fields: Partial<Operation> & Pick<Operation, 'kind' | 'outcome'>): Operation {
  return { id: 1, client: 1, key: 'k', invokeTime: 0, completeTime: 1, ...fields };
}

describe('history: recorder', () => {
  it('history: recorder stamps invoke and complete with the caller clock', () => {
    let now = 100;
    const recorder = new HistoryRecorder(() => now);
    const w = recorder.invoke(1, 'k', 'write', { value: 'a' });
    now = 105;
    const r = recorder.invoke(2, 'k', 'read');
    now = 107;
    recorder.complete(w, 'ok');
    recorder.complete(r, 'ok', 'a');
    expect(recorder.history()).toEqual([
      { id: 0, client: 1, key: 'k', kind: 'write', value: 'a', invokeTime: 100, completeTime: 107,
        outcome: 'ok' },
      { id: 1, client: 2, key: 'k', kind: 'read', invokeTime: 105, completeTime: 107,
        outcome: 'ok', result: 'a' },
    ]);
    expect(checkLinearizable(recorder.history()).verdict).toBe('linearizable');
  });

  it('history: outstanding and abandoned ops are recorded as unknown', () => {
    let now = 0;
    const recorder = new HistoryRecorder(() => now++);
    const a = recorder.invoke(1, 'k', 'write', { value: 'a' });
    const b = recorder.invoke(2, 'k', 'cas', { expected: 'a', value: 'b' });
    recorder.abandon(a);
    expect(recorder.pendingIds()).toEqual([b]);
    const next = recorder.invoke(1, 'k', 'read'); // client 1 is free again
    recorder.complete(next, 'ok', 'b');
    const history = recorder.history();
    expect(history.map((o) => [o.id, o.outcome, o.completeTime])).toEqual([
      [a, 'unknown', null],
      [b, 'unknown', null],
      [next, 'ok', 3],
    ]);
    expect(validateHistory(history)).toEqual([]);
    expect(checkLinearizable(history).verdict).toBe('linearizable');
  });

  it('history: recorder refuses misuse', () => {
    let now = 10;
    const recorder = new HistoryRecorder(() => now, 500);
    const id = recorder.invoke(1, 'k', 'read');
    expect(id).toBe(500);
    expect(() => recorder.invoke(1, 'k', 'read')).toThrow(/outstanding/);
    expect(() => recorder.complete(id, 'ok')).toThrow(/needs a result/);
    expect(() => recorder.invoke(2, 'k', 'cas', { value: 'x' })).toThrow(/expected/);
    recorder.complete(id, 'ok', null);
    expect(() => recorder.complete(id, 'ok', null)).toThrow(/no longer outstanding/);
    expect(() => recorder.complete(999, 'ok')).toThrow(/no such op/);
    now = 5;
    expect(() => recorder.invoke(3, 'k', 'read')).toThrow(/backwards/);
  });

  it('history: validateHistory names each problem', () => {
    const problems = validateHistory([
      op({ kind: 'write', outcome: 'ok' }),
      op({ id: 2, kind: 'read', outcome: 'ok' }),
      op({ id: 3, kind: 'write', value: 'a', outcome: 'unknown' }),
      op({ id: 4, kind: 'write', value: 'a', outcome: 'ok', completeTime: null }),
      op({ id: 4, kind: 'delete', outcome: 'ok' }),
    ]);
    expect(problems).toEqual([
      'op #1: write needs a string value',
      'op #2: an ok read needs a result (a string, or null for absent)',
      'op #3: an unknown op must have completeTime null',
      "op #4: an op with outcome 'ok' needs a completeTime",
      'op #4: duplicate id',
    ]);
  });

  it('history: describeHistory prints one aligned line per op in invoke order', () => {
    const text = describeHistory([
      op({ id: 7, client: 2, kind: 'read', outcome: 'ok', result: 'a', invokeTime: 5 }),
      op({ id: 3, kind: 'cas', expected: 'x', value: 'y', outcome: 'unknown', completeTime: null }),
    ]);
    expect(text.split('\n')).toEqual([
      'key "k":',
      '  #3  c1  cas "x" -> "y"  [0, ?]  unknown',
      '  #7  c2  read -> "a"     [5, 1]  ok',
    ]);
  });

  it('history: describeHistory names keys per line when they differ and shortens values', () => {
    const long = 'x'.repeat(100);
    const text = describeHistory([
      op({ id: 1, kind: 'write', value: long, outcome: 'ok' }),
      op({ id: 2, key: 'other', kind: 'delete', outcome: 'fail', invokeTime: 1, completeTime: 2 }),
    ]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ {2}#1 +c1 +key "k" +write "x{35}…" \(100 chars\) +\[0, 1\] +ok$/);
    expect(lines[1]).toMatch(/^ {2}#2 +c1 +key "other" +delete +\[1, 2\] +fail$/);
    expect(describeOp(op({ kind: 'read', outcome: 'ok', result: null }))).toBe(
      '#1 c1 key "k" read -> null [0, 1] ok',
    );
  });
});

describe('kv-model: step', () => {
  it('kv-model: reads must match the state; writes always apply', () => {
    const read = (result: string | null) => op({ kind: 'read', outcome: 'ok', result });
    expect(step('a', read('a'))).toEqual({ ok: true, next: 'a' });
    expect(step(null, read(null)).ok).toBe(true);
    expect(step(null, read('a')).ok).toBe(false);
    expect(step('a', read(null)).ok).toBe(false);
    expect(step('a', read('b')).ok).toBe(false);
    expect(mismatch('a', read('b'))).toBe('it read "b" while the value was "a"');
    expect(step('a', op({ kind: 'read', outcome: 'unknown', completeTime: null })).ok).toBe(true);
    const write = op({ kind: 'write', value: 'b', outcome: 'ok' });
    expect(step('a', write)).toEqual({ ok: true, next: 'b' });
    expect(step('a', op({ kind: 'write', value: 'b', outcome: 'fail' })).next).toBe('a');
  });

  it('kv-model: cas swaps only on an equal present value, fails only otherwise', () => {
    const cas = (outcome: Operation['outcome']) =>
      op({ kind: 'cas', expected: 'a', value: 'b', outcome, completeTime: 1 });
    expect(step('a', cas('ok'))).toEqual({ ok: true, next: 'b' });
    expect(step('z', cas('ok')).ok).toBe(false);
    expect(step(null, cas('ok')).ok).toBe(false);
    expect(step('z', cas('fail'))).toEqual({ ok: true, next: 'z' });
    expect(step(null, cas('fail'))).toEqual({ ok: true, next: null });
    expect(step('a', cas('fail')).ok).toBe(false);
    expect(step('a', cas('unknown'))).toEqual({ ok: true, next: 'b' });
    expect(mismatch('a', cas('fail'))).toContain('equal to expected');
  });

  it('kv-model: delete ok needs the key, delete fail needs it absent', () => {
    expect(step('a', op({ kind: 'delete', outcome: 'ok' }))).toEqual({ ok: true, next: null });
    expect(step(null, op({ kind: 'delete', outcome: 'ok' })).ok).toBe(false);
    expect(step(null, op({ kind: 'delete', outcome: 'fail' }))).toEqual({ ok: true, next: null });
    expect(step('a', op({ kind: 'delete', outcome: 'fail' })).ok).toBe(false);
    expect(mismatch('a', op({ kind: 'delete', outcome: 'ok' }))).toBe('');
  });

  it('kv-model: in flight at a cut, effects become unknown and observations vanish', () => {
    const write = op({ kind: 'write', value: 'a', outcome: 'ok' });
    expect(inFlightForm(write)).toEqual({ ...write, outcome: 'unknown', completeTime: null });
    expect(inFlightForm(op({ kind: 'read', outcome: 'ok', result: 'a' }))).toBeNull();
    expect(inFlightForm(op({ kind: 'delete', outcome: 'fail' }))).toBeNull();
    expect(inFlightForm(op({ kind: 'delete', outcome: 'ok' }))?.outcome).toBe('unknown');
  });
});
