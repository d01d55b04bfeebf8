// The Raft core: one member's consensus state as a pure, deterministic state machine. Driven
// by tick(), step(), propose() and readIndex(); it hands back work as a Ready (persist, send,
// apply, reads) and is told with advance() when the work is done. No I/O, clock or global
// randomness. Must not import anything outside src/raft and src/lib.
import { assert } from '../lib/assert.js';
import { makeConfig, type RaftConfig, type RaftConfigInput, type RaftStorageState } from './config.js';
import { RaftLog } from './log.js';
import { applyConfChange, checkConfChange, decodeConfChange, encodeConfChange, EMPTY_CONF } from './membership.js';
import { MemberProgress } from './progress.js';
import { ReadIndexBatcher } from './read-index.js';
import { committedIndex, majority, voteOutcome, type VoteOutcome } from './quorum.js';
import { broadcastAppend } from './replication.js';
import { stepAnyRole } from './step-any.js';
import { limits } from '../lib/limits.js';
import {
  makeMessage, NO_NODE, type ConfChange, type ConfState, type Entry, type HardState,
  type Message, type MessageFields, type NodeId, type ProposeResult, type ReadState, type Ready,
  type Role, type RoleChange, type Snapshot, type Status,
} from './types.js';

export class RaftNode {
  readonly id: NodeId;
  readonly config: RaftConfig;
  readonly log: RaftLog;
  term = 0;
  vote: NodeId = NO_NODE;
  role: Role = 'follower';
  leaderId: NodeId = NO_NODE;
  /** The membership as of log.applied (changes take effect when applied). */
  conf: ConfState = EMPTY_CONF;
  /** Leader only: progress of every member of conf, including itself. */
  progress = new Map<NodeId, MemberProgress>();
  /** Candidates: votes received in this election (true = granted). */
  votes = new Map<NodeId, boolean>();
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Ticks since this node was created: a clock for "heard from recently". */
  tickCount = 0;
  randomizedElectionTicks = 0;
  /** Leader: the member leadership is being transferred to, or NO_NODE. */
  transferee: NodeId = NO_NODE;
  /** Leader: index of the latest conf change proposed; a new one waits until it applies. */
  pendingConfIndex = 0;
  /** Leader: new entries were appended; appends go out when the next Ready is built. */
  broadcastPending = false;
  readonly reads = new ReadIndexBatcher(limits.readBatchLengthMax);
  /** Leader: reads that arrived before an entry of its term committed. */
  readsBeforeCommit: { context: string; from: NodeId }[] = [];

  outbox: Message[] = [];
  readStates: ReadState[] = [];
  private persistedHardState: HardState;
  private reportedRole: RoleChange;
  private outstanding: Ready | null = null;

  constructor(input: RaftConfigInput, storage: RaftStorageState) {
    this.config = makeConfig(input);
    this.id = this.config.id;
    const { hardState, snapshot, entries } = storage;
    this.log = new RaftLog(snapshot, entries, hardState.commit, this.config.applied);
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.persistedHardState = hardState;
    this.conf = snapshot.meta.conf;
    for (let index = this.log.firstIndex(); index <= this.log.applied; index++) {
      this.applyConfEntry(this.log.entry(index) as Entry);
    }
    this.resetElectionTimer();
    this.reportedRole = { role: this.role, term: this.term, leaderId: this.leaderId };
  }

  // ---- public API -------------------------------------------------------------------------

  tick(): void {
    this.tickCount++;
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
    this.checkInvariantsIfParanoid();
  }

  step(message: Message): void {
    assert(message.to === this.id, () => `message to ${message.to} stepped into ${this.id}`);
    stepAnyRole(this, message);
    this.checkInvariantsIfParanoid();
  }

