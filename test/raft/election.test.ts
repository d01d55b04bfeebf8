// Leader election (Raft §5.2, §5.4.1), pre-vote and check-quorum (thesis §9.6, §6.2) and the
// leader lease that keeps followers from voting while they hear from a leader (§4.2.3).
import { expect, it } from 'vitest';
import { Prng } from '../../src/lib/prng.js';
import { makeMessage, RaftNode } from '../../src/raft/index.js';
import { EMPTY_SNAPSHOT, Harness } from './harness.js';

function tickUntilOneLeader(h: Harness, ticksMax = 200): number {
  for (let ticks = 1; ticks <= ticksMax; ticks++) {
    h.tickAll();
    const leader = h.leader();
    const live = h.ids.filter((id) => h.member(id).node !== null);
    if (leader !== undefined && live.every((id) => h.node(id).leaderId === leader)) return ticks;
  }
  throw new Error(`no leader after ${ticksMax} ticks: ${JSON.stringify(h.summary())}`);
}

it('election: a new cluster elects exactly one leader and every member follows it (§5.2)', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const h = new Harness({ seed, voters: ['1', '2', '3', '4', '5'] });
    tickUntilOneLeader(h);
    const leaders = h.ids.filter((id) => h.node(id).role === 'leader');
    expect(leaders, `seed ${seed}`).toHaveLength(1);
    const term = h.node(leaders[0] as string).term;
    for (const id of h.ids) expect(h.node(id).term, `seed ${seed}`).toBe(term);
    expect(h.violations).toEqual([]);
  }
});

it('election: one leader per term while leaders keep being partitioned away (§5.2 election safety)', () => {
  for (const preVote of [true, false]) {
    for (let seed = 1; seed <= 8; seed++) {
      const h = new Harness({ seed, voters: ['1', '2', '3', '4', '5'], config: { preVote } });
      const leadersSeen: string[] = [];
      for (let round = 0; round < 6; round++) {
        tickUntilOneLeader(h);
        const leader = h.leader() as string;
        leadersSeen.push(`${leader}@${h.node(leader).term}`);
        // Cut the leader off; the other four must elect a new one, in a later term.
        h.recover();
        h.isolate(leader);
        for (let i = 0; i < 200 && (h.leader() === leader || h.leader() === undefined); i++) h.tickAll();
        expect(h.leader(), `seed ${seed}: ${leadersSeen.join(' ')}`).not.toBe(leader);
        h.recover();
      }
      expect(h.violations, `seed ${seed}`).toEqual([]);
      expect(h.leaderOfTerm.size).toBeGreaterThanOrEqual(6);
    }
  }
});

it('election: timeouts are randomized in [electionTicks, 2*electionTicks) and a follower campaigns exactly when its own elapses', () => {
  const bootstrap = { hardState: { term: 1, vote: '', commit: 0 }, snapshot: EMPTY_SNAPSHOT, entries: [] };
  const timeouts = new Set<number>();
  for (let seed = 0; seed < 100; seed++) {
    const node = new RaftNode({ id: '1', random: new Prng(seed), electionTicks: 10 }, bootstrap);
    expect(node.randomizedElectionTicks).toBeGreaterThanOrEqual(10);
    expect(node.randomizedElectionTicks).toBeLessThan(20);
    timeouts.add(node.randomizedElectionTicks);
  }
  expect(timeouts.size).toBeGreaterThanOrEqual(8);

  const h = new Harness({ seed: 7 });
  const node = h.node('2');
  const timeout = node.randomizedElectionTicks;
  h.tick('2', timeout - 1);
  expect(node.role).toBe('follower');
  h.tick('2');
  expect(node.role).toBe('pre-candidate');
});

it('election: a candidate with a stale log loses: voters refuse it (§5.4.1)', () => {
  const h = Harness.withLeader({ config: { preVote: false } });
  h.isolate('3');
  h.propose('1', 'x');
  h.stabilize();
  h.heartbeat();
  expect(h.node('2').log.committed).toBe(h.node('1').log.lastIndex());

  h.recover();
  h.isolate('1');
  h.expireLease('2');
  h.campaign('3');
  const [n2, n3] = [h.node('2'), h.node('3')];
  expect(n3.role).toBe('candidate');
  expect(n2.term).toBe(n3.term); // no pre-vote: the vote request did move 2's term
  expect(n2.vote).not.toBe('3');
  expect(h.countSent((m) => m.type === 'vote-resp' && m.from === '2' && m.to === '3' && m.reject)).toBe(1);

  // The member with the complete log wins instead, and keeps the committed entry.
  h.elect('2');
  expect(h.leader()).toBe('2');
  expect(h.logOf('2').some((e) => e.includes('"x"'))).toBe(true);
  expect(h.violations).toEqual([]);
});

