// Random schedules for the safety property test (safety.property.test.ts): ops, their
// arbitrary, and the runner that applies them to a 3-member harness checking safety after
// every op, then heals the cluster and checks it converges. Test-only.
import fc from 'fast-check';
import { expect } from 'vitest';
import { describeEntry, type Entry } from '../../src/raft/index.js';
import { Harness, type MemberConfig } from './harness.js';

const IDS = ['1', '2', '3'] as const;

export type Op =
  | { readonly k: 'tick'; readonly id: number }
  | { readonly k: 'deliver'; readonly at: number }
  | { readonly k: 'deliver-all' }
  | { readonly k: 'drop'; readonly at: number }
  | { readonly k: 'propose'; readonly id: number }
  | { readonly k: 'restart'; readonly id: number }
  | { readonly k: 'compact'; readonly id: number }
  | { readonly k: 'read'; readonly id: number }
  | { readonly k: 'transfer'; readonly id: number; readonly to: number }
  | { readonly k: 'isolate'; readonly id: number }
  | { readonly k: 'heal' };

const member = fc.integer({ min: 0, max: 2 });
/** Mostly the oldest message (the network is roughly FIFO), sometimes any. */
const position = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(64) });
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ k: fc.constant('tick' as const), id: member }) },
  { weight: 14, arbitrary: fc.record({ k: fc.constant('deliver' as const), at: position }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('deliver-all' as const) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('drop' as const), at: position }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('propose' as const), id: member }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('restart' as const), id: member }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('compact' as const), id: member }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('read' as const), id: member }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('transfer' as const), id: member, to: member }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('isolate' as const), id: member }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('heal' as const) }) },
);

/** What was seen committed at an index, and the term of the member that saw it. */
interface Committed {
  readonly entry: string;
  readonly entryTerm: number;
  /** At least the term in which the entry committed: every leader of a later term has it. */
  readonly seenInTerm: number;
}

/** The highest commit index any member has (durably or in memory): what a client may know. */
function highestCommit(h: Harness): number {
  return Math.max(...IDS.map((id) => {
    const m = h.member(id);
    return m.node?.log.committed ?? m.storage.hardState.commit;
  }));
}

/**
 * Checks the safety properties over the live members; `committed` accumulates. `readFloor`
 * maps each read's context to the highest commit index when it was asked: a linearizable read
 * point is never below it. (Plain comparisons: this runs after every op.)
 */
function checkSafety(h: Harness, committed: Map<number, Committed>, readFloor: Map<string, number>): void {
  const problems = [...h.violations];
  for (const id of IDS) {
    for (const read of h.member(id).reads) {
      const floor = readFloor.get(read.context) ?? Infinity;
      if (read.index < floor) problems.push(`${id}: read ${read.context} at ${read.index} < commit ${floor} when asked`);
    }
    const node = h.member(id).node;
    if (node === null) continue;
    const log = node.log;
    for (let index = log.firstIndex(); index <= log.committed; index++) {
      const known = committed.get(index);
      if (known === undefined) {
        const entry = log.entry(index) as Entry;
        committed.set(index, { entry: describeEntry(entry), entryTerm: entry.term, seenInTerm: node.term });
      } else if (log.term(index) !== known.entryTerm) {
        problems.push(`${id}: committed ${describeEntry(log.entry(index) as Entry)}, but ${known.entry} was committed`);
      }
    }
    if (node.role !== 'leader') continue;
    const leader = h.leaderOfTerm.get(node.term);
    if (leader !== undefined && leader !== id) problems.push(`term ${node.term}: leaders ${leader} and ${id}`);
    for (const [index, known] of committed) {
      if (index < log.firstIndex() || node.term <= known.seenInTerm) continue;
      if (log.term(index) !== known.entryTerm) {
        problems.push(`leader ${id} (term ${node.term}) lacks committed ${known.entry}`);
      }
    }
  }
  expect(problems).toEqual([]);
}

/**
 * Runs `ops` on a 3-member cluster that starts with a leader, checking safety after each op.
 * `trace` sees the harness after each op (for debugging a counterexample); `config` varies the
 * members' settings (pre-vote, check-quorum, batching) when hunting with more runs.
 */
export function run(
  seed: number, ops: readonly Op[], trace?: (h: Harness, op: Op | string) => void, config: MemberConfig = {},
): void {
  const h = Harness.withLeader({
    seed, config: { electionTicks: 4, heartbeatTicks: 1, appendBatchEntriesMax: 2, inflightMessagesMax: 2, ...config },
  }, IDS[seed % 3]);
  const committed = new Map<number, Committed>();
  const readFloor = new Map<string, number>();
  let proposals = 0;
  for (const op of ops) {
    const at = (n: number): number => (h.queue.length === 0 ? 0 : n % h.queue.length);
    switch (op.k) {
      case 'tick':
        h.tick(IDS[op.id] as string);
        break;
      case 'deliver':
        h.deliver(at(op.at));
        break;
      case 'deliver-all':
        h.stabilize();
        break;
      case 'drop':
        h.drop(at(op.at));
        break;
      case 'propose':
        h.propose(IDS[op.id] as string, `p${proposals++}`);
        break;
      case 'restart':
        h.crash(IDS[op.id] as string);
        h.restart(IDS[op.id] as string);
        break;
      case 'compact': {
        const node = h.node(IDS[op.id] as string);
        if (node.log.applied > node.log.snapshot.meta.index) h.compact(node.id);
        break;
      }
      case 'read': {
        const context = `r${readFloor.size}`;
        readFloor.set(context, highestCommit(h));
        h.node(IDS[op.id] as string).readIndex(context);
        h.flush();
        break;
      }
      case 'transfer':
        h.node(IDS[op.id] as string).transferLeadership(IDS[op.to] as string);
        h.flush();
        break;
      case 'isolate': // one member at a time
        h.recover();
        h.isolate(IDS[op.id] as string);
        break;
      case 'heal':
        h.recover();
        break;
    }
    trace?.(h, op);
    checkSafety(h, committed, readFloor);
  }
  // Healed and given time (a lost snapshot answer waits out the snapshot timeout, 4 election
  // timeouts), the cluster has one leader that commits a last proposal everywhere.
  h.recover();
  h.stabilize();
  const done = (): boolean => IDS.every((id) => h.member(id).values.at(-1) === 'last');
  for (let i = 0; i < 200 && !done(); i++) {
    const leader = h.leader();
    if (i % 20 === 0 && leader !== undefined) h.propose(leader, 'last');
    h.tickAll();
  }
  trace?.(h, 'healed');
  checkSafety(h, committed, readFloor);
  for (const id of IDS) expect(h.member(id).values.at(-1), `${id}: ${JSON.stringify(h.summary())}`).toBe('last');
}

