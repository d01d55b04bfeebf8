// Leadership transfer (Raft thesis §3.10): the leader brings the target up to date, then sends
// timeout-now so the target campaigns at once, past the others' leases.
import { expect, it } from 'vitest';
import { Harness } from './harness.js';

it('transfer: the target becomes leader at once via timeout-now, with no ticks (§3.10)', () => {
  const h = Harness.withLeader();
  const term = h.node('1').term;
  h.node('1').transferLeadership('3');
  h.stabilize();
  expect(h.leader()).toBe('3');
  expect(h.node('3').term).toBe(term + 1);
  expect(h.node('1').role).toBe('follower');
  expect(h.countSent((m) => m.type === 'timeout-now' && m.from === '1' && m.to === '3')).toBe(1);
  // The others were in their leases: only the transfer flag got the votes through.
  expect(h.sent.filter((m) => m.type === 'vote' && m.from === '3').every((m) => m.transfer)).toBe(true);
});

it('transfer: asked at a follower, the request is forwarded to the leader', () => {
  const h = Harness.withLeader();
  h.node('2').transferLeadership('2');
  h.stabilize();
  expect(h.leader()).toBe('2');
  expect(h.countSent((m) => m.type === 'transfer-leader' && m.from === '2' && m.to === '1')).toBe(1);
});

it('transfer: proposals during a transfer are refused, and accepted again once it times out', () => {
  const h = Harness.withLeader();
  h.isolate('3'); // the target cannot catch up, so the transfer stays in progress
  h.propose('1', 'x');
  h.node('1').transferLeadership('3');
  h.flush();
  expect(h.node('1').transferee).toBe('3');
  expect(h.propose('1', 'refused')).toEqual({
    ok: false, reason: 'proposal-dropped', detail: 'leadership transfer in progress',
  });
  // A proposal forwarded by a follower is dropped at the leader too.
  expect(h.propose('2', 'forwarded')).toEqual({ ok: true });
  h.stabilize();
  expect(h.logOf('1').join(' ')).not.toContain('forwarded');

  h.tickAll(h.node('1').config.electionTicks);
  expect(h.node('1').transferee).toBe('');
  expect(h.leader()).toBe('1');
  expect(h.propose('1', 'accepted')).toEqual({ ok: true });
});

it('transfer: to a lagging member, the leader first catches it up, then sends timeout-now', () => {
  const h = Harness.withLeader();
  h.isolate('3');
  for (let i = 0; i < 10; i++) h.propose('1', `w${i}`);
  h.stabilize();
  h.heartbeat();
  h.recover();
  const before = h.sent.length;
  h.node('1').transferLeadership('3');
  h.flush();
  expect(h.queue.some((m) => m.type === 'timeout-now')).toBe(false);
  h.stabilize();
  const after = h.sent.slice(before);
  const catchUp = after.findIndex((m) => m.type === 'append' && m.to === '3' && m.entries.length > 0);
  const timeoutNow = after.findIndex((m) => m.type === 'timeout-now' && m.to === '3');
  expect(catchUp).toBeGreaterThanOrEqual(0);
  expect(timeoutNow).toBeGreaterThan(catchUp);
  expect(h.leader()).toBe('3');
  h.heartbeat('3');
  for (const id of h.ids) {
    expect(h.member(id).values).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}`));
  }
  expect(h.violations).toEqual([]);
});

it('transfer: requests to itself, to a non-member, or to a learner are ignored', () => {
  const h = Harness.withLeader();
  for (const target of ['1', '9']) {
    h.node('1').transferLeadership(target);
    h.stabilize();
    expect(h.node('1').transferee).toBe('');
    expect(h.leader()).toBe('1');
  }
  expect(h.countSent((m) => m.type === 'timeout-now')).toBe(0);
});
