// Membership changes, one server at a time (Raft thesis §4.1), with learners (non-voting
// members, §4.2.1) that are promoted once caught up.
import { expect, it } from 'vitest';
import type { ConfChange, ConfChangeType } from '../../src/raft/index.js';
import { bytes, Harness } from './harness.js';

function change(type: ConfChangeType, nodeId: string): ConfChange {
  return { type, nodeId, context: bytes(`member ${nodeId}`) };
}

/** Proposes `c` at the leader, lets it commit and apply everywhere. */
function applyChange(h: Harness, c: ConfChange, leader = h.leader() as string): void {
  expect(h.node(leader).proposeConfChange(c)).toEqual({ ok: true });
  h.stabilize();
  h.heartbeat(leader);
}

it('membership: an added learner receives the log but is not counted for commit and does not vote (§4.2.1)', () => {
  const h = Harness.withLeader();
  h.propose('1', 'before');
  h.addMember('4');
  applyChange(h, change('add-learner', '4'));
  h.tickAll(3);
  for (const id of ['1', '2', '3', '4']) {
    expect(h.node(id).conf).toEqual({ voters: ['1', '2', '3'], learners: ['4'] });
  }
  expect(h.logOf('4')).toEqual(h.logOf('1'));
  expect(h.member('4').values).toEqual(['before']);

  // Not counted: with 2 and 3 cut off, 1 and its learner hold an entry that does not commit.
  h.isolate('2', '3');
  const commit = h.node('1').log.committed;
  h.propose('1', 'learner-only');
  h.stabilize();
  expect(h.node('4').log.lastIndex()).toBe(commit + 1);
  expect(h.node('1').log.committed).toBe(commit);

  // Does not vote: it never campaigns, and elections do not ask it.
  h.recover();
  h.stabilize();
  h.isolate('1');
  h.tick('4', 100);
  expect([h.node('4').role, h.node('4').term]).toEqual(['follower', h.node('1').term]);
  h.elect('2');
  expect(h.countSent((m) => (m.type === 'vote' || m.type === 'prevote') && m.to === '4')).toBe(0);
  expect(h.violations).toEqual([]);
});

it('membership: a learner is promoted only once caught up; before that the change is proposal-dropped', () => {
  const h = Harness.withLeader();
  h.addMember('4');
  h.isolate('4');
  applyChange(h, change('add-learner', '4'));
  expect(h.node('1').proposeConfChange(change('promote', '4'))).toEqual({
    ok: false, reason: 'proposal-dropped', detail: 'learner has not caught up',
  });

  h.recover();
  h.tickAll(3);
  expect(h.node('1').progress.get('4')?.match).toBe(h.node('1').log.committed);
  applyChange(h, change('promote', '4'));
  for (const id of ['1', '2', '3', '4']) {
    expect(h.node(id).conf).toEqual({ voters: ['1', '2', '3', '4'], learners: [] });
  }
  // Now a voter: four voters need three for a commit.
  h.isolate('2', '3');
  const commit = h.node('1').log.committed;
  h.propose('1', 'two-of-four');
  h.stabilize();
  expect(h.node('1').log.committed).toBe(commit);
  h.recover();
  h.isolate('3');
  h.tickAll(2);
  expect(h.node('1').log.committed).toBe(commit + 1);
});

