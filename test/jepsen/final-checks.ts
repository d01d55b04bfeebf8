// The end-of-run checks on a healed cluster: every member holds the same keys and values at the
// same etcd index (polled until they agree or the bound passes); every acknowledged change is in
// that state or was overwritten by a later change; replaying the watched events gives that state.
import type { Anomaly } from './anomaly.js';
import { httpRequest, nodeOf, type V2Node } from './v2-client.js';
import { covered, showEvent, type Reference, type WatcherRecord } from './watch-checks.js';
import { watchPrefix, type WatchMember } from './watchers.js';
import { sleep, type AckedChange } from './workload.js';

export interface FinalEntry {
  readonly value: string;
  readonly modifiedIndex: number;
}

export interface Listing {
  readonly member: string;
  readonly etcdIndex: number;
  readonly entries: ReadonlyMap<string, FinalEntry>;
}

/** Problems listed per check; the rest are counted. */
const reportsMax = 5;

/** The member's local view of the watched prefix (a plain GET: no quorum). */
export async function listMember(member: WatchMember, timeoutMs: number): Promise<Listing | null> {
  const url = `${member.clientUrl}/v2/keys${watchPrefix}?recursive=true&sorted=true`;
  const answer = await httpRequest(url, { method: 'GET', timeoutMs });
  if (answer.kind !== 'answer' || answer.etcdIndex === null) return null;
  const entries = new Map<string, FinalEntry>();
  const listing = { member: member.name, etcdIndex: answer.etcdIndex, entries };
  if (answer.status === 404) return listing;
  const root = nodeOf(answer.body);
  if (answer.status !== 200 || root === null) return null;
  const walk = (node: V2Node): void => {
    if (typeof node.value === 'string') {
      entries.set(node.key, { value: node.value, modifiedIndex: node.modifiedIndex });
    }
    for (const child of node.nodes ?? []) walk(child);
  };
  walk(root);
  return listing;
}

/** Polls every member until all listings agree; the agreed listing, or an anomaly. */
export async function awaitConvergence(members: readonly WatchMember[], timeoutMs: number):
  Promise<{ listing: Listing } | { anomaly: Anomaly }> {
  const deadline = Date.now() + timeoutMs;
  let last: (Listing | null)[] = [];
  while (Date.now() < deadline) {
    last = await Promise.all(members.map((m) => listMember(m, 2000)));
    const first = last[0];
    if (first && last.every((l) => l !== null && sameListing(first, l))) return { listing: first };
    await sleep(250);
  }
  const message = describeDivergence(members, last, timeoutMs);
  return { anomaly: { kind: 'members-diverge', message } };
}

function sameListing(a: Listing, b: Listing): boolean {
  if (a.etcdIndex !== b.etcdIndex || a.entries.size !== b.entries.size) return false;
  for (const [key, entry] of a.entries) {
    const other = b.entries.get(key);
    if (other?.value !== entry.value || other.modifiedIndex !== entry.modifiedIndex) return false;
  }
  return true;
}

function describeDivergence(members: readonly WatchMember[], listings: readonly (Listing | null)[],
  timeoutMs: number): string {
  const lines = [`members did not converge within ${timeoutMs} ms:`];
  const keys = new Set(listings.flatMap((l) => (l === null ? [] : [...l.entries.keys()])));
  listings.forEach((listing, i) => {
    const name = members[i]?.name ?? '?';
    if (listing === null) lines.push(`  ${name}: no answer`);
    else lines.push(`  ${name}: etcd index ${listing.etcdIndex}, ${listing.entries.size} keys`);
  });
  let shown = 0;
  for (const key of [...keys].sort()) {
    const views = listings.map((l) => show(l?.entries.get(key)));
    if (new Set(views).size === 1) continue;
    const cells = views.map((view, i) => `${members[i]?.name}=${view}`);
    if (shown++ < reportsMax * 2) lines.push(`  ${key}: ${cells.join(' ')}`);
  }
  if (shown > reportsMax * 2) lines.push(`  (${shown - reportsMax * 2} more differing keys)`);
  return lines.join('\n');
}

/**
 * Every acknowledged change at index m on key k: the final node of k has modifiedIndex >= m
 * (equal: it is this change), or k is absent and was deleted after m. Changes whose fate the
 * watchers did not cover are counted as unverified instead of reported.
 */
