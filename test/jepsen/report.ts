// The end of a run: its outcome (ok, liveness, correctness, crash), a summary (operations ok /
// failed / indeterminate, faults by kind, anomalies), and on a failure a folder under the OS
// temp dir with the history, the nemesis schedule and log, the watchers' events and the member
// logs, plus the command that replays the seed. A passing run's folder is removed unless kept.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeHistory, type Operation } from '../../src/check/history.js';
import type { CheckResult } from '../../src/check/linearizability.js';
import { countByKind, type Anomaly } from './anomaly.js';
import type { MemberExit } from './jepsen-cluster.js';
import type { NemesisLogLine } from './nemesis.js';
import { describePlan, type FaultKind } from './nemesis-plan.js';
import type { ProxyCounters } from './fault-proxy.js';
import { describeSettings, replayCommand, type RunSettings } from './run-settings.js';
import type { WatchSegment } from './watchers.js';
import type { AckedChange, OpNote, OutcomeCounts } from './workload.js';

export interface RunRecord {
  readonly settings: RunSettings;
  readonly root: string;
  readonly anomalies: Anomaly[];
  history: Operation[];
  acked: readonly AckedChange[];
  readonly counts: OutcomeCounts;
  readonly notes: ReadonlyMap<number, OpNote>;
  watchers: { id: number; segments: readonly WatchSegment[]; requests: number; cleared: number }[];
  nemesisLog: readonly NemesisLogLine[];
  injected: Partial<Record<FaultKind, number>>;
  skipped: Partial<Record<FaultKind, number>>;
  linearizability: CheckResult | null;
  finalIndex: number | null;
  unverifiedAcked: number;
  replayChecked: boolean;
  unreadKeys: number;
  harnessError: string | null;
  durationMs: number;
  memberExits: readonly MemberExit[];
  readonly proxy: ProxyCounters;
}

export type Outcome = 'ok' | 'crash' | 'liveness' | 'correctness';

/** Anomalies printed in the summary; all are in anomalies.txt. */
const anomaliesShownMax = 10;

export const exitCodes: Record<Outcome, number> = {
  ok: 0, crash: 127, liveness: 128, correctness: 129,
};

export interface JepsenResult {
  readonly outcome: Outcome;
  readonly anomalies: readonly Anomaly[];
  readonly summary: string;
  /** The folder with history, schedule and logs; null when removed (a passing run). */
  readonly folder: string | null;
  readonly replay: string;
  readonly record: RunRecord;
}

export function outcomeOf(record: RunRecord): Outcome {
  if (record.harnessError !== null) return 'crash';
  if (record.anomalies.some((a) => a.kind !== 'liveness')) return 'correctness';
  return record.anomalies.length > 0 ? 'liveness' : 'ok';
}

export function finishRun(record: RunRecord, echo: (line: string) => void): JepsenResult {
  const outcome = outcomeOf(record);
  const replay = replayCommand(record.settings.options, record.settings.nodes);
  const summary = summarize(record, outcome);
  const keep = outcome !== 'ok' || record.settings.options.keep;
  if (keep) writeFolder(record, summary, replay);
  else rmSync(record.root, { recursive: true, force: true });
  echo(summary);
  if (keep) echo(`history, nemesis schedule and member logs: ${record.root}`);
  if (outcome !== 'ok') echo(`replay: ${replay}`);
  const folder = keep ? record.root : null;
  return { outcome, anomalies: record.anomalies, summary, folder, replay, record };
}

type Totals = { ok: number; fail: number; rejected: number; unknown: number };

function totals(counts: OutcomeCounts): Totals {
  const sum = { ok: 0, fail: 0, rejected: 0, unknown: 0 };
  for (const c of Object.values(counts)) {
    sum.ok += c.ok;
    sum.fail += c.fail + c.rejected;
    sum.rejected += c.rejected;
    sum.unknown += c.unknown;
  }
  return sum;
}

