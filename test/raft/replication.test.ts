// Log replication (Raft §5.3): log matching, overwriting a conflicting suffix, fast
// backtracking, pipelining bounded by inflightMessagesMax, batching, and recovery from lost
// appends.
import { expect, it } from 'vitest';
import { Harness } from './harness.js';

it('replication: log matching: after stabilizing every member holds the same log and applies the same commands (§5.3)', () => {
  const h = Harness.withLeader({ voters: ['1', '2', '3', '4', '5'] });
  for (let i = 0; i < 20; i++) {
    const at = ['1', '2', '3', '4', '5'][i % 5] as string;
    expect(h.propose(at, `c${i}`).ok).toBe(true);
    if (i % 3 === 0) h.stabilize();
  }
  h.stabilize();
  h.heartbeat();
  const log = h.logOf('1');
  expect(log.length).toBe(5 + 1 + 20);
  for (const id of h.ids) {
    expect(h.logOf(id)).toEqual(log);
    expect(h.node(id).log.committed).toBe(log.length);
    expect(h.member(id).values.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`).sort());
  }
  expect(h.member('2').values).toEqual(h.member('1').values);
  expect(h.violations).toEqual([]);
});

it('replication: a conflicting follower suffix is overwritten by the leader (§5.3)', () => {
  const h = Harness.withLeader();
  h.isolate('1');
  h.propose('1', 'lost-1', 'lost-2', 'lost-3'); // only in 1's log: never committed
  expect(h.node('1').log.lastIndex()).toBe(7);
  h.elect('2');
  h.propose('2', 'kept-1', 'kept-2');
  h.stabilize();
  h.heartbeat('2');
  h.recover();
  h.tickAll(5);
  expect(h.node('1').role).toBe('follower');
  expect(h.logOf('1')).toEqual(h.logOf('2'));
  expect(h.logOf('1').join(' ')).not.toContain('lost');
  expect(h.member('1').values).toEqual(['kept-1', 'kept-2']);
  expect(h.violations).toEqual([]);
});

it('replication: fast backtracking: a follower with a long divergent log is fixed in few round trips', () => {
  const divergent = 50;
  const h = Harness.withLeader({}, '2');
  // 2 leads term 2 alone and appends 50 entries nobody else gets.
  h.isolate('2');
  h.propose('2', ...Array.from({ length: divergent }, (_, i) => `stale${i}`));
  // 1 leads term 3 with 3 and commits 50 other entries; then leadership moves to 3, whose
  // fresh progress for 2 starts at the end of its (long) log.
  h.elect('1');
  h.propose('1', ...Array.from({ length: divergent }, (_, i) => `new${i}`));
  h.stabilize();
  h.node('1').transferLeadership('3');
  h.stabilize();
  expect(h.leader()).toBe('3');
  expect(h.node('2').log.lastIndex()).toBe(4 + divergent);
  expect(h.node('3').log.lastIndex()).toBe(4 + 1 + divergent + 1);

  const rejectionsBefore = h.countSent((m) => m.type === 'append-resp' && m.from === '2' && m.reject);
  h.recover();
  h.tickAll(3);
  const rejections = h.countSent((m) => m.type === 'append-resp' && m.from === '2' && m.reject) - rejectionsBefore;
  expect(rejections).toBeGreaterThanOrEqual(1);
  expect(rejections).toBeLessThanOrEqual(2); // one index at a time would take ~50
  expect(h.logOf('2')).toEqual(h.logOf('3'));
  expect(h.member('2').values).toEqual(h.member('3').values);
  expect(h.violations).toEqual([]);
});

it('replication: pipelining: appends go out back to back up to inflightMessagesMax, and no more', () => {
  const h = Harness.withLeader({ config: { appendBatchEntriesMax: 1, inflightMessagesMax: 4 } });
  const leader = h.node('1');
  expect(leader.progress.get('2')?.state).toBe('replicate');
  const appendsTo2 = () => h.queue.filter((m) => m.type === 'append' && m.to === '2');

  h.propose('1', ...Array.from({ length: 10 }, (_, i) => `p${i}`));
  const first = leader.log.lastIndex() - 9;
  expect(appendsTo2().map((m) => m.entries.map((e) => e.index))).toEqual([[first], [first + 1], [first + 2], [first + 3]]);
  expect(leader.progress.get('2')?.inflights.full()).toBe(true);

  // More proposals while the window is full send nothing more to 2.
  h.propose('1', 'p10');
  expect(appendsTo2()).toHaveLength(4);

  // One acknowledgement frees one slot: exactly one more append goes out.
  h.deliver(h.queue.indexOf(appendsTo2()[0]!));
  h.deliver(h.queue.findIndex((m) => m.type === 'append-resp' && m.from === '2'));
  expect(appendsTo2().map((m) => m.entries[0]?.index)).toEqual([first + 1, first + 2, first + 3, first + 4]);

  h.stabilize();
  h.heartbeat();
  expect(h.member('2').values).toHaveLength(11);
  expect(h.logOf('2')).toEqual(h.logOf('1'));
});

it('replication: batching: many proposals before one Ready go out as one append per follower', () => {
  const h = Harness.withLeader();
  const before = h.sent.length;
  for (let i = 0; i < 30; i++) expect(h.node('1').propose([new TextEncoder().encode(`b${i}`)]).ok).toBe(true);
  h.flush();
  const appends = h.sent.slice(before).filter((m) => m.type === 'append');
  expect(appends.map((m) => [m.to, m.entries.length])).toEqual([['2', 30], ['3', 30]]);
  h.stabilize();
  h.heartbeat();
  for (const id of h.ids) expect(h.member(id).values).toHaveLength(30);
});

it('replication: appends lost while a follower is replicating are re-sent on the next heartbeat, with no new proposal', () => {
  const h = Harness.withLeader();
  h.dropTo('3');
  h.propose('1', 'a', 'b');
  h.stabilize();
  h.heartbeat();
  expect(h.node('1').log.committed).toBe(6);
  expect(h.node('3').log.lastIndex()).toBe(4);
  h.recover();
  h.tickAll(3); // heartbeats only: nothing is proposed
  expect(h.node('3').log.lastIndex()).toBe(6);
  expect(h.node('3').log.committed).toBe(6);
  expect(h.member('3').values).toEqual(['a', 'b']);
});

it('replication: a follower answers an append below its commit index with its commit, not a rejection', () => {
  const h = Harness.withLeader();
  h.propose('1', 'x');
  h.stabilize();
  h.heartbeat();
  const leader = h.node('1');
  // A duplicated old append (prev index 3) arrives after 2 committed 5.
  const old = h.sent.find((m) => m.type === 'append' && m.to === '2' && m.index === 3);
  expect(old).toBeDefined();
  h.node('2').step(old!);
  h.flush();
  const answer = h.queue.find((m) => m.type === 'append-resp' && m.from === '2');
  expect(answer?.reject).toBe(false);
  expect(answer?.index).toBe(h.node('2').log.committed);
  h.stabilize();
  expect(leader.progress.get('2')?.match).toBe(5);
});
