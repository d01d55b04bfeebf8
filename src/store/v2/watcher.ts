// One watcher of the v2 keyspace: a one-shot watcher takes one event and ends; a stream keeps
// taking events, queueing them while its consumer reports backpressure, and is ended with a
// WatcherLagging error once the queue would pass its bound. Imports v2-event, v2-error and
// src/lib only; the hub reaches it through WatcherHost.

import { assert } from '../../lib/assert.js';
import { ErrorCode, V2Error } from './v2-error.js';
import type { V2Event } from './v2-event.js';

/** What a watcher receives: events, and at most one error, which ends it. */
export type WatchDelivery = V2Event | V2Error;

/**
 * Takes one delivery. A stream's callback returns false when its consumer cannot take more
 * now (like a stream's write() returning false); the watcher then queues until resume().
 * Must not throw.
 */
export type WatchCallback = (delivery: WatchDelivery) => boolean | void;

export interface WatcherHost {
  unregister(watcher: Watcher): void;
}

export interface WatcherOptions {
  readonly id: number;
  readonly key: string;
  readonly recursive: boolean;
  readonly stream: boolean;
  /** Events with a smaller index are not delivered. */
  readonly fromIndex: number;
  readonly pendingEventsMax: number;
  readonly callback: WatchCallback;
}

export class Watcher {
  readonly id: number;
  readonly key: string;
  readonly recursive: boolean;
  readonly stream: boolean;
  private readonly host: WatcherHost;
  private readonly callback: WatchCallback;
  private readonly pendingEventsMax: number;
  /** Invariant: every event delivered or queued from now on has index >= nextIndex. */
  private nextIndex: number;
  private readonly pending: V2Event[] = [];
  private paused = false;
  private isEnded = false;

  constructor(host: WatcherHost, options: WatcherOptions) {
    assert(options.fromIndex >= 1, () => `watcher fromIndex ${options.fromIndex} < 1`);
    assert(options.pendingEventsMax >= 1, 'pendingEventsMax >= 1');
    this.host = host;
    this.id = options.id;
    this.key = options.key;
    this.recursive = options.recursive;
    this.stream = options.stream;
    this.nextIndex = options.fromIndex;
    this.pendingEventsMax = options.pendingEventsMax;
    this.callback = options.callback;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** Events queued behind a consumer that reported backpressure. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Hub side: one event this watcher sees (already matched). */
  offer(event: V2Event): void {
    if (this.isEnded || event.index < this.nextIndex) return;
    this.nextIndex = event.index + 1;
    if (!this.stream) {
      this.finish();
      this.callback(event);
      return;
    }
    if (this.paused || this.pending.length > 0) {
      if (this.pending.length >= this.pendingEventsMax) {
        const cause =
          `stream watcher on ${this.key} fell behind: ${this.pending.length} events pending, ` +
          `streamPendingEventsMax ${this.pendingEventsMax}`;
        this.end(new V2Error(ErrorCode.WatcherLagging, cause, event.index));
        return;
      }
      this.pending.push(event);
      return;
    }
    if (this.callback(event) === false) this.paused = true;
  }

  /** Consumer side: it drained; delivers queued events until it pushes back again. */
  resume(): void {
    if (this.isEnded) return;
    this.paused = false;
    while (!this.paused && !this.isEnded && this.pending.length > 0) {
      const event = this.pending.shift()!;
      if (this.callback(event) === false) this.paused = true;
    }
  }

  /** Consumer side: the client went away. No further callbacks. */
  cancel(): void {
    if (this.isEnded) return;
    this.finish();
  }

  /** Ends the watcher with `error`, its last delivery (queued events are dropped). */
  end(error: V2Error): void {
    if (this.isEnded) return;
    this.finish();
    this.callback(error);
  }

  private finish(): void {
    this.isEnded = true;
    this.pending.length = 0;
    this.host.unregister(this);
  }
}
