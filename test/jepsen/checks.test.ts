// The Jepsen-style checks on hand-made records: a clean record passes, and each broken promise
// (duplicate, gap, disagreement, lost write, wrong final state) is reported by its kind.
import { describe, expect, it } from 'vitest';
import type { AnomalyKind } from './anomaly.js';
import { checkAckedChanges, checkReplay, type Listing } from './final-checks.js';
import { checkWatchers, covered, type Reference, type WatcherRecord } from './watch-checks.js';
import type { WatchEvent } from './watchers.js';
import type { AckedChange } from './workload.js';

function set(index: number, key: string, value: string): WatchEvent {
  return { index, action: 'set', key, value, member: 'n1' };
}

function del(index: number, key: string): WatchEvent {
  return { index, action: 'delete', key, value: null, member: 'n2' };
}

function watcher(id: number, fromIndex: number, events: WatchEvent[]): WatcherRecord {
  return { id, segments: [{ fromIndex, events, endReason: null }] };
}

const events = [set(1, '/jepsen/k0', 'a'), set(2, '/jepsen/k1', 'b'), del(3, '/jepsen/k0')];
const acked: AckedChange[] = [
  { opId: 1, key: '/jepsen/k0', kind: 'write', value: 'a', index: 1 },
  { opId: 2, key: '/jepsen/k1', kind: 'write', value: 'b', index: 2 },
];
const final: Listing = {
  member: 'n1', etcdIndex: 3, entries: new Map([['/jepsen/k1', { value: 'b', modifiedIndex: 2 }]]),
};

function kinds(watchers: WatcherRecord[], changes = acked): AnomalyKind[] {
  return checkWatchers(watchers, changes, new Map()).map((a) => a.kind);
}

describe('jepsen checks: watchers', () => {
  it('jepsen checks: identical complete watchers pass', () => {
    expect(kinds([watcher(0, 1, events), watcher(1, 1, [...events])])).toEqual([]);
  });

  it('jepsen checks: a duplicate or backwards event is watch-order', () => {
    expect(kinds([watcher(0, 1, [events[0]!, events[1]!, events[1]!])])).toContain('watch-order');
    expect(kinds([watcher(0, 1, [events[1]!, events[0]!])])).toContain('watch-order');
  });

  it('jepsen checks: an event another watcher saw inside the range is a watch-gap', () => {
    const result = kinds([watcher(0, 1, events), watcher(1, 1, [events[0]!, events[2]!])]);
    expect(result).toEqual(['watch-gap']);
  });

  it('jepsen checks: an index nobody saw inside a covered range is a watch-gap', () => {
    expect(kinds([watcher(0, 1, [events[0]!, events[2]!])], [])).toEqual(['watch-gap']);
  });

  it('jepsen checks: a watcher that started later is not blamed for earlier events', () => {
    expect(kinds([watcher(0, 1, events), watcher(1, 2, events.slice(1))])).toEqual([]);
  });

  it('jepsen checks: two versions of an index, or one unlike its acknowledgement, mismatch', () => {
    const other = [events[0]!, set(2, '/jepsen/k1', 'x'), events[2]!];
    expect(kinds([watcher(0, 1, events), watcher(1, 1, other)])).toContain('watch-mismatch');
    const wrongAck: AckedChange[] = [
      { opId: 9, key: '/jepsen/k1', kind: 'cas', value: 'b', index: 2 },
    ];
    expect(kinds([watcher(0, 1, events)], wrongAck)).toEqual(['watch-mismatch']);
  });

  it('jepsen checks: coverage joins segments of all watchers', () => {
    const a = watcher(0, 1, events.slice(0, 2));
    const b = watcher(1, 3, events.slice(2));
    expect(covered([a, b], 1, 3)).toBe(true);
    expect(covered([a], 1, 3)).toBe(false);
  });
});

describe('jepsen checks: final state', () => {
  const reference = (): Reference => {
    const out: Reference = new Map();
    checkWatchers([watcher(0, 1, events)], acked, out);
    return out;
  };
  const watchers = [watcher(0, 1, events)];

  it('jepsen checks: acknowledged changes present or overwritten pass, and replay matches', () => {
    expect(checkAckedChanges(acked, final, reference(), watchers).anomalies).toEqual([]);
    expect(checkReplay(reference(), final, watchers)).toEqual({ anomalies: [], checked: true });
  });

  it('jepsen checks: a final value older than an acknowledged change is a lost-write', () => {
    const late: AckedChange = { opId: 3, key: '/jepsen/k1', kind: 'write', value: 'c', index: 4 };
    const result = checkAckedChanges([...acked, late], final, reference(), watchers);
    expect(result.anomalies.map((a) => a.kind)).toEqual(['lost-write']);
  });

  it('jepsen checks: an absent key with no later delete is a lost-write', () => {
    const empty: Listing = { member: 'n1', etcdIndex: 3, entries: new Map() };
    const result = checkAckedChanges(acked, empty, reference(), watchers);
    expect(result.anomalies.map((a) => a.kind)).toEqual(['lost-write']);
  });

  it('jepsen checks: replay differing from the members, or events past the final index', () => {
    const replayKinds = (listing: Listing): string[] =>
      checkReplay(reference(), listing, watchers).anomalies.map((a) => a.kind);
    const entries = new Map([['/jepsen/k1', { value: 'z', modifiedIndex: 2 }]]);
    expect(replayKinds({ ...final, entries })).toEqual(['watch-final-state']);
    expect(replayKinds({ ...final, etcdIndex: 2 })).toEqual(['watch-final-state']);
  });
});
