// A bounded window of append messages in flight to one follower, by the last index each
// carried. Callers check full() before add(); add() on a full window is a bug.
// Imports only src/lib.
import { assert } from '../lib/assert.js';

export class Inflights {
  private readonly lastIndexes: number[] = [];

  constructor(readonly messagesMax: number) {
    assert(messagesMax >= 1, `inflight messagesMax ${messagesMax} < 1`);
  }

  get count(): number {
    return this.lastIndexes.length;
  }

  full(): boolean {
    return this.lastIndexes.length >= this.messagesMax;
  }

  add(lastIndex: number): void {
    assert(!this.full(), () => `inflights full at ${this.messagesMax}`);
    const previous = this.lastIndexes[this.lastIndexes.length - 1];
    assert(previous === undefined || lastIndex > previous, () =>
      `inflight ${lastIndex} not above previous ${previous}`);
    this.lastIndexes.push(lastIndex);
  }

  /** Frees every message whose entries are all acknowledged by `index`. */
  freeUpTo(index: number): void {
    let drop = 0;
    while (drop < this.lastIndexes.length && (this.lastIndexes[drop] as number) <= index) drop++;
    if (drop > 0) this.lastIndexes.splice(0, drop);
  }

  freeFirstOne(): void {
    this.lastIndexes.shift();
  }

  reset(): void {
    this.lastIndexes.length = 0;
  }
}
