// Raft's safety properties, checked as the simulation runs: at most one leader per term
// (§5.2), no two members apply different entries at one index (state machine safety), every
// new leader holds every entry known committed (leader completeness, §5.4), and log matching
// (§5.3) across all running members. Test-only: checkers live outside src/.
import type { Entry, NodeId, RaftNode } from '../../src/raft/index.js';

export class SafetyViolation extends Error {
  override readonly name = 'SafetyViolation';
}

export class SafetyChecker {
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** The entry applied at each index, by whoever applied it first. */
  private readonly applied = new Map<number, { term: number; data: string; by: NodeId }>();
  private appliedMax = 0;

  onLeader(id: NodeId, term: number, core: RaftNode): void {
    const known = this.leaderOfTerm.get(term);
    if (known !== undefined && known !== id) {
      throw new SafetyViolation(`two leaders in term ${term}: ${known} and ${id}`);
    }
    this.leaderOfTerm.set(term, id);
    this.checkLeaderCompleteness(id, core);
  }

  onApply(id: NodeId, entry: Entry): void {
    const data = Buffer.from(entry.data).toString('base64');
    const first = this.applied.get(entry.index);
    if (first === undefined) {
      this.applied.set(entry.index, { term: entry.term, data, by: id });
      this.appliedMax = Math.max(this.appliedMax, entry.index);
      return;
    }
    if (first.term !== entry.term || first.data !== data) {
      throw new SafetyViolation(
        `index ${entry.index}: ${first.by} applied term ${first.term}, ${id} applied term ` +
          `${entry.term}${first.data !== data ? ' with different data' : ''}`);
    }
  }

  private checkLeaderCompleteness(id: NodeId, core: RaftNode): void {
    const log = core.log;
    for (let index = log.firstIndex(); index <= this.appliedMax; index++) {
      const known = this.applied.get(index);
      if (known === undefined) continue;
      const term = log.term(index);
      if (term !== known.term) {
        throw new SafetyViolation(
          `leader ${id} (term ${core.term}) lacks committed entry ${known.term}/${index} ` +
            `(has ${term ?? 'nothing'})`);
      }
    }
  }

  /** Log matching: two logs with an entry of the same index and term agree up to it. */
  checkLogMatching(cores: readonly RaftNode[]): void {
    for (let i = 0; i < cores.length; i++) {
      for (let j = i + 1; j < cores.length; j++) checkPair(cores[i]!, cores[j]!);
    }
  }

  get leaderCount(): number {
    return this.leaderOfTerm.size;
  }
}

function checkPair(a: RaftNode, b: RaftNode): void {
  const low = Math.max(a.log.firstIndex(), b.log.firstIndex());
  const high = Math.min(a.log.lastIndex(), b.log.lastIndex());
  let matched = false;
  for (let index = high; index >= low; index--) {
    const ea = a.log.entry(index);
    const eb = b.log.entry(index);
    if (ea === undefined || eb === undefined) continue;
    if (!matched) {
      matched = ea.term === eb.term;
      continue;
    }
    if (ea.term !== eb.term || Buffer.compare(ea.data, eb.data) !== 0) {
      throw new SafetyViolation(
        `log matching: ${a.id} and ${b.id} agree at a later index but differ at ${index}`);
    }
  }
}
