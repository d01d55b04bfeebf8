// TTLs in the v2 store: expiration and ttl fields, clearing, refresh (invisible to history and
// watchers), and expiry decided by the leader through expiredKeys and expire commands.

import { describe, expect, it } from 'vitest';
import { ErrorCode, V2Error, type WatchDelivery } from '../../src/store/v2/index.js';
import { asError, asEvent, causeOf, Driver, t0 } from './v2-helpers.js';

describe('v2 store: ttl fields', () => {
  it('v2 store: ttl: set with ttl shows RFC 3339 expiration and whole ttl seconds', () => {
    const d = new Driver();
    expect(asEvent(d.put('/t', { value: '1', ttlSeconds: 100 })).json).toBe(
      '{"action":"set","node":{"key":"/t","value":"1","expiration":"2026-11-25T12:01:40Z",' +
        '"ttl":100,"modifiedIndex":1,"createdIndex":1}}',
    );
    d.timeMs = t0 + 120;
    expect(asEvent(d.put('/u', { value: '1', ttlSeconds: 5 })).node.expiration).toBe(
      '2026-11-25T12:00:05.12Z',
    );
  });

  it('v2 store: ttl: reads count down, rounding up, and leave ttl out once expired', () => {
    const d = new Driver();
    d.put('/t', { value: '1', ttlSeconds: 3 });
    const expiration = t0 + 3000;
    const ttlAt = (nowMs: number) => asEvent(d.get('/t', { nowMs })).node.ttl;
    expect(ttlAt(expiration - 2163)).toBe(3);
    expect(ttlAt(expiration - 1766)).toBe(2);
    expect(ttlAt(expiration - 154)).toBe(1);
    expect(ttlAt(expiration)).toBeUndefined();
    const late = asEvent(d.get('/t', { nowMs: expiration + 238 })).node;
    expect(late.expiration).toBe('2026-11-25T12:00:03Z');
    expect(late.ttl).toBeUndefined();
  });

  it('v2 store: ttl: ttl=0 sets expiration to now without a ttl field, expired at once', () => {
    const d = new Driver();
    const node = asEvent(d.put('/t', { value: '3', ttlSeconds: 0 })).node;
    expect(node.expiration).toBe('2026-11-25T12:00:00Z');
    expect(node).not.toHaveProperty('ttl');
    expect(d.store.expiredKeys(t0)).toEqual(['/t']);
  });

  it('v2 store: ttl: set, update and cas without ttl make the key permanent', () => {
    const d = new Driver();
    d.put('/u', { value: '1', ttlSeconds: 100 });
    const updated = asEvent(d.put('/u', { value: '2', prevExist: true }));
    expect(updated.node).not.toHaveProperty('expiration');
    d.put('/u', { value: '1', ttlSeconds: 100 });
    const swapped = asEvent(d.put('/u', { value: '3', prevValue: '1' }));
    expect(swapped.node).not.toHaveProperty('expiration');
    d.put('/u', { value: '1', ttlSeconds: 100 });
    expect(asEvent(d.put('/u', { value: '2', ttlSeconds: null })).node).not.toHaveProperty('ttl');
    expect(d.store.expiredKeys(t0 + 1e9)).toEqual([]);
  });

  it('v2 store: ttl: a directory can have a ttl and shows its listing with it', () => {
    const d = new Driver();
    d.put('/td', { dir: true, ttlSeconds: 2 });
    d.put('/td/x', { value: '1' });
    expect(asEvent(d.get('/td')).json).toBe(
      '{"action":"get","node":{"key":"/td","dir":true,"expiration":"2026-11-25T12:00:02Z",' +
        '"ttl":2,"nodes":[{"key":"/td/x","value":"1","modifiedIndex":2,"createdIndex":2}],' +
        '"modifiedIndex":1,"createdIndex":1}}',
    );
  });
});

