// What the watchers' records must satisfy. Every event kvd stores is under /jepsen, so the
// watched prefix sees every etcd index. Checked: each watcher's indexes strictly increase; all
// watchers (and every acknowledged change's answer) agree on what happened at each index; a
// segment misses no index that anyone saw, nor any index at all in its range.
import type { Anomaly } from './anomaly.js';
import type { WatchEvent, WatchSegment } from './watchers.js';
import type { AckedChange } from './workload.js';

export interface WatcherRecord {
  readonly id: number;
  readonly segments: readonly WatchSegment[];
}

/** Problems reported per check before the rest are summarised as a count. */
const reportsPerCheckMax = 5;

/** One event per index, as first seen by any watcher. */
export type Reference = Map<number, WatchEvent>;

/** Runs every watch check; `reference` is filled with the agreed events. */
export function checkWatchers(
  watchers: readonly WatcherRecord[],
  acked: readonly AckedChange[],
  reference: Reference,
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const report = limiter(anomalies);
  for (const watcher of watchers) checkOrder(watcher, report);
  buildReference(watchers, reference, report);
  checkAckedAgainstReference(acked, reference, report);
  for (const watcher of watchers) checkGaps(watcher, reference, acked, report);
  checkContiguous(watchers, reference, report);
  return anomalies;
}

/** The index ranges [from, to] a watcher claims to have seen completely. */
export function coverage(watcher: WatcherRecord): [number, number][] {
  const ranges: [number, number][] = [];
  for (const segment of watcher.segments) {
    const last = segment.events[segment.events.length - 1];
    if (last === undefined || last.index < segment.fromIndex) continue;
    ranges.push([segment.fromIndex, last.index]);
  }
  return ranges;
}

/** True when the union of every watcher's coverage holds each index of [from, to]. */
export function covered(watchers: readonly WatcherRecord[], from: number, to: number): boolean {
  const ranges = watchers.flatMap(coverage).sort((a, b) => a[0] - b[0]);
  let next = from;
  for (const [start, end] of ranges) {
    if (start > next) break;
    next = Math.max(next, end + 1);
  }
  return next > to;
}

type EventFields = Pick<WatchEvent, 'key' | 'action' | 'value'>;

function sameEvent(a: EventFields, b: EventFields): boolean {
  return a.key === b.key && a.action === b.action && a.value === b.value;
}

export function showEvent(event: WatchEvent): string {
  const value = event.value === null ? '' : ` ${JSON.stringify(event.value)}`;
  return `#${event.index} ${event.action} ${event.key}${value} (from ${event.member})`;
}

type Report = (kind: Anomaly['kind'], message: string) => void;

function limiter(anomalies: Anomaly[]): Report {
  const counts = new Map<string, number>();
  return (kind, message) => {
    const count = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, count);
    if (count <= reportsPerCheckMax) anomalies.push({ kind, message });
    else if (count === reportsPerCheckMax + 1) {
      anomalies.push({ kind, message: `(more ${kind} anomalies not listed)` });
    }
  };
}

function checkOrder(watcher: WatcherRecord, report: Report): void {
  let previous: WatchEvent | null = null;
  for (const segment of watcher.segments) {
    for (const event of segment.events) {
      if (event.index < segment.fromIndex) {
        report('watch-order', `watcher ${watcher.id} asked from index ${segment.fromIndex} ` +
          `but got ${showEvent(event)}`);
      }
      if (previous !== null && event.index <= previous.index) {
        const what = event.index === previous.index ? 'a duplicate' : 'an older event';
        report('watch-order', `watcher ${watcher.id} got ${what}: ${showEvent(event)} after ` +
          `${showEvent(previous)}`);
      }
      previous = event;
    }
  }
}

function buildReference(watchers: readonly WatcherRecord[], reference: Reference,
  report: Report): void {
  for (const watcher of watchers) {
    for (const event of watcher.segments.flatMap((s) => s.events)) {
      const known = reference.get(event.index);
      if (known === undefined) reference.set(event.index, event);
      else if (!sameEvent(known, event)) {
        report('watch-mismatch', `watcher ${watcher.id} saw ${showEvent(event)} but another ` +
          `watcher saw ${showEvent(known)} at the same index`);
      }
    }
  }
}

const actionOf = { write: 'set', cas: 'compareAndSwap', delete: 'delete' } as const;

function checkAckedAgainstReference(acked: readonly AckedChange[], reference: Reference,
  report: Report): void {
  for (const change of acked) {
    const event = reference.get(change.index);
    const expected = { key: change.key, action: actionOf[change.kind], value: change.value };
    if (event !== undefined && !sameEvent(event, expected)) {
      report('watch-mismatch', `op #${change.opId} (${change.kind} ${change.key}) was answered ` +
        `with index ${change.index}, but watchers saw ${showEvent(event)} there`);
    }
  }
}

function checkGaps(watcher: WatcherRecord, reference: Reference, acked: readonly AckedChange[],
  report: Report): void {
  const ackedIndexes = new Map(acked.map((change) => [change.index, change]));
  for (const segment of watcher.segments) {
    const seen = new Set(segment.events.map((e) => e.index));
    const last = segment.events[segment.events.length - 1];
    if (last === undefined) continue;
    for (const [index, event] of reference) {
      if (index < segment.fromIndex || index > last.index || seen.has(index)) continue;
      report('watch-gap', `watcher ${watcher.id} skipped ${showEvent(event)}: it saw ` +
        `${segment.fromIndex}..${last.index} without it`);
    }
    for (const [index, change] of ackedIndexes) {
      if (index < segment.fromIndex || index > last.index || seen.has(index)) continue;
      if (reference.has(index)) continue; // reported above
      report('watch-gap', `watcher ${watcher.id} saw ${segment.fromIndex}..${last.index} but ` +
        `not op #${change.opId} (${change.kind} ${change.key}, acknowledged at index ${index})`);
    }
  }
}

/** Every index a segment covers must hold an event: all changes are under the watched prefix. */
function checkContiguous(watchers: readonly WatcherRecord[], reference: Reference,
  report: Report): void {
  for (const watcher of watchers) {
    for (const [from, to] of coverage(watcher)) {
      for (let index = from; index <= to; index++) {
        if (reference.has(index)) continue;
        report('watch-gap', `no watcher saw an event at index ${index}, yet watcher ` +
          `${watcher.id} saw ${from}..${to} (every change is under the watched prefix)`);
      }
    }
  }
}