  /** Proposes one or more commands; at a follower they are forwarded to the leader. */
  propose(commands: readonly Uint8Array[]): ProposeResult {
    const entries = commands.map((data) => ({ type: 'normal' as const, data }));
    return this.proposeEntries(entries);
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    if (this.role !== 'leader') return this.notLeader();
    if (this.pendingConfIndex > this.log.applied) {
      return { ok: false, reason: 'proposal-dropped', detail: 'a membership change is pending' };
    }
    const problem = checkConfChange(this.conf, change);
    if (problem !== null) return { ok: false, reason: 'proposal-dropped', detail: problem };
    if (change.type === 'promote') {
      const learner = this.progress.get(change.nodeId);
      // Caught up: within 10% of the leader's log (a learner under load always lags a little).
      if (learner === undefined || learner.match < 0.9 * this.log.lastIndex()) {
        return { ok: false, reason: 'proposal-dropped', detail: 'learner has not caught up' };
      }
    }
    const result = this.proposeEntries([{ type: 'conf-change', data: encodeConfChange(change) }]);
    if (result.ok) this.pendingConfIndex = this.log.lastIndex();
    return result;
  }

  /** Asks for a linearizable read point; the answer comes as a ReadState in a later Ready. */
  readIndex(context: string): ProposeResult {
    if (this.role === 'leader') {
      this.leaderReadIndex(context, this.id);
      return { ok: true };
    }
    if (this.leaderId === NO_NODE) return this.notLeader();
    this.send({ type: 'read-index', to: this.leaderId, context });
    return { ok: true };
  }

  /** Starts a leadership transfer to `target` (at the leader; forwarded from a follower). */
  transferLeadership(target: NodeId): void {
    this.step(makeMessage({ type: 'transfer-leader', from: this.id, to: this.id, context: target }));
  }

  /** The driver made a snapshot of the state machine at log.applied; drop older entries. */
  compact(snapshot: Snapshot): void {
    this.log.compact(snapshot);
  }

  /** The transport failed (ok=false) or finished (ok=true) sending a snapshot to `id`. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    const progress = this.progress.get(id);
    if (this.role !== 'leader' || progress === undefined || progress.state !== 'snapshot') return;
    if (!ok) progress.pendingSnapshot = 0;
    progress.becomeProbe();
    progress.probeSent = true;
  }

  reportUnreachable(id: NodeId): void {
    const progress = this.progress.get(id);
    if (this.role === 'leader' && progress?.state === 'replicate') progress.becomeProbe();
  }

  hasReady(): boolean {
    if (this.outstanding !== null) return false;
    return (
      this.broadcastPending ||
      this.outbox.length > 0 ||
      this.readStates.length > 0 ||
      this.log.unstableEntries().length > 0 ||
      this.log.pendingSnapshot !== null ||
      this.log.committed > this.log.applied ||
      !sameHardState(this.hardState(), this.persistedHardState) ||
      this.roleChanged()
    );
  }

  ready(): Ready {
    assert(this.outstanding === null, 'a Ready is already outstanding');
    if (this.broadcastPending) broadcastAppend(this);
    const hardState = this.hardState();
    const hardStateChanged = !sameHardState(hardState, this.persistedHardState);
    const entries = this.log.unstableEntries();
    const snapshot = this.log.pendingSnapshot ?? undefined;
    const sync =
      entries.length > 0 || snapshot !== undefined ||
      hardState.term !== this.persistedHardState.term ||
      hardState.vote !== this.persistedHardState.vote;
    const ready: Ready = {
      persist: { ...(hardStateChanged ? { hardState } : {}), entries, ...(snapshot ? { snapshot } : {}), sync },
      send: this.outbox,
      apply: this.log.nextApply(this.config.applyBatchBytesMax),
      reads: this.readStates,
      ...(this.roleChanged() ? { role: this.currentRole() } : {}),
    };
    this.outbox = [];
    this.readStates = [];
    this.outstanding = ready;
    return ready;
  }

  /** The driver finished every part of `ready` (persisted, sent, applied). */
  advance(ready: Ready): void {
    assert(this.outstanding === ready, 'advance() of a Ready that is not outstanding');
    this.outstanding = null;
    const { persist } = ready;
    if (persist.hardState) this.persistedHardState = persist.hardState;
    if (persist.snapshot && this.log.pendingSnapshot === persist.snapshot) {
      this.log.pendingSnapshot = null;
    }
    const lastPersisted = persist.entries[persist.entries.length - 1];
    if (lastPersisted) {
      this.log.stableTo(lastPersisted.index, lastPersisted.term);
      const self = this.role === 'leader' ? this.progress.get(this.id) : undefined;
      if (self && this.log.stable > self.match) {
        self.maybeUpdate(this.log.stable);
        if (this.maybeCommit()) this.broadcastPending = true;
      }
    }
    const lastApplied = ready.apply[ready.apply.length - 1];
    // A snapshot installed meanwhile already moved applied (and conf) past these entries.
    if (lastApplied && lastApplied.index > this.log.applied) {
      for (const entry of ready.apply) this.applyConfEntry(entry);
      this.log.appliedTo(lastApplied.index);
    }
    if (ready.role) this.reportedRole = ready.role;
    this.afterApply();
    this.checkInvariantsIfParanoid();
  }

