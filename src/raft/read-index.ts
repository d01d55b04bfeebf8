// Linearizable reads without a log write (Raft §6.4, ReadIndex): read requests are batched
// into rounds; a round records the commit index when it starts and is confirmed once a
// majority of voters acknowledge a heartbeat carrying the round number. Many reads share one
// heartbeat round. Imports only src/raft.
import type { NodeId } from './types.js';

export interface ReadRequest {
  readonly context: string;
  /** Who asked: the leader itself, or the follower that forwarded the read. */
  readonly from: NodeId;
}

export interface ReadRound {
  readonly round: number;
  readonly index: number;
  readonly requests: readonly ReadRequest[];
}

export class ReadIndexBatcher {
  /** Requests that arrived after the in-flight round started; they wait for the next one. */
  private queued: ReadRequest[] = [];
  private inFlight: ReadRound | null = null;
  private lastRound = 0;

  constructor(private readonly batchLengthMax: number) {}

  get pendingCount(): number {
    return this.queued.length + (this.inFlight?.requests.length ?? 0);
  }

  enqueue(request: ReadRequest): void {
    this.queued.push(request);
  }

  /** Starts a round at `commit` if none is in flight and reads wait; returns its number. */
  maybeStartRound(commit: number): ReadRound | null {
    if (this.inFlight !== null || this.queued.length === 0) return null;
    const requests = this.queued.splice(0, this.batchLengthMax);
    this.lastRound += 1;
    this.inFlight = { round: this.lastRound, index: commit, requests };
    return this.inFlight;
  }

  /** The in-flight round if `confirmed(round)` says a majority acknowledged it. */
  maybeConfirm(confirmed: (round: number) => boolean): ReadRound | null {
    if (this.inFlight === null || !confirmed(this.inFlight.round)) return null;
    const done = this.inFlight;
    this.inFlight = null;
    return done;
  }

  get currentRound(): number {
    return this.inFlight?.round ?? this.lastRound;
  }

  /** Drops every waiting read (leadership lost); returns them so callers can be told. */
  reset(): ReadRequest[] {
    const dropped = [...(this.inFlight?.requests ?? []), ...this.queued];
    this.queued = [];
    this.inFlight = null;
    return dropped;
  }
}