describe('v2 store: refresh', () => {
  function watched(d: Driver): WatchDelivery[] {
    const seen: WatchDelivery[] = [];
    const watcher = d.store.watch({ path: '/', recursive: true, stream: true }, (e) => {
      seen.push(e);
    });
    expect(watcher).not.toBeInstanceOf(V2Error);
    return seen;
  }

  it('v2 store: refresh: set keeps the value, takes a new createdIndex, and is invisible', () => {
    const d = new Driver();
    d.put('/t', { value: '1', ttlSeconds: 100 });
    const seen = watched(d);
    const event = asEvent(d.put('/t', { ttlSeconds: 300, refresh: true }));
    expect(event.json).toBe(
      '{"action":"set","node":{"key":"/t","value":"1","expiration":"2026-11-25T12:05:00Z",' +
        '"ttl":300,"modifiedIndex":2,"createdIndex":2},"prevNode":{"key":"/t","value":"1",' +
        '"expiration":"2026-11-25T12:01:40Z","ttl":100,"modifiedIndex":1,"createdIndex":1}}',
    );
    expect(d.store.etcdIndex).toBe(2);
    expect(seen).toEqual([]);
    expect(d.store.historyEvents.map((e) => e.index)).toEqual([1]);
  });

  it('v2 store: refresh: with prevExist=true is an invisible update keeping createdIndex', () => {
    const d = new Driver();
    d.put('/t', { value: '1', ttlSeconds: 100 });
    const seen = watched(d);
    const event = asEvent(d.put('/t', { ttlSeconds: 200, refresh: true, prevExist: true }));
    expect(event.action).toBe('update');
    expect(event.node).toMatchObject({ value: '1', ttl: 200, modifiedIndex: 2, createdIndex: 1 });
    d.put('/t', { value: 'next' });
    expect(seen.map((e) => (e as { etcdIndex: number }).etcdIndex)).toEqual([3]);
    const scan = d.store.watch({ path: '/t', sinceIndex: 2 }, () => undefined);
    expect(scan).toHaveProperty('ended', true);
  });

  it('v2 store: refresh: with prevValue is an invisible compareAndSwap; a mismatch is 101', () => {
    const d = new Driver();
    d.put('/u', { value: '1', ttlSeconds: 100 });
    const seen = watched(d);
    const mismatch = d.put('/u', { ttlSeconds: 50, refresh: true, prevValue: '2' });
    expect(causeOf(mismatch, ErrorCode.CompareFailed)).toBe('[2 != 1]');
    const event = asEvent(d.put('/u', { ttlSeconds: 50, refresh: true, prevValue: '1' }));
    expect(event.action).toBe('compareAndSwap');
    expect(event.node).toMatchObject({ value: '1', ttl: 50, createdIndex: 1, modifiedIndex: 2 });
    expect(seen).toEqual([]);
  });

  it('v2 store: refresh: a missing key gives 100; a directory 102 unless prevExist=true', () => {
    const d = new Driver();
    const missing = d.put('/nx', { ttlSeconds: 50, refresh: true });
    expect(causeOf(missing, ErrorCode.KeyNotFound)).toBe('/nx');
    d.put('/r2', { dir: true });
    asError(d.put('/r2', { ttlSeconds: 50, refresh: true }), ErrorCode.NotAFile);
    const update = asEvent(d.put('/r2', { ttlSeconds: 50, refresh: true, prevExist: true }));
    expect(update.node).toMatchObject({ dir: true, ttl: 50 });
  });

  it('v2 store: refresh: a value gives 211, no ttl 212 (request errors, index 0)', () => {
    const d = new Driver();
    d.put('/t', { value: '1' });
    const withValue = d.put('/t', { value: '2', ttlSeconds: 5, refresh: true });
    expect(asError(withValue, ErrorCode.RefreshValue).json).toBe(
      '{"errorCode":211,"message":"Value provided on refresh",' +
        '"cause":"A value was provided on a refresh","index":0}',
    );
    const withoutTtl = d.put('/t', { refresh: true, prevExist: true });
    expect(asError(withoutTtl, ErrorCode.RefreshTtlRequired).json).toBe(
      '{"errorCode":212,"message":"A TTL must be provided on refresh",' +
        '"cause":"No TTL value set","index":0}',
    );
    expect(asEvent(d.put('/t', { value: '', ttlSeconds: 5, refresh: true })).node.value).toBe('1');
  });

  it('v2 store: refresh: create and post ignore refresh and write an empty value', () => {
    const d = new Driver();
    const created = asEvent(d.put('/r1', { ttlSeconds: 50, refresh: true, prevExist: false }));
    expect(created.node).toMatchObject({ key: '/r1', value: '', ttl: 50 });
    expect(asEvent(d.post('/r4', { ttlSeconds: 50, refresh: true })).action).toBe('create');
    expect(d.store.historyEvents).toHaveLength(2);
  });
});

