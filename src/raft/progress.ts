// The leader's view of one member's replication: match and next index, the flow-control
// state (probe, replicate, snapshot), the in-flight window and activity for check-quorum.
// Imports only src/lib and src/raft.
import { assert } from '../lib/assert.js';
import { Inflights } from './inflights.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class MemberProgress {
  /** Invariant: 0 <= match < next. */
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** probe: one append was sent and its answer is awaited. */
  probeSent = false;
  /** snapshot: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** snapshot: ticks since the snapshot was sent (retry after a bound). */
  snapshotTicks = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** The leader's tick count when it last heard from this member (-1: never). */
  heardAtTick = -1;
  /** The commit index last sent to this member in an append. */
  commitSent = 0;
  /** The highest read-index round this member acknowledged. */
  readRoundAcked = 0;
  readonly inflights: Inflights;

  constructor(next: number, readonly learner: boolean, inflightMessagesMax: number) {
    this.next = next;
    this.inflights = new Inflights(inflightMessagesMax);
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      this.next = Math.max(this.match + 1, this.pendingSnapshot + 1);
    } else {
      this.next = this.match + 1;
    }
    this.state = 'probe';
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.probeSent = false;
    this.inflights.reset();
  }

  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotTicks = 0;
    this.inflights.reset();
  }

  /** An acknowledgement up to `index`; returns whether match moved. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    this.checkInvariants();
    return updated;
  }

  /** A rejection of the append at `rejected`; returns false if it is stale. */
  maybeDecreaseTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** The leader may not send another append right now. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  /** Records an append ending at `lastIndex` that was just sent. */
  sentEntries(count: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  checkInvariants(): void {
    assert(this.match >= 0, () => `match ${this.match} < 0`);
    assert(this.match < this.next, () => `match ${this.match} >= next ${this.next}`);
  }
}