it('election: pre-vote: a member with a lagging log cannot win and does not bump terms (§9.6)', () => {
  const h = Harness.withLeader();
  h.isolate('3');
  h.propose('1', 'x');
  h.stabilize();
  h.heartbeat();
  h.recover();
  h.isolate('1');
  const termsBefore = [h.node('2').term, h.node('3').term];
  for (let attempt = 0; attempt < 5; attempt++) {
    h.expireLease('2');
    h.campaign('3');
    expect(h.node('3').role).not.toBe('leader');
  }
  expect([h.node('2').term, h.node('3').term]).toEqual(termsBefore);
  expect(h.member('3').roles.map((r) => r.role)).not.toContain('candidate');
  expect(h.countSent((m) => m.type === 'prevote' && m.from === '3')).toBeGreaterThan(0);
  expect(h.countSent((m) => m.type === 'vote' && m.from === '3')).toBe(0);
  expect(h.countSent((m) => m.type === 'prevote-resp' && m.from === '2' && m.to === '3' && !m.reject)).toBe(0);
});

it('election: pre-vote: a partitioned member rejoining does not disrupt the leader (§9.6)', () => {
  const h = Harness.withLeader();
  const term = h.node('1').term;
  h.isolate('3');
  h.tickAll(100); // 3 times out again and again, alone
  expect(h.node('3').term).toBe(term);
  expect(h.countSent((m) => m.type === 'prevote' && m.from === '3')).toBeGreaterThan(0);
  h.recover();
  h.tickAll(30);
  expect(h.leader()).toBe('1');
  expect(h.node('1').term).toBe(term);
  expect(h.node('3').leaderId).toBe('1');
  expect([...h.leaderOfTerm.keys()]).toEqual([term]);
});

it('election: without pre-vote the same rejoining member does disrupt the leader (control for §9.6)', () => {
  const h = Harness.withLeader({ config: { preVote: false } });
  const term = h.node('1').term;
  h.isolate('3');
  h.tickAll(100);
  expect(h.node('3').term).toBeGreaterThan(term);
  h.recover();
  h.tickAll(30);
  // 1 was deposed by the higher term, and a later term has a leader.
  expect(h.member('1').roles.some((r) => r.role === 'follower' && r.term > term)).toBe(true);
  expect(Math.max(...h.leaderOfTerm.keys())).toBeGreaterThan(term);
});

it('election: check-quorum: a leader that cannot hear a majority steps down within an election timeout (< 2*electionTicks)', () => {
  const h = Harness.withLeader();
  const leader = h.node('1');
  h.isolate('1');
  let ticks = 0;
  while (leader.role === 'leader' && ticks < 100) {
    h.tick('1');
    ticks++;
  }
  expect(leader.role).toBe('follower');
  // Randomized election timeouts are < 2*electionTicks: the old leader is gone by the time any
  // follower could have elected a new one.
  expect(ticks).toBeLessThan(2 * leader.config.electionTicks);
  expect(ticks).toBeGreaterThanOrEqual(leader.config.electionTicks - 1);
});

it('election: check-quorum: a leader that hears a majority stays, and without check-quorum an isolated one stays too', () => {
  const h = Harness.withLeader();
  h.isolate('3');
  h.tickAll(100);
  expect(h.leader()).toBe('1');

  const off = Harness.withLeader({ config: { checkQuorum: false } });
  off.isolate('1');
  off.tick('1', 100);
  expect(off.node('1').role).toBe('leader');
});

it('election: lease: followers ignore vote requests while they hear from a leader (§4.2.3)', () => {
  for (const type of ['vote', 'prevote'] as const) {
    const h = Harness.withLeader({ config: { preVote: type === 'prevote' } });
    const n2 = h.node('2');
    const term = n2.term;
    const request = makeMessage({
      type, from: '3', to: '2', term: term + 1, index: n2.log.lastIndex(), logTerm: n2.log.lastTerm(),
    });
    n2.step(request);
    h.flush();
    expect(n2.term).toBe(term);
    expect(n2.vote).toBe('1');
    expect(h.queue.filter((m) => m.from === '2')).toEqual([]);

    // Once an election timeout passes without a leader, the same request is granted.
    h.expireLease('2');
    n2.step(request);
    h.flush();
    const answer = h.queue.find((m) => m.from === '2' && m.to === '3');
    expect(answer?.type).toBe(`${type}-resp`);
    expect(answer?.reject).toBe(false);
    if (type === 'vote') expect([n2.term, n2.vote]).toEqual([term + 1, '3']);
    else expect(n2.term).toBe(term); // a pre-vote grant changes nothing
  }
});
