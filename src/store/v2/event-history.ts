// The last `capacity` events across the whole store (etcd keeps 1,000), oldest first, for
// watches that start in the past (waitIndex). Scans return the first matching event at or
// after an index, or 401 once the history has dropped events at that index. Imports v2-event,
// v2-error and src/lib only.

import { assert } from '../../lib/assert.js';
import { ErrorCode, V2Error } from './v2-error.js';
import { eventMatches, type V2Event, type WatchScope } from './v2-event.js';

export const historyEventsMaxDefault = 1000;

export class EventHistory {
  readonly capacity: number;
  /** A ring: the oldest event is at `first`; `length` events are held. */
  private readonly slots: (V2Event | undefined)[];
  private first = 0;
  private count = 0;
  /** The index of the newest event dropped to make room (0 while none was). */
  private droppedIndex = 0;

  constructor(capacity = historyEventsMaxDefault) {
    assert(Number.isSafeInteger(capacity), () => `history capacity ${capacity} is not whole`);
    assert(capacity >= 1, () => `history capacity ${capacity} < 1`);
    this.capacity = capacity;
    this.slots = new Array<V2Event | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.count;
  }

  /** The index of the oldest event held (0 when empty). */
  get startIndex(): number {
    return this.count === 0 ? 0 : this.at(0).index;
  }

  /** The index of the newest event held (0 when empty). */
  get lastIndex(): number {
    return this.count === 0 ? 0 : this.at(this.count - 1).index;
  }

  /** The newest dropped event's index: waits from at or below it get 401 (0: none dropped). */
  get clearedIndex(): number {
    return this.droppedIndex;
  }

  /** Appends a change; returns the event dropped to make room, if one was. */
  add(event: V2Event): V2Event | undefined {
    assert(event.action !== 'get', 'a get is not a change');
    assert(event.index > this.lastIndex, () => `event ${event.index} <= last ${this.lastIndex}`);
    assert(event.index > this.droppedIndex, 'event index after the dropped ones');
    let dropped: V2Event | undefined;
    if (this.count === this.capacity) {
      dropped = this.at(0);
      this.droppedIndex = dropped.index;
      this.slots[this.first] = undefined;
      this.first = (this.first + 1) % this.capacity;
      this.count--;
    }
    this.slots[(this.first + this.count) % this.capacity] = event;
    this.count++;
    assert(this.count <= this.capacity, 'history over capacity');
    return dropped;
  }

  /**
   * The first event at or after `sinceIndex` that a watcher on `scope` sees (hidden keys
   * included, as etcd's history does), null when none is held yet, or 401 when events at
   * `sinceIndex` were dropped. `currentIndex` is the store's etcd index, for the error.
   */
  scan(scope: WatchScope, sinceIndex: number, currentIndex: number): V2Event | null | V2Error {
    const cleared = this.checkCleared(sinceIndex, currentIndex);
    if (cleared !== null) return cleared;
    for (let i = this.firstAtOrAfter(sinceIndex); i < this.count; i++) {
      const event = this.at(i);
      if (eventMatches(event, scope)) return event;
    }
    return null;
  }

  /** Every held event at or after `sinceIndex` that `scope` sees, oldest first, or 401. */
  scanAll(scope: WatchScope, sinceIndex: number, currentIndex: number): V2Event[] | V2Error {
    const cleared = this.checkCleared(sinceIndex, currentIndex);
    if (cleared !== null) return cleared;
    const found: V2Event[] = [];
    for (let i = this.firstAtOrAfter(sinceIndex); i < this.count; i++) {
      const event = this.at(i);
      if (eventMatches(event, scope)) found.push(event);
    }
    return found;
  }

  /** The held event with exactly this index, if any. */
  find(index: number): V2Event | undefined {
    const position = this.firstAtOrAfter(index);
    if (position >= this.count) return undefined;
    const event = this.at(position);
    return event.index === index ? event : undefined;
  }

  /** The held events, oldest first. */
  events(): V2Event[] {
    const out: V2Event[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.at(i));
    return out;
  }

  /** Rebuilds a history from its events (oldest first) and its cleared index. */
  static from(capacity: number, clearedIndex: number, events: readonly V2Event[]): EventHistory {
    assert(events.length <= capacity, () => `${events.length} events > capacity ${capacity}`);
    const history = new EventHistory(capacity);
    for (const event of events) history.add(event);
    assert(clearedIndex < (events[0]?.index ?? Infinity), 'cleared index before the oldest event');
    history.droppedIndex = clearedIndex;
    return history;
  }

  private checkCleared(sinceIndex: number, currentIndex: number): V2Error | null {
    assert(sinceIndex >= 1, () => `history scan from ${sinceIndex} < 1`);
    if (this.droppedIndex === 0 || sinceIndex >= this.startIndexOrNext()) return null;
    const start = this.startIndexOrNext();
    const cause = `the requested history has been cleared [${start}/${sinceIndex}]`;
    return new V2Error(ErrorCode.EventIndexCleared, cause, currentIndex);
  }

  /** The oldest index still answerable: the oldest held event, or the one after the dropped. */
  private startIndexOrNext(): number {
    return this.count === 0 ? this.droppedIndex + 1 : this.startIndex;
  }

  /** The position of the first held event with index >= sinceIndex (binary search). */
  private firstAtOrAfter(sinceIndex: number): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).index < sinceIndex) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private at(position: number): V2Event {
    assert(position >= 0 && position < this.count, () => `history position ${position}`);
    const event = this.slots[(this.first + position) % this.capacity];
    assert(event !== undefined, () => `history slot ${position} is empty`);
    return event;
  }
}
