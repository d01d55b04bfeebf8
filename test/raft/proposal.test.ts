// Client proposals: accepted at the leader, forwarded by followers, refused without a leader.
import { expect, it } from 'vitest';
import { Harness } from './harness.js';

it('proposal: a proposal at a follower is forwarded to the leader and committed everywhere', () => {
  const h = Harness.withLeader();
  expect(h.propose('2', 'from-2')).toEqual({ ok: true });
  expect(h.queue.filter((m) => m.type === 'propose').map((m) => [m.from, m.to])).toEqual([['2', '1']]);
  h.stabilize();
  h.heartbeat();
  for (const id of h.ids) expect(h.member(id).values).toEqual(['from-2']);
  expect(h.node('1').log.entry(5)?.term).toBe(h.node('1').term);
});

it('proposal: with no known leader, propose (and readIndex) return not-leader', () => {
  const h = new Harness();
  expect(h.propose('1', 'x')).toEqual({ ok: false, reason: 'not-leader', leaderId: '' });
  expect(h.node('1').readIndex('r')).toEqual({ ok: false, reason: 'not-leader', leaderId: '' });
  // A member campaigning (here it cannot win) knows no leader either.
  h.isolate('1');
  h.campaign('1');
  expect(h.node('1').role).toBe('pre-candidate');
  expect(h.propose('1', 'x')).toEqual({ ok: false, reason: 'not-leader', leaderId: '' });
  expect(h.queue.filter((m) => m.type === 'propose')).toEqual([]);
});

it('proposal: a leader that stepped down refuses, naming no leader until it hears the new one', () => {
  const h = Harness.withLeader();
  h.isolate('1');
  h.tick('1', 2 * h.node('1').config.electionTicks); // check-quorum: it steps down
  expect(h.node('1').role).toBe('follower');
  expect(h.propose('1', 'x')).toEqual({ ok: false, reason: 'not-leader', leaderId: '' });
  h.recover();
  h.elect('2');
  h.heartbeat('2');
  expect(h.propose('1', 'y')).toEqual({ ok: true });
  h.stabilize();
  h.heartbeat('2');
  expect(h.member('3').values).toEqual(['y']);
});

it('proposal: a single-voter cluster commits a proposal once it is durable, then applies it', () => {
  const h = Harness.withLeader({ voters: ['1'] });
  expect(h.node('1').log.committed).toBe(2);
  h.node('1').propose([new TextEncoder().encode('solo')]);
  const ready = h.node('1').ready();
  expect(ready.persist.entries.map((e) => e.index)).toEqual([3]);
  expect(ready.persist.sync).toBe(true);
  // Not committed before its own fsync: the leader counts itself only for durable entries.
  expect(ready.apply.map((e) => e.index)).toEqual([]);
  expect(h.node('1').log.committed).toBe(2);
  h.node('1').advance(ready);
  expect(h.node('1').log.committed).toBe(3);
  const next = h.node('1').ready();
  expect(next.apply.map((e) => e.index)).toEqual([3]);
  h.node('1').advance(next);
});
