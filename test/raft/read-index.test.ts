// Linearizable reads without log writes (Raft thesis §6.4, ReadIndex): a read point is the
// commit index, released only after a heartbeat round proves the leader still leads.
import { expect, it } from 'vitest';
import type { Message } from '../../src/raft/index.js';
import { Harness } from './harness.js';

const isHeartbeat = (m: Message): boolean => m.type === 'heartbeat';

it('read-index: a read at the leader is answered only after a heartbeat round confirms leadership, at the commit index (§6.4)', () => {
  const h = Harness.withLeader();
  h.propose('1', 'a', 'b');
  h.stabilize();
  const leader = h.node('1');
  const commit = leader.log.committed;
  expect(commit).toBe(6);

  expect(leader.readIndex('r1')).toEqual({ ok: true });
  h.flush();
  expect(h.member('1').reads).toEqual([]);
  const heartbeats = h.queue.filter(isHeartbeat);
  expect(heartbeats.map((m) => m.to)).toEqual(['2', '3']);
  const round = heartbeats[0]?.context;

  // The heartbeat reaching 2 is not enough: the leader must hear back.
  h.deliver(h.queue.findIndex((m) => isHeartbeat(m) && m.to === '2'));
  expect(h.member('1').reads).toEqual([]);
  const ack = h.queue.findIndex((m) => m.type === 'heartbeat-resp' && m.from === '2');
  expect(h.queue[ack]?.context).toBe(round);
  h.deliver(ack);
  // Itself and 2: a majority of three.
  expect(h.member('1').reads).toEqual([{ context: 'r1', index: commit }]);
});

it('read-index: a read at a follower is forwarded to the leader and answered with its commit index', () => {
  const h = Harness.withLeader();
  h.propose('1', 'a');
  h.stabilize();
  expect(h.node('2').readIndex('f1')).toEqual({ ok: true });
  h.stabilize();
  expect(h.member('2').reads).toEqual([{ context: 'f1', index: h.node('1').log.committed }]);
  expect(h.countSent((m) => m.type === 'read-index' && m.from === '2' && m.to === '1')).toBe(1);
  expect(h.countSent((m) => m.type === 'read-index-resp' && m.from === '1' && m.to === '2')).toBe(1);
  expect(h.member('1').reads).toEqual([]);
});

it('read-index: a deposed leader (partitioned away) never answers a read', () => {
  for (const checkQuorum of [true, false]) {
    const h = Harness.withLeader({ config: { checkQuorum } });
    h.isolate('1');
    expect(h.node('1').readIndex('stale')).toEqual({ ok: true });
    h.flush();
    // The majority moves on: a new leader commits a write the old one never sees.
    h.elect('2');
    h.propose('2', 'newer');
    h.stabilize();
    h.heartbeat('2');
    h.tick('1', 30);
    expect(h.member('1').reads).toEqual([]);
    h.recover();
    h.tickAll(10);
    expect(h.node('1').role).toBe('follower');
    expect(h.member('1').reads).toEqual([]);
    expect(h.member('1').values).toEqual(['newer']);
  }
});

it('read-index: many reads share one heartbeat round (the first read starts one, the rest share the next)', () => {
  const h = Harness.withLeader();
  const heartbeatsBefore = h.countSent(isHeartbeat);
  for (let i = 0; i < 50; i++) expect(h.node('1').readIndex(`r${i}`).ok).toBe(true);
  for (let i = 0; i < 50; i++) expect(h.node('2').readIndex(`f${i}`).ok).toBe(true);
  h.stabilize();
  const commit = h.node('1').log.committed;
  expect(h.member('1').reads).toEqual(Array.from({ length: 50 }, (_, i) => ({ context: `r${i}`, index: commit })));
  expect(h.member('2').reads).toHaveLength(50);
  // Two rounds, one heartbeat per follower each: not one per read.
  expect(h.countSent(isHeartbeat) - heartbeatsBefore).toBe(4);
});

it('read-index: a new leader defers reads until an entry of its term commits (§6.4 step 1)', () => {
  const h = new Harness();
  h.dropIf((m) => m.type === 'append'); // the new leader's no-op cannot commit
  h.elect('1');
  const leader = h.node('1');
  expect(leader.log.committed).toBe(3);
  expect(leader.log.term(4)).toBe(leader.term);

  expect(leader.readIndex('early')).toEqual({ ok: true });
  h.tickAll(3); // heartbeats flow and are answered, but none of them confirms the read
  expect(h.member('1').reads).toEqual([]);
  expect(h.queue.concat(h.sent).filter(isHeartbeat).every((m) => m.context === '0')).toBe(true);

  h.recover();
  h.tickAll(2);
  expect(leader.log.committed).toBe(4);
  expect(h.member('1').reads).toEqual([{ context: 'early', index: 4 }]);
});

it('read-index: a single-voter leader answers at once, with no heartbeat to anyone', () => {
  const h = Harness.withLeader({ voters: ['1'] });
  h.propose('1', 'a');
  h.node('1').readIndex('solo');
  h.flush();
  expect(h.member('1').reads).toEqual([{ context: 'solo', index: 3 }]);
  expect(h.sent).toEqual([]);
});
