// WatchHub through the store: delivery order for one-shot, recursive and stream watchers,
// hidden keys, past indexes, backpressure and its bound, the watcher limit, and endings.

import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  V2Error,
  V2Event,
  Watcher,
  type WatchDelivery,
  type WatchOptions,
} from '../../src/store/v2/index.js';
import { asError, asEvent, Driver } from './v2-helpers.js';

/** Registers a watcher that logs `label:key@index` (or `label:error code`) into `log`. */
function watch(d: Driver, log: string[], label: string, options: WatchOptions): Watcher {
  const watcher = d.store.watch(options, (delivery: WatchDelivery) => {
    log.push(
      delivery instanceof V2Error
        ? `${label}:error ${delivery.errorCode}`
        : `${label}:${delivery.key}@${delivery.index}`,
    );
  });
  if (watcher instanceof V2Error) throw new Error(`watch failed: ${watcher.json}`);
  return watcher;
}

describe('watch hub: delivery', () => {
  it('watch hub: one-shot watchers get one event each, in registration order, then leave', () => {
    const d = new Driver();
    const log: string[] = [];
    watch(d, log, 'root', { path: '/', recursive: true });
    watch(d, log, 'exact', { path: '/a/b' });
    watch(d, log, 'parent', { path: '/a', recursive: true });
    watch(d, log, 'plainParent', { path: '/a' });
    expect(d.store.watcherCount).toBe(4);
    d.put('/a/b', { value: '1' });
    d.put('/a/b', { value: '2' });
    expect(log).toEqual(['root:/a/b@1', 'exact:/a/b@1', 'parent:/a/b@1']);
    expect(d.store.watcherCount).toBe(1); // the non-recursive watcher on /a saw nothing
  });

  it('watch hub: stream watchers stay and see every matching event in order', () => {
    const d = new Driver();
    const log: string[] = [];
    watch(d, log, 's', { path: '/a', recursive: true, stream: true });
    watch(d, log, 'one', { path: '/a/x' });
    d.put('/a/x', { value: '1' });
    d.put('/b', { value: '1' });
    d.put('/a/y', { value: '1' });
    d.del('/a', { recursive: true });
    expect(log).toEqual(['s:/a/x@1', 'one:/a/x@1', 's:/a/y@3', 's:/a@4']);
    expect(d.store.watcherCount).toBe(1);
  });

  it('watch hub: hidden keys below the watched key are not delivered live', () => {
    const d = new Driver();
    const log: string[] = [];
    watch(d, log, 'h', { path: '/h', recursive: true, stream: true });
    watch(d, log, 'own', { path: '/h/_new' });
    watch(d, log, 'inside', { path: '/h/_new2', recursive: true });
    d.put('/h/_new', { value: '1' });
    d.put('/h/sub/_q', { value: '1' });
    d.put('/h/_new2/deep', { value: '1' });
    d.put('/h/sub/vv', { value: '1' });
    expect(log).toEqual(['own:/h/_new@1', 'inside:/h/_new2/deep@3', 'h:/h/sub/vv@4']);
  });

  it('watch hub: deleting a directory wakes watchers of keys that were in it, with its key', () => {
    const d = new Driver();
    d.put('/pd/k', { value: '1' });
    d.put('/pd/a/_b', { value: '1' });
    const log: string[] = [];
    watch(d, log, 'k', { path: '/pd/k' });
    watch(d, log, 'missing', { path: '/pd/k/zz' }); // etcd: a key not in the tree is not woken
    watch(d, log, 'sibling', { path: '/pdx' });
    watch(d, log, 'dirRecursive', { path: '/pd/a', recursive: true });
    watch(d, log, 'hidden', { path: '/pd/a/_b' });
    d.del('/pd', { recursive: true });
    expect(log).toEqual(['k:/pd@3', 'dirRecursive:/pd@3', 'hidden:/pd@3']);
    // History is wider: a past wait on any key below the directory finds the removal.
    watch(d, log, 'past', { path: '/pd/k/zz', sinceIndex: 3 });
    expect(log.at(-1)).toBe('past:/pd@3');
  });

  it('watch hub: a past sinceIndex is answered from history before watch returns', () => {
    const d = new Driver();
    d.put('/a', { value: '1' });
    d.put('/b', { value: '1' });
    const log: string[] = [];
    const watcher = watch(d, log, 'w', { path: '/b', sinceIndex: 1 });
    expect(log).toEqual(['w:/b@2']);
    expect(watcher.ended).toBe(true);
    expect(d.store.watcherCount).toBe(0);
  });

  it('watch hub: a stream from a past index replays every match, then goes live', () => {
    const d = new Driver();
    d.put('/s/a', { value: '1' });
    d.put('/t', { value: '1' });
    d.put('/s/b', { value: '1' });
    const log: string[] = [];
    watch(d, log, 's', { path: '/s', recursive: true, stream: true, sinceIndex: 1 });
    d.put('/s/c', { value: '1' });
    expect(log).toEqual(['s:/s/a@1', 's:/s/b@3', 's:/s/c@4']);
  });

  it('watch hub: a future sinceIndex waits for a change at or after it', () => {
    const d = new Driver();
    const log: string[] = [];
    watch(d, log, 'w', { path: '/a', sinceIndex: 3 });
    d.put('/a', { value: '1' });
    d.put('/a', { value: '2' });
    expect(log).toEqual([]);
    d.put('/a', { value: '3' });
    expect(log).toEqual(['w:/a@3']);
  });

  it('watch hub: every watcher of one change gets the same event object', () => {
    const d = new Driver();
    const seen: WatchDelivery[] = [];
    for (let i = 0; i < 3; i++) d.store.watch({ path: '/a' }, (e) => void seen.push(e));
    d.put('/a', { value: '1' });
    expect(new Set(seen).size).toBe(1);
    const event = seen[0] as V2Event;
    expect(event.json).toBe(event.json);
    expect(JSON.parse(event.json)).toEqual(event.toJSON());
  });
});

