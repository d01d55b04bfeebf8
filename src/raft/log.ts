// The in-memory view of the replicated log: the latest snapshot's index and term, the entries
// after it, which of them are durable (stable), committed and applied. The durable copy lives
// in storage; this view is what the core reads. Imports only src/lib and src/raft/types.ts.
import { assert } from '../lib/assert.js';
import type { Entry, Snapshot } from './types.js';

export class RaftLog {
  /** The latest snapshot; entries start right after snapshot.meta.index. */
  snapshot: Snapshot;
  /** Invariant: entries[i].index === snapshot.meta.index + 1 + i. */
  private entries: Entry[];
  /** Invariant: snapshot.meta.index <= applied <= committed <= lastIndex(). */
  committed: number;
  applied: number;
  /** Entries with index <= stable are durable. Invariant: stable <= lastIndex(). */
  stable: number;
  /** A snapshot received from the leader that storage has not yet written. */
  pendingSnapshot: Snapshot | null = null;

  constructor(snapshot: Snapshot, entries: readonly Entry[], committed: number, applied: number) {
    this.snapshot = snapshot;
    this.entries = [...entries];
    this.stable = this.lastIndex();
    // Applied entries were committed even if the commit index write was lost (unsynced).
    this.committed = Math.max(committed, applied, snapshot.meta.index);
    this.applied = Math.max(applied, snapshot.meta.index);
    assert(this.committed <= this.lastIndex(), () =>
      `commit ${this.committed} > lastIndex ${this.lastIndex()}`);
    assert(this.applied <= this.committed, () =>
      `applied ${this.applied} > commit ${this.committed}`);
    this.checkInvariants();
  }

  firstIndex(): number {
    return this.snapshot.meta.index + 1;
  }

  lastIndex(): number {
    return this.snapshot.meta.index + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) as number;
  }

  /** The term of the entry at `index`, or undefined if compacted away or beyond the end. */
  term(index: number): number | undefined {
    const offset = this.snapshot.meta.index;
    if (index === offset) return this.snapshot.meta.term;
    if (index < offset || index > this.lastIndex()) return undefined;
    return (this.entries[index - offset - 1] as Entry).term;
  }

  entry(index: number): Entry | undefined {
    const offset = this.snapshot.meta.index;
    if (index <= offset || index > this.lastIndex()) return undefined;
    return this.entries[index - offset - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft §5.4.1: is a log ending at (index, term) at least as up to date as ours? */
  isUpToDate(index: number, term: number): boolean {
    const lastTerm = this.lastTerm();
    return term > lastTerm || (term === lastTerm && index >= this.lastIndex());
  }

  /** Appends entries continuing or overwriting the log; truncates a conflicting suffix. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = (entries[0] as Entry).index;
    assert(first > this.committed, () => `append at ${first} overwrites commit ${this.committed}`);
    assert(first <= this.lastIndex() + 1, () =>
      `append at ${first} leaves a gap after ${this.lastIndex()}`);
    const keep = first - this.firstIndex();
    if (keep < this.entries.length) this.entries.length = keep;
    for (const entry of entries) this.entries.push(entry);
    this.stable = Math.min(this.stable, first - 1);
  }

  /**
   * Follower side of append (Raft §5.3): if our entry at prevIndex has prevTerm, append the
   * entries not already present and return the index of the last new entry; else null.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[]): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, () =>
        `conflict at ${conflict} is at or below commit ${this.committed}`);
      this.append(entries.slice(conflict - (prevIndex + 1)));
    }
    return lastNew;
  }

  /** The index of the first entry that is new or differs in term, 0 if all are present. */
  private findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term`: where a log with a term-`term`
   * entry at `index` may match ours (the fast backtracking hint).
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let probe = Math.min(index, this.lastIndex());
    for (; probe >= this.snapshot.meta.index; probe--) {
      const probeTerm = this.term(probe);
      if (probeTerm === undefined) break;
      if (probeTerm <= term) return { index: probe, term: probeTerm };
    }
    return { index: probe, term: 0 };
  }

  /** Entries in [low, high), at most `bytesMax` bytes (always at least one) and `countMax`. */
  slice(low: number, high: number, bytesMax: number, countMax: number): Entry[] {
    assert(low >= this.firstIndex(), () => `slice ${low} below first ${this.firstIndex()}`);
    assert(high <= this.lastIndex() + 1, () => `slice ${high} beyond last ${this.lastIndex()}`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = low; index < high && out.length < countMax; index++) {
      const entry = this.entry(index) as Entry;
      bytes += entry.data.length + 16;
      if (out.length > 0 && bytes > bytesMax) break;
      out.push(entry);
    }
    return out;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), () =>
      `commit ${index} beyond lastIndex ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Committed entries not yet applied (and durable-or-being-persisted), for the next Ready. */
  nextApply(bytesMax: number): Entry[] {
    if (this.committed <= this.applied) return [];
    return this.slice(this.applied + 1, this.committed + 1, bytesMax, Number.MAX_SAFE_INTEGER);
  }

  appliedTo(index: number): void {
    assert(index >= this.applied, () => `applied moves back ${this.applied} -> ${index}`);
    assert(index <= this.committed, () => `applied ${index} > commit ${this.committed}`);
    this.applied = index;
  }

  unstableEntries(): Entry[] {
    if (this.stable >= this.lastIndex()) return [];
    return this.entries.slice(this.stable - this.snapshot.meta.index);
  }

  /** Storage has made entries up to `index` durable, if they still have term `term`. */
  stableTo(index: number, term: number): void {
    if (this.term(index) === term && index > this.stable) this.stable = index;
  }

  /** Installs a leader's snapshot: the log becomes exactly the snapshot. */
  restore(snapshot: Snapshot): void {
    assert(snapshot.meta.index > this.committed, () =>
      `snapshot ${snapshot.meta.index} not past commit ${this.committed}`);
    this.snapshot = snapshot;
    this.entries = [];
    this.committed = snapshot.meta.index;
    this.applied = snapshot.meta.index;
    this.stable = snapshot.meta.index;
    this.pendingSnapshot = snapshot;
  }

  /** Drops entries up to the snapshot's index, which the state machine has applied. */
  compact(snapshot: Snapshot): void {
    const index = snapshot.meta.index;
    assert(index <= this.applied, () => `compact ${index} beyond applied ${this.applied}`);
    assert(index > this.snapshot.meta.index, () =>
      `compact ${index} not past snapshot ${this.snapshot.meta.index}`);
    assert(this.term(index) === snapshot.meta.term, () =>
      `compact ${index}: term ${snapshot.meta.term} != log term ${this.term(index)}`);
    this.entries = this.entries.slice(index - this.snapshot.meta.index);
    this.snapshot = snapshot;
    this.stable = Math.max(this.stable, index);
  }

  checkInvariants(): void {
    const offset = this.snapshot.meta.index;
    let previousTerm = this.snapshot.meta.term;
    this.entries.forEach((entry, i) => {
      assert(entry.index === offset + 1 + i, () =>
        `entry at slot ${i} has index ${entry.index}, expected ${offset + 1 + i}`);
      assert(entry.term >= previousTerm, () =>
        `entry ${entry.index} term ${entry.term} < previous term ${previousTerm}`);
      previousTerm = entry.term;
    });
    assert(this.applied <= this.committed, () =>
      `applied ${this.applied} > commit ${this.committed}`);
    assert(this.committed <= this.lastIndex(), () =>
      `commit ${this.committed} > lastIndex ${this.lastIndex()}`);
    assert(this.stable <= this.lastIndex(), () =>
      `stable ${this.stable} > lastIndex ${this.lastIndex()}`);
  }
}
