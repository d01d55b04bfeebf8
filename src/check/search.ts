// The linearization search for one key's ops: Wing & Gong / Lowe depth-first search with
// just-in-time linearization over a doubly linked list of call/return entries, memoizing
// (set of linearized ops, state) as Knossos and Porcupine do; bounded by a step budget.

import type { Operation } from './history.js';
import { isObservation, prepareKey, step, type KvState } from './kv-model.js';
import { EntryList, Linearized } from './search-state.js';

/** What the deepest dead end of a failed search looked like, for explanations. */
export interface SearchTrace {
  /** The longest sequence of ops the search managed to linearize, in order. */
  readonly order: readonly Operation[];
  /** The state after `order`. */
  readonly state: KvState;
  /** The op that had to be linearized next (its completion came up) but could not be. */
  readonly blocked: Operation | null;
}

export interface SearchOutcome {
  readonly kind: 'linearizable' | 'not-linearizable' | 'budget-exceeded';
  /** Search steps taken: one per list entry visited or backtrack. */
  readonly steps: number;
  /**
   * Set for 'not-linearizable': the latest completion time at which the search got stuck.
   * The history is usually already not linearizable when ended there.
   */
  readonly horizon?: number;
  /** Set for 'not-linearizable' when the search was asked to trace. */
  readonly trace?: SearchTrace;
}

const FRESH = -2; // "at a node just reached": look for a forced move before branching

/**
 * One depth-first search. A node is a configuration (linearized ops, state); its children
 * linearize one more op whose call precedes the first pending return. When a pending
 * observation (ok read, failed cas/delete) is consistent with the state it is taken as the
 * only child: an op that changes nothing can be moved to the front of any valid
 * continuation, so if that child fails, the node fails.
 */
class Search {
  private readonly all: readonly Operation[];
  private readonly definite: number;
  private readonly observes: Uint8Array;
  private readonly list: EntryList;
  private readonly linearized: Linearized;
  private readonly seen = new Set<string>();
  private readonly stackEntry: Int32Array;
  private readonly stackForced: Uint8Array;
  private readonly stackState: KvState[] = [];
  private depth = 0;
  private state: KvState = null;
  private remaining: number;
  private steps = 0;
  private best = { depth: -1, order: [] as Operation[], state: null as KvState, op: -1 };
  private horizon = -Infinity;

  constructor(
    ops: readonly Operation[],
    private readonly stepsMax: number,
    private readonly wantTrace: boolean,
    initial: KvState,
  ) {
    this.state = initial;
    const prepared = prepareKey(ops);
    this.all = prepared.ops;
    this.definite = prepared.definite;
    this.remaining = prepared.definite;
    this.observes = Uint8Array.from(this.all, (op) => (isObservation(op) ? 1 : 0));
    this.list = new EntryList(prepared);
    this.linearized = new Linearized(this.definite, this.all.length);
    this.stackEntry = new Int32Array(this.all.length);
    this.stackForced = new Uint8Array(this.all.length);
  }

  run(): SearchOutcome {
    const { list } = this;
    let entry = FRESH;
    while (this.remaining > 0) {
      if (++this.steps > this.stepsMax) return { kind: 'budget-exceeded', steps: this.stepsMax };
      if (entry === FRESH) {
        const forced = this.forcedMove();
        if (forced < 0) entry = list.next[0];
        else if (!this.push(forced, true)) entry = this.backtrack();
        if (entry === -1) return this.failed();
        continue;
      }
      if (entry < 0) throw new Error('search ran off the entry list with ops left to linearize');
      if (list.isCall[entry] === 1) {
        entry = this.push(entry, false) ? FRESH : list.next[entry];
        continue;
      }
      this.noteDeadEnd(list.opOf[entry]);
      entry = this.backtrack();
      if (entry === -1) return this.failed();
    }
    return { kind: 'linearizable', steps: this.steps };
  }

  /** A pending observation consistent with the state, or -1. Counts the entries it visits. */
  private forcedMove(): number {
    const { list } = this;
    for (let entry = list.next[0]; entry >= 0 && list.isCall[entry] === 1; ) {
      const op = list.opOf[entry];
      if (this.observes[op] === 1 && step(this.state, this.all[op]).ok) return entry;
      entry = list.next[entry];
      this.steps++;
    }
    return -1;
  }

  /** Linearizes the op of call `entry` unless inconsistent or already explored. */
  private push(entry: number, forced: boolean): boolean {
    const op = this.list.opOf[entry];
    const result = step(this.state, this.all[op]);
    if (!result.ok) return false;
    this.linearized.add(op);
    const key = this.linearized.key(result.next);
    if (this.seen.has(key)) {
      this.linearized.remove(op);
      return false;
    }
    this.seen.add(key);
    this.stackEntry[this.depth] = entry;
    this.stackForced[this.depth] = forced ? 1 : 0;
    this.stackState[this.depth++] = this.state;
    this.state = result.next;
    this.list.lift(entry);
    if (op < this.definite) this.remaining--;
    return true;
  }

  /**
   * Undoes moves up to and including the latest branching one; returns the entry after it,
   * where its node's next child is, or -1 when no branching move is left (no linearization).
   */
  private backtrack(): number {
    while (this.depth > 0) {
      const entry = this.stackEntry[--this.depth];
      const op = this.list.opOf[entry];
      this.state = this.stackState[this.depth];
      this.linearized.remove(op);
      this.list.unlift(entry);
      if (op < this.definite) this.remaining++;
      if (this.stackForced[this.depth] === 0) return this.list.next[entry];
    }
    return -1;
  }

  /** Remembers the deepest dead end: the op whose completion could not be met there. */
  private noteDeadEnd(op: number): void {
    this.horizon = Math.max(this.horizon, this.all[op].completeTime ?? -Infinity);
    if (!this.wantTrace || this.depth <= this.best.depth) return;
    const order = Array.from(this.stackEntry.subarray(0, this.depth), (e) => {
      return this.all[this.list.opOf[e]];
    });
    this.best = { depth: this.depth, order, state: this.state, op };
  }

  private failed(): SearchOutcome {
    const { steps, horizon } = this;
    if (!this.wantTrace) return { kind: 'not-linearizable', steps, horizon };
    const { order, state, op } = this.best;
    const trace = { order, state, blocked: this.all[op] ?? null };
    return { kind: 'not-linearizable', steps, horizon, trace };
  }
}

/**
 * Searches for a linearization of one key's ops (all of `ops` must share a key), starting
 * from `initial` (absent by default). Definite ops must all be linearized within
 * [invoke, complete]; 'unknown' ops may be linearized any time after their invoke, or left
 * out. Gives up after `stepsMax` steps.
 */
export function searchKey(
  ops: readonly Operation[],
  stepsMax: number,
  wantTrace = false,
  initial: KvState = null,
): SearchOutcome {
  return new Search(ops, stepsMax, wantTrace, initial).run();
}
