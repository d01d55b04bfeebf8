// WatchHub: the member-local watchers of the v2 keyspace. Registers (key, recursive,
// sinceIndex, stream) watchers, serves past events from the EventHistory, and hands each
// applied event to matching watchers in registration order. Bounded: watchersMax watchers,
// streamPendingEventsMax queued events per stream. Not replicated state; imports watcher,
// v2-event, event-history, key-path, v2-error and src/lib only.

import { assert } from '../../lib/assert.js';
import type { EventHistory } from './event-history.js';
import { isHiddenBelow, isNormalKey, parentKey, rootKey } from './key-path.js';
import { ErrorCode, V2Error } from './v2-error.js';
import type { V2Event } from './v2-event.js';
import { Watcher, type WatchCallback, type WatcherHost } from './watcher.js';

export const watchersMaxDefault = 10_000;
export const streamPendingEventsMaxDefault = 1_000;

export interface WatchHubLimits {
  /** Watchers registered at once; one more is refused with WatchersLimit. */
  readonly watchersMax: number;
  /** Events queued for a stream whose consumer is behind; one more ends it (WatcherLagging). */
  readonly streamPendingEventsMax: number;
}

export interface WatchRequest {
  /** A normal key (see normalizeKey). */
  readonly key: string;
  readonly recursive: boolean;
  /** The first etcd index wanted (waitIndex); 0 means "the next change". */
  readonly sinceIndex: number;
  /** True for a stream (etcd's stream=true): it stays after each event. */
  readonly stream: boolean;
}

export class WatchHub implements WatcherHost {
  readonly limits: WatchHubLimits;
  /** Registered watchers by watched key. Invariant: no empty set is kept. */
  private readonly byKey = new Map<string, Set<Watcher>>();
  private registered = 0;
  private nextId = 1;

  constructor(limits: Partial<WatchHubLimits> = {}) {
    this.limits = {
      watchersMax: limits.watchersMax ?? watchersMaxDefault,
      streamPendingEventsMax: limits.streamPendingEventsMax ?? streamPendingEventsMaxDefault,
    };
    assert(this.limits.watchersMax >= 1, 'watchersMax >= 1');
    assert(this.limits.streamPendingEventsMax >= 1, 'streamPendingEventsMax >= 1');
  }

  /** Watchers registered now (one-shot watchers answered from history never are). */
  get count(): number {
    return this.registered;
  }

  /**
   * Starts a watch at etcd index `currentIndex`. A past `sinceIndex` is served from `history`
   * first: a one-shot watcher that finds its event gets it before add returns (and is never
   * registered); a stream gets every past match in order, then live events. Errors: 401 when
   * history was cleared at sinceIndex; WatchersLimit when watchersMax watchers are registered.
   * `callback` must not throw.
   */
  add(
    request: WatchRequest,
    currentIndex: number,
    history: EventHistory,
    callback: WatchCallback,
  ): Watcher | V2Error {
    assert(isNormalKey(request.key), () => `watch key ${request.key} is not normal`);
    assert(Number.isSafeInteger(request.sinceIndex) && request.sinceIndex >= 0, 'sinceIndex >= 0');
    const past = request.sinceIndex > 0 && request.sinceIndex <= currentIndex;
    const scope = { key: request.key, recursive: request.recursive };
    let backlog: V2Event[] = [];
    if (past) {
      const found = request.stream
        ? history.scanAll(scope, request.sinceIndex, currentIndex)
        : history.scan(scope, request.sinceIndex, currentIndex);
      if (found instanceof V2Error) return found;
      if (found !== null && !Array.isArray(found)) {
        const answered = this.create(request, currentIndex, callback);
        answered.offer(found);
        return answered;
      }
      backlog = found ?? [];
    }
    if (this.registered >= this.limits.watchersMax) {
      const max = this.limits.watchersMax;
      const cause = `${this.registered} watchers registered, watchersMax ${max}`;
      return new V2Error(ErrorCode.WatchersLimit, cause, currentIndex);
    }
    const watcher = this.create(request, currentIndex, callback);
    this.register(watcher);
    for (const event of backlog) watcher.offer(event);
    return watcher;
  }

  /**
   * Hands an applied change to every watcher that sees it, in registration order: watchers of
   * its key; recursive watchers above it, unless a hidden component lies between; and, for a
   * removal, watchers of every key that left the tree with it (`removedKeys`), as etcd does.
   */
  notify(event: V2Event, removedKeys: readonly string[]): void {
    assert(event.action !== 'get', 'watchers are not told of reads');
    assert(removedKeys.length === 0 || removedKeys[0] === event.key, 'removed keys start at key');
    const candidates = new Set<Watcher>(this.byKey.get(event.key));
    for (let key = event.key; key !== rootKey; ) {
      key = parentKey(key);
      if (isHiddenBelow(key, event.key)) continue;
      for (const watcher of this.byKey.get(key) ?? []) {
        if (watcher.recursive) candidates.add(watcher);
      }
    }
    for (const key of removedKeys) {
      for (const watcher of this.byKey.get(key) ?? []) candidates.add(watcher);
    }
    const ordered = [...candidates].sort((a, b) => a.id - b.id);
    for (const watcher of ordered) watcher.offer(event);
  }

  /** Ends every watcher with `error` (as etcd does when its store is replaced). */
  endAll(error: V2Error): void {
    const all = [...this.byKey.values()].flatMap((set) => [...set]).sort((a, b) => a.id - b.id);
    for (const watcher of all) watcher.end(error);
    assert(this.registered === 0, () => `${this.registered} watchers left after endAll`);
  }

  /** WatcherHost: called by a watcher that ends or is cancelled. */
  unregister(watcher: Watcher): void {
    const set = this.byKey.get(watcher.key);
    if (set === undefined || !set.delete(watcher)) return;
    if (set.size === 0) this.byKey.delete(watcher.key);
    this.registered--;
    assert(this.registered >= 0, 'watcher count >= 0');
  }

  private create(request: WatchRequest, currentIndex: number, callback: WatchCallback): Watcher {
    const fromIndex = request.sinceIndex > 0 ? request.sinceIndex : currentIndex + 1;
    return new Watcher(this, {
      id: this.nextId++,
      key: request.key,
      recursive: request.recursive,
      stream: request.stream,
      fromIndex,
      pendingEventsMax: this.limits.streamPendingEventsMax,
      callback,
    });
  }

  private register(watcher: Watcher): void {
    let set = this.byKey.get(watcher.key);
    if (set === undefined) {
      set = new Set();
      this.byKey.set(watcher.key, set);
    }
    set.add(watcher);
    this.registered++;
    assert(this.registered <= this.limits.watchersMax, 'watchers <= watchersMax');
  }
}
