// The two mutable structures of the linearization search (search.ts): EntryList, the
// call/return entries of one key's ops as a dancing-links list, and Linearized, the set of
// linearized ops as bitsets with an exact, window-sized memo key.

import type { KvState, PreparedKey } from './kv-model.js';

/**
 * Call and return entries in time order, as a doubly linked list with a sentinel head (0).
 * Definite ops have both; optional ops only a call, since their return is at +infinity.
 * At equal times calls come first: ops that merely touch are taken as concurrent.
 */
export class EntryList {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly opOf: Int32Array;
  readonly isCall: Uint8Array;
  private readonly returnOf: Int32Array;

  constructor(prepared: PreparedKey) {
    const { ops, definite } = prepared;
    const events: { time: number; call: boolean; op: number }[] = [];
    ops.forEach((op, i) => {
      events.push({ time: op.invokeTime, call: true, op: i });
      if (i < definite) events.push({ time: op.completeTime ?? Infinity, call: false, op: i });
    });
    events.sort((a, b) => a.time - b.time || Number(b.call) - Number(a.call) || a.op - b.op);
    const size = events.length + 1;
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.opOf = new Int32Array(size).fill(-1);
    this.isCall = new Uint8Array(size);
    this.returnOf = new Int32Array(ops.length).fill(-1);
    events.forEach((event, k) => {
      const entry = k + 1;
      this.opOf[entry] = event.op;
      this.isCall[entry] = event.call ? 1 : 0;
      if (!event.call) this.returnOf[event.op] = entry;
    });
    for (let entry = 0; entry < size; entry++) {
      this.prev[entry] = entry - 1;
      this.next[entry] = entry + 1 < size ? entry + 1 : -1;
    }
  }

  /** Takes a call entry and its op's return entry out of the list. */
  lift(call: number): void {
    this.unlink(call);
    const ret = this.returnOf[this.opOf[call]];
    if (ret >= 0) this.unlink(ret);
  }

  /** Undoes the most recent lift() not yet undone, which must be of `call`. */
  unlift(call: number): void {
    const ret = this.returnOf[this.opOf[call]];
    if (ret >= 0) this.relink(ret);
    this.relink(call);
  }

  private unlink(entry: number): void {
    const before = this.prev[entry];
    const after = this.next[entry];
    this.next[before] = after;
    if (after >= 0) this.prev[after] = before;
  }

  private relink(entry: number): void {
    const before = this.prev[entry];
    const after = this.next[entry];
    this.next[before] = entry;
    if (after >= 0) this.prev[after] = entry;
  }
}

/**
 * The set of linearized ops as two bitsets (definite ops, optional ops), kept so that a
 * short exact memo key can be made in time proportional to the concurrency window: every
 * definite op below `low` is linearized, none above `high`. add/remove nest like a stack.
 */
export class Linearized {
  private readonly definiteBits: Uint32Array;
  private readonly optionalBits: Uint32Array;
  private readonly frames: Int32Array;
  private depth = 0;
  private low = 0;
  private high = -1;
  private optionalHigh = -1;

  constructor(
    private readonly definite: number,
    total: number,
  ) {
    this.definiteBits = new Uint32Array((definite >>> 5) + 1);
    this.optionalBits = new Uint32Array(((total - definite) >>> 5) + 1);
    this.frames = new Int32Array(3 * (total + 1));
  }

  add(op: number): void {
    const f = 3 * this.depth++;
    this.frames[f] = this.low;
    this.frames[f + 1] = this.high;
    this.frames[f + 2] = this.optionalHigh;
    if (op < this.definite) {
      this.definiteBits[op >>> 5] |= 1 << (op & 31);
      if (op > this.high) this.high = op;
      while (this.low < this.definite && this.hasDefinite(this.low)) this.low++;
    } else {
      const j = op - this.definite;
      this.optionalBits[j >>> 5] |= 1 << (j & 31);
      if (j > this.optionalHigh) this.optionalHigh = j;
    }
  }

  remove(op: number): void {
    if (op < this.definite) {
      this.definiteBits[op >>> 5] &= ~(1 << (op & 31));
    } else {
      const j = op - this.definite;
      this.optionalBits[j >>> 5] &= ~(1 << (j & 31));
    }
    const f = 3 * --this.depth;
    this.low = this.frames[f];
    this.high = this.frames[f + 1];
    this.optionalHigh = this.frames[f + 2];
  }

  /** An exact key for (this set, state): equal keys iff equal sets and equal states. */
  key(state: KvState): string {
    let key = `${this.low}:`;
    for (let w = this.low >>> 5; w <= this.high >>> 5 && this.high >= this.low; w++) {
      key += `${this.definiteBits[w].toString(36)},`;
    }
    key += '/';
    for (let w = 0; w <= this.optionalHigh >>> 5 && this.optionalHigh >= 0; w++) {
      key += `${this.optionalBits[w].toString(36)},`;
    }
    return state === null ? `${key}#` : `${key}=${state}`;
  }

  private hasDefinite(op: number): boolean {
    return (this.definiteBits[op >>> 5] & (1 << (op & 31))) !== 0;
  }
}
