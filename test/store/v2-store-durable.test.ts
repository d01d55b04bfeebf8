// The v2 store's durable forms: snapshot -> restore round trips, and takeChanges records ->
// load, including deletes from recursive removal and from the history window moving.

import { describe, expect, it } from 'vitest';
import { InvariantViolation } from '../../src/lib/assert.js';
import { V2Store } from '../../src/store/v2/index.js';
import { asEvent, Driver, t0 } from './v2-helpers.js';

/** A LevelDB stand-in: applies each takeChanges batch to a map. */
class RecordMap {
  readonly records = new Map<string, Uint8Array>();
  absorb(store: V2Store): void {
    const changes = store.takeChanges();
    for (const key of changes.deletes) {
      expect(changes.puts.has(key), `${key} both put and deleted`).toBe(false);
      this.records.delete(key);
    }
    for (const [key, value] of changes.puts) this.records.set(key, value);
  }
}

function busyDriver(historyEventsMax = 4): Driver {
  const d = new Driver({ historyEventsMax });
  d.put('/s/b', { value: 'b' });
  d.put('/s/c', { value: 'c', ttlSeconds: 30 });
  d.put('/s/a', { value: 'a' });
  d.put('/d/x/y', { value: '1' });
  d.put('/_hidden', { value: 'h' });
  d.post('/q', { value: 'first' });
  d.put('/s/c', { ttlSeconds: 60, refresh: true });
  d.del('/d', { recursive: true });
  d.put('/s/b', { value: 'b2', prevValue: 'b' });
  return d;
}

const reads = (store: V2Store) =>
  ['/', '/s', '/q', '/_hidden'].map((path) => {
    const result = store.get(path, { recursive: true, nowMs: t0 + 1000 });
    return result.json;
  });

describe('v2 store: snapshot and restore', () => {
  it('v2 store: snapshot: restore gives the same state, index, history and reads', () => {
    const source = busyDriver().store;
    const copy = new V2Store({ paranoid: true });
    copy.restore(source.snapshot(), source.appliedIndex);
    expect(copy.snapshot()).toEqual(source.snapshot());
    expect([copy.etcdIndex, copy.appliedIndex]).toEqual([source.etcdIndex, source.appliedIndex]);
    expect(copy.historyEvents.map((e) => e.json)).toEqual(source.historyEvents.map((e) => e.json));
    expect(reads(copy)).toEqual(reads(source));
    expect(copy.expiredKeys(t0 + 1e6)).toEqual(source.expiredKeys(t0 + 1e6));
  });

  it('v2 store: snapshot: unsorted listings keep creation order across restore', () => {
    const source = busyDriver().store;
    const copy = new V2Store();
    copy.restore(source.snapshot(), source.appliedIndex);
    const keys = (store: V2Store) =>
      asEvent(store.get('/s', { nowMs: t0 })).node.nodes!.map((n) => n.key);
    // b (created 1), a (3), c (recreated by the refresh at 7); the cas on b kept its place.
    expect(keys(source)).toEqual(['/s/b', '/s/a', '/s/c']);
    expect(keys(copy)).toEqual(keys(source));
  });

  it('v2 store: snapshot: a restore at another log index than the snapshot is a bug', () => {
    const source = busyDriver().store;
    expect(() => new V2Store().restore(source.snapshot(), 3)).toThrow(InvariantViolation);
  });

  it('v2 store: snapshot: corrupt bytes are an invariant violation', () => {
    const bytes = busyDriver().store.snapshot();
    const broken = new TextEncoder().encode(
      new TextDecoder().decode(bytes).replace('"etcdIndex":', '"etcdIndex":-'),
    );
    expect(() => new V2Store().restore(broken, 9)).toThrow(InvariantViolation);
  });
});

describe('v2 store: takeChanges and load', () => {
  it('v2 store: load: records written batch by batch rebuild the same store', () => {
    const d = new Driver({ historyEventsMax: 4 });
    const disk = new RecordMap();
    const steps = [
      () => d.put('/s/b', { value: 'b' }),
      () => d.put('/d/x/y', { value: '1', ttlSeconds: 5 }),
      () => d.post('/q', { value: 'first' }),
      () => d.del('/d', { recursive: true }),
      () => d.put('/s/a', { value: 'a' }),
      () => d.put('/s/a', { ttlSeconds: 9, refresh: true }),
      () => d.put('/s/b', { value: 'b2', prevIndex: 1 }),
    ];
    for (const step of steps) {
      step();
      disk.absorb(d.store);
    }
    expect([...disk.records.keys()].filter((k) => k.startsWith('/d'))).toEqual([]);
    expect([...disk.records.keys()].filter((k) => k.startsWith('event/'))).toHaveLength(4);
    const loaded = V2Store.load(disk.records, { paranoid: true });
    expect(loaded.snapshot()).toEqual(d.store.snapshot());
    expect(reads(loaded)).toEqual(reads(d.store));
  });

  it('v2 store: takeChanges: a quiet store has no changes; a refused command only the meta', () => {
    const d = busyDriver();
    d.store.takeChanges();
    const quiet = d.store.takeChanges();
    expect([quiet.puts.size, quiet.deletes.size]).toEqual([0, 0]);
    d.put('/s', { value: 'x' }); // 102: /s is a directory
    const refused = d.store.takeChanges();
    expect([...refused.puts.keys()]).toEqual(['meta']);
  });

  it('v2 store: load: no records is an empty store', () => {
    const store = V2Store.load([]);
    expect([store.etcdIndex, store.appliedIndex]).toEqual([0, 0]);
  });

  it('v2 store: restore: the next takeChanges rewrites the durable copy to match', () => {
    const disk = new RecordMap();
    const d = new Driver();
    d.put('/old/a', { value: '1' });
    d.put('/old/b', { value: '1' });
    disk.absorb(d.store);
    const other = busyDriver();
    d.store.restore(other.store.snapshot(), other.store.appliedIndex);
    disk.absorb(d.store);
    expect(disk.records.has('/old/a')).toBe(false);
    expect(V2Store.load(disk.records).snapshot()).toEqual(other.store.snapshot());
  });

  it('v2 store: load: an unknown record key is an invariant violation', () => {
    const disk = new RecordMap();
    const d = busyDriver();
    disk.absorb(d.store);
    disk.records.set('stray', new Uint8Array([1]));
    expect(() => V2Store.load(disk.records)).toThrow(/unknown record stray/);
  });
});