export function checkAckedChanges(acked: readonly AckedChange[], final: Listing,
  reference: Reference, watchers: readonly WatcherRecord[]):
  { anomalies: Anomaly[]; unverified: number } {
  const problems: string[] = [];
  let unverified = 0;
  const deletions = deletionIndexes(acked, reference);
  for (const change of acked) {
    const deletedAfter = (deletions.get(change.key) ?? []).some((index) => index > change.index);
    const verdict = judgeChange(change, final.entries.get(change.key), deletedAfter);
    if (verdict === null) continue;
    if (verdict !== 'absent') problems.push(verdict);
    else if (covered(watchers, change.index + 1, final.etcdIndex)) {
      problems.push(`${describeChange(change)} is lost: the key is absent and no later delete ` +
        'happened');
    } else unverified++;
  }
  const anomalies: Anomaly[] = problems.slice(0, reportsMax)
    .map((message) => ({ kind: 'lost-write', message }));
  if (problems.length > reportsMax) {
    anomalies.push({ kind: 'lost-write', message: `(${problems.length - reportsMax} more)` });
  }
  return { anomalies, unverified };
}

/** null: fine; 'absent': the key is gone with no delete known after it; else the problem. */
function judgeChange(change: AckedChange, entry: FinalEntry | undefined, deletedAfter: boolean):
  string | 'absent' | null {
  if (entry === undefined) return change.kind === 'delete' || deletedAfter ? null : 'absent';
  if (entry.modifiedIndex < change.index) {
    return `${describeChange(change)} is lost: the final value is ${show(entry)}`;
  }
  const same = change.kind !== 'delete' && entry.value === change.value;
  if (entry.modifiedIndex === change.index && !same) {
    return `${describeChange(change)} disagrees with the final value ${show(entry)}`;
  }
  return null;
}

function describeChange(change: AckedChange): string {
  const value = change.value === null ? '' : ` = ${JSON.stringify(change.value)}`;
  return `op #${change.opId} ${change.kind} ${change.key}${value} (acknowledged at index ` +
    `${change.index})`;
}

function deletionIndexes(acked: readonly AckedChange[], reference: Reference):
  Map<string, number[]> {
  const out = new Map<string, number[]>();
  const add = (key: string, index: number): void => {
    const list = out.get(key) ?? [];
    list.push(index);
    out.set(key, list);
  };
  for (const change of acked) if (change.kind === 'delete') add(change.key, change.index);
  for (const event of reference.values()) {
    if (event.value === null) add(event.key, event.index);
  }
  return out;
}

/**
 * A watched event is a change some member applied, so it was committed: none may lie beyond the
 * final etcd index. When the watchers covered 1..final index, replaying their events must give
 * the final state.
 */
export function checkReplay(reference: Reference, final: Listing,
  watchers: readonly WatcherRecord[]): { anomalies: Anomaly[]; checked: boolean } {
  const events = [...reference.values()].sort((a, b) => a.index - b.index);
  const beyond = events.filter((e) => e.index > final.etcdIndex);
  if (beyond.length > 0) {
    const shown = beyond.slice(0, reportsMax).map(showEvent).join('; ');
    const message = `${beyond.length} watched events lie beyond the final etcd index ` +
      `${final.etcdIndex}: changes members applied were lost (${shown})`;
    return { anomalies: [{ kind: 'watch-final-state', message }], checked: true };
  }
  if (final.etcdIndex === 0 || !covered(watchers, 1, final.etcdIndex)) {
    return { anomalies: [], checked: false };
  }
  const state = new Map<string, FinalEntry>();
  for (const event of events) {
    if (event.value === null) state.delete(event.key);
    else state.set(event.key, { value: event.value, modifiedIndex: event.index });
  }
  const anomalies: Anomaly[] = [];
  for (const key of new Set([...state.keys(), ...final.entries.keys()])) {
    const replayed = show(state.get(key));
    const actual = show(final.entries.get(key));
    if (replayed === actual) continue;
    if (anomalies.length >= reportsMax) break;
    const last = events.filter((e) => e.key === key).pop();
    const lastText = last === undefined ? '' : ` (last event ${showEvent(last)})`;
    anomalies.push({
      kind: 'watch-final-state',
      message: `${key}: replaying the watched events gives ${replayed}${lastText}, the members ` +
        `hold ${actual}`,
    });
  }
  return { anomalies, checked: true };
}

function show(entry: FinalEntry | undefined): string {
  return entry === undefined ? 'absent' : `${JSON.stringify(entry.value)}@${entry.modifiedIndex}`;
}
