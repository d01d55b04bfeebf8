// The commit rule (Raft §5.4.2, Figure 8): a leader commits an entry of an earlier term only
// indirectly, by committing one of its own term. The scripted Figure 8 run below shows the
// rule holding, and with the broken-on-purpose fault 'commit-old-term' shows what it prevents.
// Members 1..5 play S1..S5; the bootstrap entries take indexes 1-5, so the figure's index 2 is
// index 7 here. appendBatchEntriesMax 1 lets a leader ship its old-term entry without its own.
import { expect, it } from 'vitest';
import type { RaftFault } from '../../src/raft/config.js';
import { Harness } from './harness.js';

const ENTRY = 7;

/** Figure 8 (a)-(c): returns the harness with S1 just having replicated 2/7 to a majority. */
function figure8UpToC(faults: RaftFault[]): Harness {
  const h = new Harness({
    voters: ['1', '2', '3', '4', '5'], config: { appendBatchEntriesMax: 1, faults },
  });
  // (a) S1 leads term 2 (its no-op 2/6 commits everywhere), then gets X = 2/7 to S2 only.
  h.elect('1');
  h.heartbeat();
  h.isolate('3', '4', '5');
  h.propose('1', 'X');
  h.stabilize();
  expect(['1', '2'].map((id) => h.node(id).log.term(ENTRY))).toEqual([2, 2]);

  // (b) S1 crashes. S5 wins term 3 with S3 and S4, appends 3/7 (its no-op) and crashes before
  // sending it to anyone.
  h.crash('1');
  h.recover();
  h.isolate('2');
  h.dropIf((m) => m.from === '5' && m.type === 'append' && m.entries.length > 0);
  h.elect('5');
  expect([h.node('5').term, h.node('5').log.term(ENTRY)]).toEqual([3, 3]);
  h.crash('5');

  // (c) S1 restarts and wins term 4 with S3 and S4; it brings them 2/7 (its old-term entry) but
  // crashes before any of them accepts its own term-4 entry.
  h.recover();
  h.restart('1');
  h.isolate('2');
  h.dropIf((m) => m.type === 'append' && m.entries.some((e) => e.term === 4) &&
    h.node(m.to).log.matchTerm(m.index, m.logTerm));
  h.elect('1');
  expect(h.node('1').term).toBe(4);
  // 2/7 is now stored on a majority: S1, S3, S4 (and S2).
  expect(['1', '3', '4'].map((id) => h.node(id).log.term(ENTRY))).toEqual([2, 2, 2]);
  expect(h.node('1').progress.get('3')?.match).toBe(ENTRY);
  expect(h.node('1').progress.get('4')?.match).toBe(ENTRY);
  return h;
}

/** Figure 8 (d): S1 crashes again; S5 wins term 5 (S3 and S4 vote for its newer last term 3). */
function figure8D(h: Harness): void {
  h.crash('1');
  h.recover();
  h.restart('5');
  h.isolate('1', '2');
  h.elect('5');
  h.heartbeat('5');
  expect(h.node('5').term).toBe(5);
}

it('commit rule: an old-term entry stored on a majority is not committed by counting replicas (§5.4.2, Figure 8)', () => {
  const h = figure8UpToC([]);
  expect(h.node('1').log.committed).toBe(ENTRY - 1);
  expect(h.member('1').appliedIndex).toBe(ENTRY - 1);

  // (d) S5 overwrites 2/7 with 3/7 on S3 and S4 and commits it, legitimately: nobody had
  // reported 2/7 committed.
  figure8D(h);
  expect(['3', '4', '5'].map((id) => h.node(id).log.term(ENTRY))).toEqual([3, 3, 3]);
  expect(h.node('5').log.committed).toBeGreaterThan(ENTRY);
  expect(h.violations).toEqual([]);

  // Everyone converges on S5's log, S1 and S2 included.
  h.recover();
  h.restart('1');
  h.tickAll(5);
  for (const id of h.ids) expect(h.logOf(id)).toEqual(h.logOf('5'));
  expect(h.member('1').values).not.toContain('X');
  expect(h.violations).toEqual([]);
});

it("commit rule: with fault 'commit-old-term' the same script commits 2/7 and then loses it (the broken switch is caught)", () => {
  const h = figure8UpToC(['commit-old-term']);
  // The broken leader counted replicas of an old-term entry: 2/7 is reported committed and
  // S1 applied X.
  expect(h.node('1').log.committed).toBe(ENTRY);
  expect(h.member('1').values).toContain('X');

  // (d) S5 is elected anyway and commits a different entry at 7: X is lost.
  figure8D(h);
  expect(h.node('5').log.term(ENTRY)).toBe(3);
  expect(h.violations).toContain('index 7: 1 applied 2/7 "X", 5 applied 3/7');

  // S1's durable state still says 2/7 is committed: two members now hold different
  // committed entries at index 7.
  h.restart('1');
  expect([h.node('1').log.committed, h.node('1').log.term(ENTRY)]).toEqual([ENTRY, 2]);
  expect([h.node('5').log.committed > ENTRY, h.node('5').log.term(ENTRY)]).toEqual([true, 3]);
});