it('membership: removing a voter shrinks the quorum, and the removed member cannot disrupt the rest', () => {
  const h = Harness.withLeader();
  applyChange(h, change('remove', '3'));
  for (const id of ['1', '2']) expect(h.node(id).conf.voters).toEqual(['1', '2']);
  expect(h.node('1').progress.has('3')).toBe(false);
  // 3 got the entry (and, with the commit sent at once, may already know it committed).
  expect(h.node('3').log.lastIndex()).toBe(h.node('1').log.committed);

  // 1 and 2 are a majority of two.
  h.isolate('3');
  h.propose('1', 'without-3');
  h.stabilize();
  h.heartbeat();
  expect(h.member('2').values).toEqual(['without-3']);
  // But 1 alone is not.
  h.isolate('2');
  const commit = h.node('1').log.committed;
  h.propose('1', 'alone');
  h.stabilize();
  expect(h.node('1').log.committed).toBe(commit);

  // 3 either learned its removal (the new commit goes out at once) and stays quiet, or it
  // times out and asks for pre-votes, which 1 and 2 ignore while they hear from their leader.
  h.recover();
  const term = h.node('1').term;
  h.tickAll(100);
  const prevotes = h.countSent((m) => m.from === '3' && m.type === 'prevote');
  if (h.node('3').conf.voters.includes('3')) expect(prevotes).toBeGreaterThan(0);
  else expect(prevotes).toBe(0);
  expect([h.leader(), h.node('1').term, h.node('2').leaderId]).toEqual(['1', term, '1']);
  expect(h.member('2').values).toEqual(['without-3', 'alone']);
});

it('membership: a leader that removes itself steps down once the change applies, and the rest elect a new one', () => {
  const h = Harness.withLeader();
  const term = h.node('1').term;
  expect(h.node('1').proposeConfChange(change('remove', '1'))).toEqual({ ok: true });
  h.stabilize();
  expect(h.node('1').role).toBe('follower');
  expect(h.node('1').conf.voters).toEqual(['2', '3']);
  expect(h.member('1').roles.at(-1)).toEqual({ role: 'follower', term, leaderId: '' });

  const campaignsBefore = h.countSent((m) => m.from === '1' && (m.type === 'prevote' || m.type === 'vote'));
  h.tickAll(60);
  const leader = h.leader();
  expect(['2', '3']).toContain(leader);
  expect(h.node(leader as string).conf.voters).toEqual(['2', '3']);
  expect(h.countSent((m) => m.from === '1' && (m.type === 'prevote' || m.type === 'vote'))).toBe(campaignsBefore);
  h.propose(leader as string, 'after');
  h.stabilize();
  h.heartbeat();
  const other = leader === '2' ? '3' : '2';
  expect(h.member(other).values).toEqual(['after']);
  expect(h.violations).toEqual([]);
});

it('membership: a second change is refused while one is pending, and accepted once it applied', () => {
  const h = Harness.withLeader();
  h.addMember('4');
  h.addMember('5');
  const leader = h.node('1');
  expect(leader.proposeConfChange(change('add-learner', '4'))).toEqual({ ok: true });
  expect(leader.proposeConfChange(change('add-learner', '5'))).toEqual({
    ok: false, reason: 'proposal-dropped', detail: 'a membership change is pending',
  });
  h.stabilize();
  h.heartbeat();
  expect(leader.conf.learners).toEqual(['4']);
  expect(leader.proposeConfChange(change('add-learner', '5'))).toEqual({ ok: true });
  h.stabilize();
  expect(leader.conf.learners).toEqual(['4', '5']);
});

it('membership: impossible changes are refused with the reason, and followers cannot propose changes', () => {
  const h = Harness.withLeader({ voters: ['1'] });
  const leader = h.node('1');
  expect(leader.proposeConfChange(change('add-voter', '1'))).toMatchObject({ ok: false, detail: 'member 1 already exists' });
  expect(leader.proposeConfChange(change('promote', '7'))).toMatchObject({ ok: false, detail: 'member 7 is not a learner' });
  expect(leader.proposeConfChange(change('remove', '7'))).toMatchObject({ ok: false, detail: 'member 7 does not exist' });
  expect(leader.proposeConfChange(change('remove', '1'))).toMatchObject({ ok: false, detail: 'cannot remove the last voter' });

  const three = Harness.withLeader();
  expect(three.node('2').proposeConfChange(change('add-learner', '4'))).toEqual({
    ok: false, reason: 'not-leader', leaderId: '1',
  });
});