describe('v2 store: expiry by expire commands', () => {
  it('v2 store: expiredKeys: at or past expiration, by expiration then key', () => {
    const d = new Driver();
    d.put('/b', { value: '1', ttlSeconds: 5 });
    d.put('/a', { value: '1', ttlSeconds: 5 });
    d.put('/c', { value: '1', ttlSeconds: 2 });
    d.put('/p', { value: '1' });
    expect(d.store.expiredKeys(t0 + 1999)).toEqual([]);
    expect(d.store.expiredKeys(t0 + 2000)).toEqual(['/c']);
    expect(d.store.expiredKeys(t0 + 60_000)).toEqual(['/c', '/a', '/b']);
  });

  it('v2 store: expiredKeys: keys inside an expired directory are left to the directory', () => {
    const d = new Driver();
    d.put('/td', { dir: true, ttlSeconds: 2 });
    d.put('/td/x', { value: '1', ttlSeconds: 1 });
    d.put('/other/y', { value: '1', ttlSeconds: 3 });
    expect(d.store.expiredKeys(t0 + 1000)).toEqual(['/td/x']);
    expect(d.store.expiredKeys(t0 + 5000)).toEqual(['/td', '/other/y']);
  });

  it('v2 store: expire: removes the key with an expire event; prevNode has no ttl', () => {
    const d = new Driver();
    d.put('/t', { value: '3', ttlSeconds: 2 });
    const event = asEvent(d.apply({ op: 'expire', path: '/t', timeMs: t0 + 2500 }));
    expect(event.json).toBe(
      '{"action":"expire","node":{"key":"/t","modifiedIndex":2,"createdIndex":1},' +
        '"prevNode":{"key":"/t","value":"3","expiration":"2026-11-25T12:00:02Z",' +
        '"modifiedIndex":1,"createdIndex":1}}',
    );
    expect(d.store.etcdIndex).toBe(2);
    asError(d.get('/t'), ErrorCode.KeyNotFound);
    expect(d.store.expiredKeys(t0 + 10_000)).toEqual([]);
  });

  it('v2 store: expire: late, early or repeated expires change nothing', () => {
    const d = new Driver();
    d.put('/t', { value: '1', ttlSeconds: 2 });
    const expireAt = (timeMs: number) => d.apply({ op: 'expire', path: '/t', timeMs });
    expect(causeOf(expireAt(t0 + 1999), ErrorCode.CompareFailed)).toBe(
      '[2026-11-25T12:00:02Z > 2026-11-25T12:00:01.999Z]',
    );
    d.put('/t', { value: '2' });
    expect(causeOf(expireAt(t0 + 5000), ErrorCode.CompareFailed)).toBe('[/t has no ttl]');
    asError(d.apply({ op: 'expire', path: '/gone', timeMs: t0 + 5000 }), ErrorCode.KeyNotFound);
    expect(d.store.etcdIndex).toBe(2);
    expect(asEvent(d.get('/t')).node.value).toBe('2');
  });

  it('v2 store: expire: a directory goes with its contents and wakes watchers inside it', () => {
    const d = new Driver();
    d.put('/td', { dir: true, ttlSeconds: 2 });
    d.put('/td/x', { value: '1' });
    const seen: WatchDelivery[] = [];
    d.store.watch({ path: '/td/x' }, (e) => {
      seen.push(e);
    });
    d.store.watch({ path: '/td' }, (e) => {
      seen.push(e);
    });
    asEvent(d.apply({ op: 'expire', path: '/td', timeMs: t0 + 3000 }));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(seen[0]); // one event object, serialised once for both watchers
    expect((seen[0] as { json: string }).json).toBe(
      '{"action":"expire","node":{"key":"/td","dir":true,"modifiedIndex":3,"createdIndex":1},' +
        '"prevNode":{"key":"/td","dir":true,"expiration":"2026-11-25T12:00:02Z",' +
        '"modifiedIndex":1,"createdIndex":1}}',
    );
    asError(d.get('/td/x'), ErrorCode.KeyNotFound);
  });
});