describe('watch hub: limits and endings', () => {
  it('watch hub: backpressure queues events until resume, in order', () => {
    const d = new Driver();
    const log: string[] = [];
    let accept = false;
    const watcher = d.store.watch({ path: '/a', stream: true }, (e) => {
      log.push(`${(e as V2Event).index}`);
      return accept;
    }) as Watcher;
    d.put('/a', { value: '1' });
    d.put('/a', { value: '2' });
    d.put('/a', { value: '3' });
    expect(log).toEqual(['1']);
    expect(watcher.pendingCount).toBe(2);
    accept = true;
    watcher.resume();
    expect(log).toEqual(['1', '2', '3']);
    expect(watcher.pendingCount).toBe(0);
  });

  it('watch hub: a stream past streamPendingEventsMax is ended with a lagging error', () => {
    const d = new Driver({ streamPendingEventsMax: 2 });
    const deliveries: WatchDelivery[] = [];
    const watcher = d.store.watch({ path: '/a', stream: true }, (e) => {
      deliveries.push(e);
      return false;
    }) as Watcher;
    for (let i = 1; i <= 4; i++) d.put('/a', { value: String(i) });
    expect(deliveries).toHaveLength(2);
    const error = asError(deliveries[1] as V2Error, ErrorCode.WatcherLagging);
    expect(error.cause).toBe(
      'stream watcher on /a fell behind: 2 events pending, streamPendingEventsMax 2',
    );
    expect(watcher.ended).toBe(true);
    expect(d.store.watcherCount).toBe(0);
    d.put('/a', { value: '5' });
    expect(deliveries).toHaveLength(2);
  });

  it('watch hub: watchersMax refuses one more watcher with a clear error', () => {
    const d = new Driver({ watchersMax: 2 });
    d.put('/a', { value: '1' });
    d.store.watch({ path: '/a' }, () => undefined);
    d.store.watch({ path: '/b', stream: true }, () => undefined);
    const refused = d.store.watch({ path: '/c' }, () => undefined);
    const error = asError(refused as V2Error, ErrorCode.WatchersLimit);
    expect(error.json).toBe(
      '{"errorCode":901,"message":"Too many watchers",' +
        '"cause":"2 watchers registered, watchersMax 2","index":1}',
    );
    expect(error.httpStatus).toBe(503);
    // Answered from history: needs no slot.
    expect(d.store.watch({ path: '/a', sinceIndex: 1 }, () => undefined)).toBeInstanceOf(Watcher);
    d.put('/a', { value: '2' });
    expect(d.store.watch({ path: '/c' }, () => undefined)).toBeInstanceOf(Watcher);
  });

  it('watch hub: cancel stops deliveries and frees the slot', () => {
    const d = new Driver();
    const log: string[] = [];
    const watcher = watch(d, log, 'w', { path: '/a', stream: true });
    d.put('/a', { value: '1' });
    watcher.cancel();
    d.put('/a', { value: '2' });
    expect(log).toEqual(['w:/a@1']);
    expect(d.store.watcherCount).toBe(0);
  });

  it('watch hub: restore ends every watcher with 400 watcher cleared', () => {
    const d = new Driver();
    d.put('/a', { value: '1' });
    const image = d.store.snapshot();
    const log: string[] = [];
    watch(d, log, 'one', { path: '/a' });
    watch(d, log, 'stream', { path: '/', recursive: true, stream: true });
    d.store.restore(image, 1);
    expect(log).toEqual(['one:error 400', 'stream:error 400']);
    expect(d.store.watcherCount).toBe(0);
    d.logIndex = 1;
    asEvent(d.put('/a', { value: '2' }));
    expect(log).toHaveLength(2);
  });
});
