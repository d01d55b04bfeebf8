// Log compaction and snapshot installation (Raft §7).
import { expect, it } from 'vitest';
import { Harness } from './harness.js';

function commitMany(h: Harness, leader: string, n: number, prefix = 'v'): void {
  for (let i = 0; i < n; i++) h.propose(leader, `${prefix}${i}`);
  h.stabilize();
  h.heartbeat(leader);
}

it('snapshot: compaction drops the entries up to the snapshot index, and a restart rebuilds from it (§7)', () => {
  const h = Harness.withLeader();
  commitMany(h, '1', 20);
  const node = h.node('1');
  const applied = node.log.applied;
  expect(applied).toBe(24);
  const snapshot = h.compact('1');
  expect(snapshot.meta).toEqual({ index: 24, term: node.term, conf: { voters: ['1', '2', '3'], learners: [] } });
  expect(node.log.firstIndex()).toBe(25);
  expect(node.log.entry(24)).toBeUndefined();
  expect(node.log.term(23)).toBeUndefined();
  expect(node.log.term(24)).toBe(node.term); // the snapshot remembers its last term
  expect(h.member('1').storage.entries).toEqual([]);

  const values = [...h.member('1').values];
  h.crash('1');
  h.restart('1');
  expect(h.node('1').log.firstIndex()).toBe(25);
  expect(h.node('1').log.committed).toBe(24);
  expect(h.node('1').conf.voters).toEqual(['1', '2', '3']);
  expect(h.member('1').values).toEqual(values);
  // The cluster carries on.
  h.tickAll(30);
  commitMany(h, h.leader() as string, 2, 'after');
  for (const id of h.ids) expect(h.member(id).values).toEqual([...values, 'after0', 'after1']);
});

it('snapshot: a follower behind the compacted log receives a snapshot, installs it, then continues from the log', () => {
  const h = Harness.withLeader();
  h.isolate('3');
  commitMany(h, '1', 20);
  const snapshot = h.compact('1');
  h.compact('2');
  expect(h.node('3').log.lastIndex()).toBeLessThan(h.node('1').log.firstIndex() - 1);

  h.recover();
  h.tickAll(3);
  expect(h.countSent((m) => m.type === 'snapshot' && m.to === '3')).toBe(1);
  const sent = h.sent.find((m) => m.type === 'snapshot')?.snapshot;
  expect(sent?.meta).toEqual(snapshot.meta);
  // 3's Ready asked to persist it; its storage and state machine now start from it.
  expect(h.member('3').installedSnapshots.map((s) => s.meta.index)).toEqual([snapshot.meta.index]);
  expect(h.member('3').storage.snapshot.meta.index).toBe(snapshot.meta.index);
  expect(h.node('3').log.firstIndex()).toBe(snapshot.meta.index + 1);
  expect(h.node('3').conf).toEqual(snapshot.meta.conf);
  expect(h.member('3').values).toEqual(h.member('1').values);
  expect(h.node('1').progress.get('3')?.state).toBe('replicate');

  // Later entries reach 3 as ordinary appends.
  const appendsBefore = h.countSent((m) => m.type === 'append' && m.to === '3' && m.entries.length > 0);
  commitMany(h, '1', 3, 'later');
  expect(h.countSent((m) => m.type === 'append' && m.to === '3' && m.entries.length > 0)).toBeGreaterThan(appendsBefore);
  expect(h.countSent((m) => m.type === 'snapshot')).toBe(1);
  expect(h.member('3').values.slice(-3)).toEqual(['later0', 'later1', 'later2']);
  expect(h.logOf('3')).toEqual(h.logOf('1'));
  expect(h.member('3').storage.entries.map((e) => e.index)).toEqual([25, 26, 27]);

  // And 3 restarts from what it persisted: the installed snapshot plus the later entries.
  h.crash('3');
  h.restart('3');
  expect(h.member('3').values).toEqual(h.member('1').values);
  expect(h.violations).toEqual([]);
});

it('snapshot: a lost snapshot message is sent again after the snapshot timeout', () => {
  const h = Harness.withLeader();
  h.isolate('3');
  commitMany(h, '1', 5);
  h.compact('1');
  h.recover();
  h.dropIf((m) => m.type === 'snapshot');
  h.tickAll(3);
  expect(h.node('1').progress.get('3')?.state).toBe('snapshot');
  h.recover();
  h.tickAll(4 * 10 + 5);
  expect(h.countSent((m) => m.type === 'snapshot')).toBeGreaterThanOrEqual(2);
  expect(h.member('3').installedSnapshots).toHaveLength(1);
  expect(h.member('3').values).toEqual(h.member('1').values);
});