  status(): Status {
    return {
      id: this.id, role: this.role, term: this.term, vote: this.vote, leaderId: this.leaderId,
      commit: this.log.committed, applied: this.log.applied, firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(), conf: this.conf, transferee: this.transferee,
      progress: new Map([...this.progress].map(([id, p]) => [id, {
        match: p.match, next: p.next, learner: p.learner,
        // Heard from within an election timeout (check-quorum's flag resets every round).
        recentActive: p.recentActive ||
          (p.heardAtTick >= 0 && this.tickCount - p.heardAtTick <= this.config.electionTicks),
      }])),
    };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  // ---- role transitions (used by the step-* files) ----------------------------------------

  becomeFollower(term: number, leaderId: NodeId): void {
    this.dropLeaderState();
    this.reset(term);
    this.role = 'follower';
    this.leaderId = leaderId;
  }

  becomePreCandidate(): void {
    assert(this.role !== 'leader', 'leader cannot become pre-candidate');
    this.dropLeaderState();
    this.role = 'pre-candidate';
    this.votes = new Map();
    this.leaderId = NO_NODE;
    this.electionElapsed = 0;
  }

  becomeCandidate(): void {
    assert(this.role !== 'leader', 'leader cannot become candidate');
    this.reset(this.term + 1);
    this.role = 'candidate';
    this.vote = this.id;
  }

  becomeLeader(): void {
    assert(this.role === 'candidate', () => `${this.role} cannot become leader`);
    this.reset(this.term);
    this.role = 'leader';
    this.leaderId = this.id;
    const last = this.log.lastIndex();
    for (const id of [...this.conf.voters, ...this.conf.learners]) {
      const progress = this.newProgress(id, last + 1);
      if (id === this.id) {
        // The leader counts only what it has made durable (see advance()).
        progress.match = this.log.stable;
        progress.becomeReplicate();
      }
      progress.recentActive = true;
      this.progress.set(id, progress);
    }
    // Conservatively treat the unapplied tail as possibly holding a conf change.
    this.pendingConfIndex = last;
    this.appendEntries([{ type: 'normal', data: new Uint8Array(0) }]);
  }

  campaign(transfer: boolean): void {
    if (!this.isPromotable()) return;
    if (this.config.preVote && !transfer) {
      this.becomePreCandidate();
      this.requestVotes('prevote', this.term + 1, false);
    } else {
      this.becomeCandidate();
      this.requestVotes('vote', this.term, transfer);
    }
  }

  requestVotes(type: 'prevote' | 'vote', term: number, transfer: boolean): void {
    this.votes.set(this.id, true);
    if (this.checkElection() !== 'pending') return;
    for (const id of this.conf.voters) {
      if (id === this.id) continue;
      this.send({
        type, to: id, term, index: this.log.lastIndex(), logTerm: this.log.lastTerm(), transfer,
      });
    }
  }

  /** Tallies votes; wins or loses the election when decided. */
  checkElection(): VoteOutcome {
    const outcome = voteOutcome(this.conf.voters, this.votes);
    if (outcome === 'won') {
      if (this.role === 'pre-candidate') {
        this.becomeCandidate();
        this.requestVotes('vote', this.term, false);
      } else {
        this.becomeLeader();
      }
    } else if (outcome === 'lost') {
      this.becomeFollower(this.term, NO_NODE);
    }
    return outcome;
  }

  isPromotable(): boolean {
    return this.conf.voters.includes(this.id) && this.log.pendingSnapshot === null;
  }

  send(fields: MessageFields): void {
    let term = this.term;
    if (fields.type === 'prevote' || fields.type === 'prevote-resp') term = fields.term ?? term;
    if (termless.has(fields.type)) term = 0;
    this.outbox.push(makeMessage({ ...fields, from: this.id, term }));
  }

  /** Appends entries at the leader, stamping term and index. */
  appendEntries(entries: readonly { type: Entry['type']; data: Uint8Array }[]): void {
    const last = this.log.lastIndex();
    const stamped = entries.map((e, i) => ({ ...e, term: this.term, index: last + 1 + i }));
    this.log.append(stamped);
    // The leader's own acknowledgement waits until storage made these durable (advance()),
    // so its appends may go out before its own fsync (Raft thesis §10.2.1).
    this.broadcastPending = true;
  }

  /** Leader: advances commit to what a majority has; only entries of its own term count. */
  maybeCommit(): boolean {
    const quorumIndex = committedIndexOf(this);
    if (quorumIndex <= this.log.committed) return false;
    const oldTermByCounting = this.config.faults.includes('commit-old-term');
    if (this.log.term(quorumIndex) !== this.term && !oldTermByCounting) return false;
    this.log.commitTo(quorumIndex);
    this.releaseReadsBeforeCommit();
    return true;
  }

  newProgress(id: NodeId, next: number): MemberProgress {
    const learner = this.conf.learners.includes(id);
    return new MemberProgress(next, learner, this.config.inflightMessagesMax);
  }

  resetElectionTimer(): void {
    this.electionElapsed = 0;
    const base = this.config.electionTicks;
    this.randomizedElectionTicks = base + this.config.random.int(base);
  }

  leaderReadIndex(context: string, from: NodeId): void {
    if (this.log.term(this.log.committed) !== this.term) {
      this.readsBeforeCommit.push({ context, from });
      return;
    }
    this.reads.enqueue({ context, from });
    this.startReadRound();
  }

  startReadRound(): void {
    const round = this.reads.maybeStartRound(this.log.committed);
    if (round === null) return;
    const self = this.progress.get(this.id);
    if (self) self.readRoundAcked = round.round;
    if (!this.confirmReads()) {
      for (const id of this.progress.keys()) {
        if (id !== this.id) this.sendHeartbeat(id);
      }
    }
  }

  /** Releases the in-flight read round if a majority acknowledged it. */
  confirmReads(): boolean {
    const done = this.reads.maybeConfirm((round) =>
      committedIndexOf(this, (p) => p.readRoundAcked) >= round);
    if (done === null) return false;
    for (const request of done.requests) {
      if (request.from === this.id) {
        this.readStates.push({ context: request.context, index: done.index });
      } else {
        this.send({ type: 'read-index-resp', to: request.from, index: done.index, context: request.context });
      }
    }
    this.startReadRound();
    return true;
  }

  sendHeartbeat(id: NodeId): void {
    const progress = this.progress.get(id);
    const commit = Math.min(progress?.match ?? 0, this.log.committed);
    this.send({ type: 'heartbeat', to: id, commit, context: String(this.reads.currentRound) });
  }

  // ---- internals ----------------------------------------------------------------------------

  private proposeEntries(entries: { type: Entry['type']; data: Uint8Array }[]): ProposeResult {
    if (this.role === 'leader') {
      if (this.transferee !== NO_NODE) {
        return { ok: false, reason: 'proposal-dropped', detail: 'leadership transfer in progress' };
      }
      if (!this.progress.has(this.id)) {
        return { ok: false, reason: 'proposal-dropped', detail: 'this member was removed' };
      }
      this.appendEntries(entries);
      return { ok: true };
    }
    if (this.leaderId === NO_NODE || this.role !== 'follower') return this.notLeader();
    if (entries.some((e) => e.type !== 'normal')) return this.notLeader();
    const stamped = entries.map((e) => ({ ...e, term: 0, index: 0 }));
    this.send({ type: 'propose', to: this.leaderId, entries: stamped });
    return { ok: true };
  }

  private notLeader(): ProposeResult {
    return { ok: false, reason: 'not-leader', leaderId: this.leaderId };
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.isPromotable() && this.electionElapsed >= this.randomizedElectionTicks) {
      this.electionElapsed = 0;
      this.campaign(false);
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    for (const progress of this.progress.values()) {
      if (progress.state === 'snapshot' && ++progress.snapshotTicks > 4 * this.config.electionTicks) {
        progress.becomeProbe();
      }
    }
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.term, NO_NODE);
        return;
      }
      if (this.transferee !== NO_NODE) this.transferee = NO_NODE; // transfer timed out
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      for (const id of this.progress.keys()) if (id !== this.id) this.sendHeartbeat(id);
    }
  }

  /** Check-quorum: did a majority of voters answer since the last round? Resets the marks. */
  private quorumActive(): boolean {
    let active = 0;
    for (const id of this.conf.voters) {
      const progress = this.progress.get(id);
      if (progress === undefined) continue;
      if (id === this.id || progress.recentActive) active++;
      progress.recentActive = false;
    }
    return active >= majority(this.conf.voters.length);
  }

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NO_NODE;
    }
    this.leaderId = NO_NODE;
    this.votes = new Map();
    this.heartbeatElapsed = 0;
    this.transferee = NO_NODE;
    this.resetElectionTimer();
  }

  private dropLeaderState(): void {
    this.progress = new Map();
    this.broadcastPending = false;
    this.reads.reset();
    this.readsBeforeCommit = [];
    this.transferee = NO_NODE;
  }

  private releaseReadsBeforeCommit(): void {
    if (this.readsBeforeCommit.length === 0 || this.log.term(this.log.committed) !== this.term) return;
    const waiting = this.readsBeforeCommit;
    this.readsBeforeCommit = [];
    for (const read of waiting) this.leaderReadIndex(read.context, read.from);
  }

  private applyConfEntry(entry: Entry): void {
    if (entry.type !== 'conf-change') return;
    const change = decodeConfChange(entry.data);
    const before = this.conf;
    this.conf = applyConfChange(this.conf, change);
    if (this.conf === before || this.role !== 'leader') return;
    this.updateLeaderProgress(change);
  }

  private updateLeaderProgress(change: ConfChange): void {
    const id = change.nodeId;
    if (change.type === 'remove') {
      this.progress.delete(id);
      if (id === this.id) {
        this.becomeFollower(this.term, NO_NODE);
        return;
      }
    } else {
      const old = this.progress.get(id);
      const progress = this.newProgress(id, this.log.lastIndex() + 1);
      if (old) {
        progress.match = old.match;
        progress.next = old.next;
      }
      progress.recentActive = true;
      this.progress.set(id, progress);
    }
    if (this.maybeCommit()) this.broadcastPending = true;
    this.confirmReads();
  }

  private afterApply(): void {
    if (this.role === 'leader' && this.progress.has(this.id)) {
      if (this.maybeCommit()) this.broadcastPending = true;
    }
  }

  private roleChanged(): boolean {
    const now = this.currentRole();
    const before = this.reportedRole;
    return now.role !== before.role || now.term !== before.term || now.leaderId !== before.leaderId;
  }

  private currentRole(): RoleChange {
    return { role: this.role, term: this.term, leaderId: this.leaderId };
  }

  private checkInvariantsIfParanoid(): void {
    if (!this.config.paranoid) return;
    this.log.checkInvariants();
    assert(this.role === 'leader' || this.progress.size === 0, 'non-leader holds progress');
    if (this.role === 'leader') {
      assert(this.leaderId === this.id, () => `leader ${this.id} names ${this.leaderId} leader`);
      for (const p of this.progress.values()) p.checkInvariants();
    }
    assert(this.log.committed <= this.log.lastIndex(), 'commit beyond log');
  }
}

/** The index (or read round) acknowledged by a majority of voters, by `value`. */
export function committedIndexOf(
  node: RaftNode,
  value: (p: MemberProgress) => number = (p) => p.match,
): number {
  return committedIndex(node.conf.voters, (id) => {
    const progress = node.progress.get(id);
    return progress === undefined ? 0 : value(progress);
  });
}

/** Requests forwarded between members regardless of term: never dropped as stale. */
const termless = new Set(['propose', 'read-index', 'read-index-resp', 'transfer-leader']);

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

