// EventHistory: the window of past events, scans from an index, and 401 once cleared.

import { describe, expect, it } from 'vitest';
import { ErrorCode, EventHistory, V2Error, V2Event } from '../../src/store/v2/index.js';
import { asError, asEvent, Driver } from './v2-helpers.js';

function setEvent(key: string, index: number): V2Event {
  const node = { key, value: 'v', modifiedIndex: index, createdIndex: index };
  return new V2Event('set', node, undefined, index);
}

function deleteDirEvent(key: string, index: number): V2Event {
  const node = { key, dir: true as const, modifiedIndex: index, createdIndex: 1 };
  return new V2Event('delete', node, undefined, index);
}

const scope = (key: string, recursive = false) => ({ key, recursive });

describe('event history', () => {
  it('event history: keeps the last capacity events, oldest first', () => {
    const history = new EventHistory(3);
    const dropped = [1, 2, 3, 4, 5].map((i) => history.add(setEvent(`/k${i}`, i)));
    expect(dropped.map((e) => e?.index)).toEqual([undefined, undefined, undefined, 1, 2]);
    expect(history.events().map((e) => e.index)).toEqual([3, 4, 5]);
    expect([history.startIndex, history.lastIndex, history.clearedIndex]).toEqual([3, 5, 2]);
  });

  it('event history: a scan before the window gives 401 with [start/requested]', () => {
    const history = new EventHistory(3);
    for (const i of [1, 2, 3, 4, 5]) history.add(setEvent('/k', i));
    const error = history.scan(scope('/k'), 2, 7);
    expect(error).toBeInstanceOf(V2Error);
    expect((error as V2Error).json).toBe(
      '{"errorCode":401,"message":"The event in requested index is outdated and cleared",' +
        '"cause":"the requested history has been cleared [3/2]","index":7}',
    );
    expect((error as V2Error).httpStatus).toBe(400);
    expect((history.scan(scope('/k'), 3, 7) as V2Event).index).toBe(3);
  });

  it('event history: before anything was dropped, an old index finds the first event', () => {
    const history = new EventHistory(10);
    history.add(setEvent('/a', 4));
    expect((history.scan(scope('/a'), 1, 4) as V2Event).index).toBe(4);
  });

  it('event history: scan returns the first match at or after the index, else null', () => {
    const history = new EventHistory(10);
    history.add(setEvent('/a', 1));
    history.add(setEvent('/b', 2));
    history.add(setEvent('/a', 3));
    expect((history.scan(scope('/a'), 2, 3) as V2Event).index).toBe(3);
    expect(history.scan(scope('/a'), 4, 3)).toBeNull();
    expect(history.scan(scope('/c'), 1, 3)).toBeNull();
    expect((history.scanAll(scope('/a'), 1, 3) as V2Event[]).map((e) => e.index)).toEqual([1, 3]);
  });

  it('event history: recursive scopes see keys below; plain scopes only their key', () => {
    const history = new EventHistory(10);
    history.add(setEvent('/d/x', 1));
    expect(history.scan(scope('/d'), 1, 1)).toBeNull();
    expect((history.scan(scope('/d', true), 1, 1) as V2Event).key).toBe('/d/x');
    expect((history.scan(scope('/', true), 1, 1) as V2Event).key).toBe('/d/x');
    expect(history.scan(scope('/dd', true), 1, 1)).toBeNull();
  });

  it("event history: scans include hidden keys below the scope, as etcd's history does", () => {
    const history = new EventHistory(10);
    history.add(setEvent('/h/_hid', 1));
    expect((history.scan(scope('/h', true), 1, 1) as V2Event).key).toBe('/h/_hid');
  });

  it('event history: removing a directory matches scopes inside it', () => {
    const history = new EventHistory(10);
    history.add(deleteDirEvent('/d', 5));
    expect((history.scan(scope('/d/x/y'), 1, 5) as V2Event).key).toBe('/d');
    const dirSet = { key: '/e', dir: true as const, modifiedIndex: 6, createdIndex: 6 };
    history.add(new V2Event('set', dirSet, undefined, 6));
    expect(history.scan(scope('/e/zz'), 6, 6)).toBeNull();
  });

  it('event history: the store keeps 1,000 events by default; older waits get 401', () => {
    const d = new Driver();
    for (let i = 1; i <= 1100; i++) d.put('/load', { value: String(i) });
    const error = d.store.watch({ path: '/load', sinceIndex: 60 }, () => undefined);
    expect(asError(error as V2Error, ErrorCode.EventIndexCleared).json).toBe(
      '{"errorCode":401,"message":"The event in requested index is outdated and cleared",' +
        '"cause":"the requested history has been cleared [101/60]","index":1100}',
    );
    asError(d.store.watch({ path: '/load', sinceIndex: 100 }, () => undefined) as V2Error, 401);
    const seen: V2Event[] = [];
    d.store.watch({ path: '/load', sinceIndex: 101 }, (e) => {
      seen.push(asEvent(e));
    });
    expect(seen.map((e) => e.node.value)).toEqual(['101']);
  });
});