function summarize(record: RunRecord, outcome: Outcome): string {
  const t = totals(record.counts);
  const perKind = Object.entries(record.counts)
    .map(([kind, c]) => `${kind} ${c.ok}/${c.fail + c.rejected}/${c.unknown}`).join(', ');
  const faults = Object.entries(record.injected).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const skipped = Object.entries(record.skipped).map(([k, n]) => `${k} ${n}`).join(', ');
  const events = record.watchers.map((w) => w.segments.reduce((n, s) => n + s.events.length, 0));
  const cleared = record.watchers.reduce((n, w) => n + w.cleared, 0);
  const lin = record.linearizability;
  const anomalies = countByKind(record.anomalies);
  const lines = [
    `${outcome === 'ok' ? 'PASSED' : `FAILED (${outcome})`} seed ${record.settings.options.seed} ` +
      `after ${(record.durationMs / 1000).toFixed(1)} s`,
    `operations: ${t.ok} ok, ${t.fail} failed (${t.rejected} of them refused before any effect), ` +
      `${t.unknown} indeterminate ` +
      `(ok/failed/indeterminate: ${perKind}); ${record.acked.length} acknowledged changes`,
    `faults injected: ${faults}${skipped === '' ? '' : `; skipped: ${skipped}`}`,
    `proxy: ${record.proxy.accepted} connections, ${record.proxy.reset} reset, ` +
      `${record.proxy.bytesDropped} bytes blackholed`,
    `watchers: ${events.join('/')} events, ${cleared} history-cleared restarts; ` +
      `final etcd index ${record.finalIndex ?? '?'}; replay of events ` +
      `${record.replayChecked ? 'checked' : 'not checked (coverage incomplete)'}`,
    `linearizability: ${describeVerdict(lin)}` + (record.unverifiedAcked > 0
      ? `; ${record.unverifiedAcked} acknowledged changes unverifiable` : ''),
    `anomalies: ${Object.entries(anomalies).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
  ];
  if (record.harnessError !== null) lines.push(`harness error: ${record.harnessError}`);
  for (const anomaly of record.anomalies.slice(0, anomaliesShownMax)) {
    lines.push(`- ${anomaly.kind}: ${anomaly.message}`);
  }
  const more = record.anomalies.length - anomaliesShownMax;
  if (more > 0) lines.push(`- (${more} more in anomalies.txt)`);
  return lines.join('\n');
}

function describeVerdict(verdict: CheckResult | null): string {
  if (verdict === null) return 'not checked';
  return verdict.verdict === 'unknown' ? `unknown (${verdict.reason})` : verdict.verdict;
}

function writeFolder(record: RunRecord, summary: string, replay: string): void {
  const write = (name: string, text: string): void => writeFileSync(join(record.root, name), text);
  const settings = describeSettings(record.settings);
  write('summary.txt', `${settings}\n\n${summary}\n\nreplay: ${replay}\n`);
  const anomalies = record.anomalies.map((a) => `${a.kind}: ${a.message}`);
  write('anomalies.txt', `${anomalies.join('\n\n')}\n`);
  write('history.txt', describeHistory(record.history) + '\n');
  const notes = [...record.notes].map(([id, n]) => `#${id} ${n.member} ${n.why}`);
  const notesHeader = 'where each op ran and why it was not ok ' +
    '(rejected ops are not in the history)';
  write('op-notes.txt', `${notesHeader}\n${notes.join('\n')}\n`);
  write('history.json', JSON.stringify(record.history) + '\n');
  write('acked.json', JSON.stringify(record.acked) + '\n');
  write('watchers.json', JSON.stringify(record.watchers) + '\n');
  const log = record.nemesisLog.map((l) => `+${(l.atMs / 1000).toFixed(3)}s ${l.lane} ${l.text}`);
  const plan = describePlan(record.settings.plan);
  write('nemesis.txt', `planned:\n${plan}\n\nexecuted:\n${log.join('\n')}\n`);
}
