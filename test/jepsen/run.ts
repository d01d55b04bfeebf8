// One Jepsen-style run: start the cluster, run clients, watchers and the nemesis for the given
// time, heal everything, wait for convergence, read every key, then check the history, the
// final state and the watchers. Every wait is bounded; every process and proxy is stopped.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '../../src/lib/prng.js';
import { checkLinearizable, type CheckResult } from '../../src/check/linearizability.js';
import type { Anomaly } from './anomaly.js';
import {
  awaitConvergence, checkAckedChanges, checkReplay, listMember, type Listing,
} from './final-checks.js';
import { JepsenCluster, type JepsenNode } from './jepsen-cluster.js';
import { Nemesis } from './nemesis.js';
import {
  describeSettings, settingsFromSeed, type JepsenOptions, type RunSettings,
} from './run-settings.js';
import { finishRun, type JepsenResult, type RunRecord } from './report.js';
import { httpRequest } from './v2-client.js';
import { checkWatchers, type Reference } from './watch-checks.js';
import { LongPollWatcher } from './watchers.js';
import { sleep, Workload } from './workload.js';

/** Bounds of the phases around the faults. */
const leaderWaitMs = 20_000;
const convergeWaitMs = 30_000;
const watcherCatchUpMs = 20_000;
const finalReadsMsMax = 30_000;
/** Search steps per key for the linearizability checker. */
const checkStepsMax = 2_000_000;

export async function runJepsen(options: JepsenOptions, echo: (line: string) => void):
  Promise<JepsenResult> {
  const settings = settingsFromSeed(options);
  echo(describeSettings(settings));
  const root = mkdtempSync(join(tmpdir(), `kvd-jepsen-s${options.seed}-`));
  const cluster = await JepsenCluster.create({
    size: settings.nodes, root, heartbeatMs: settings.heartbeatMs, electionMs: settings.electionMs,
    snapshotCount: settings.snapshotCount, bugs: options.bugs.join(','),
    fsyncDelaysMs: options.fsyncDelaysMs,
  });
  const run = new Run(settings, cluster, root, echo);
  try {
    await run.execute();
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    run.record.harnessError = text;
  } finally {
    await run.shutdown();
  }
  return finishRun(run.record, echo);
}

class Run {
  readonly record: RunRecord;
  private readonly started = performance.now();
  private readonly clock = (): number => performance.now() - this.started;
  private readonly workload: Workload;
  private readonly watchers: LongPollWatcher[] = [];
  private nemesis: Nemesis | null = null;

  constructor(
    private readonly settings: RunSettings,
    private readonly cluster: JepsenCluster,
    root: string,
    private readonly echo: (line: string) => void,
  ) {
    const clientRandom = new Prng(settings.clientSeed);
    const randoms = Array.from({ length: settings.workload.clients }, () => clientRandom.fork());
    const urls = cluster.nodes.map((n) => n.clientUrl);
    this.workload = new Workload(settings.workload, urls, randoms, this.clock);
    this.record = {
      settings, root, anomalies: [], history: [], acked: [], counts: this.workload.counts,
      notes: this.workload.notes,
      watchers: [], nemesisLog: [], injected: {}, skipped: {}, linearizability: null,
      finalIndex: null, unverifiedAcked: 0, replayChecked: false, unreadKeys: 0,
      harnessError: null, durationMs: 0, memberExits: [], proxy: cluster.network.counters,
    };
  }

  async execute(): Promise<void> {
    if (!(await this.startCluster())) return;
    const membership = await probeMembership(this.cluster.nodes[0]?.clientUrl ?? '');
    const first = await listMember(this.cluster.nodes[0] as JepsenNode, 2000);
    this.startWatchers((first?.etcdIndex ?? 0) + 1);
    this.nemesis = new Nemesis(this.cluster, this.settings.plan, this.clock, membership, this.echo);
    this.workload.start();
    this.nemesis.start();
    await sleep(this.settings.options.timeSec * 1000);
    await this.nemesis.stop();
    this.nemesis.note('final', 'healing everything: network, paused, killed and slow members');
    for (const problem of await this.cluster.healAll()) {
      this.anomaly({ kind: 'liveness', message: `final heal: ${problem}` });
    }
    await this.workload.stop();
    await this.endPhase();
  }

  async shutdown(): Promise<void> {
    await this.nemesis?.stop();
    await Promise.all(this.watchers.map((w) => w.stop()));
    await this.workload.stop();
    await this.cluster.close();
    const r = this.record;
    r.history = this.workload.history();
    r.acked = this.workload.acked;
    r.watchers = this.watchers.map((w) => ({
      id: w.id, segments: w.segments, requests: w.requests, cleared: w.cleared,
    }));
    r.nemesisLog = this.nemesis?.log ?? [];
    r.injected = this.nemesis?.injected ?? {};
    r.skipped = this.nemesis?.skipped ?? {};
    r.durationMs = Math.round(this.clock());
    r.memberExits = this.cluster.unexpectedExits;
    for (const exit of this.cluster.unexpectedExits) {
      const message = `${exit.name} exited on its own at ${exit.at} (code ${exit.code}, ` +
        `signal ${exit.signal}); see ${exit.name}.log`;
      r.anomalies.push({ kind: 'member-crash', message });
    }
  }

  private async startCluster(): Promise<boolean> {
    for (const node of this.cluster.nodes) this.cluster.start(node);
    if (await this.waitForLeader()) return true;
    this.anomaly({ kind: 'liveness', message: `no leader within ${leaderWaitMs} ms of starting` });
    return false;
  }

  private startWatchers(fromIndex: number): void {
    const random = new Prng(this.settings.watcherSeed);
    const members = this.cluster.nodes.map((n) => ({ name: n.name, clientUrl: n.clientUrl }));
    for (let id = 0; id < this.settings.watchers; id++) {
      const watcher = new LongPollWatcher(id, members, random.fork(), fromIndex);
      this.watchers.push(watcher);
      watcher.start();
    }
  }

  private async waitForLeader(): Promise<boolean> {
    const deadline = Date.now() + leaderWaitMs;
    while (Date.now() < deadline) {
      if ((await this.cluster.leaders()).length === 1) return true;
      await sleep(100);
    }
    return false;
  }

  /**
   * After the heal: a leader, every member holding the same state, a read of every key, the
   * watchers caught up; then the checks. A bound that passes is a liveness anomaly, and the
   * checks that do not need the final state still run.
   */
  private async endPhase(): Promise<void> {
    const note = (text: string): void => this.nemesis?.note('final', text);
    note('clients stopped; waiting for a leader');
    if (!(await this.waitForLeader())) {
      const message = `no single leader within ${leaderWaitMs} ms after healing`;
      this.anomaly({ kind: 'liveness', message });
    }
    note('waiting for every member to hold the same state');
    const members = this.cluster.nodes.map((n) => ({ name: n.name, clientUrl: n.clientUrl }));
    const converged = await awaitConvergence(members, convergeWaitMs);
    const final = 'listing' in converged ? converged.listing : null;
    if ('anomaly' in converged) this.anomaly(converged.anomaly);
    note(`${final === null ? 'no common state' : `converged at etcd index ${final.etcdIndex}`}; ` +
      `reading all ${this.workload.usedKeys.length} keys`);
    const unread = await this.workload.finalReads(this.settings.workload.clients, finalReadsMsMax);
    this.record.unreadKeys = unread;
    if (unread > 0) {
      this.anomaly({ kind: 'liveness', message: `${unread} keys could not be read after healing` });
    }
    if (final !== null) await this.catchUpWatchers(final.etcdIndex);
    await Promise.all(this.watchers.map((w) => w.stop()));
    note('checking');
    this.check(final);
  }

  private async catchUpWatchers(finalIndex: number): Promise<void> {
    this.record.finalIndex = finalIndex;
    this.nemesis?.note('final', 'waiting for the watchers to catch up');
    for (const watcher of this.watchers) {
      if (!(await watcher.reach(finalIndex, watcherCatchUpMs))) {
        this.anomaly({ kind: 'liveness', message: `watcher ${watcher.id} stuck at index ` +
          `${watcher.coveredTo}, final index ${finalIndex} (${watcherCatchUpMs} ms)` });
      }
    }
  }

  /** Every check; those that compare with the final state only when members converged. */
  private check(final: Listing | null): void {
    const reference: Reference = new Map();
    const acked = this.workload.acked;
    for (const a of checkWatchers(this.watchers, acked, reference)) this.anomaly(a);
    if (final !== null) {
      const lost = checkAckedChanges(acked, final, reference, this.watchers);
      lost.anomalies.forEach((a) => this.anomaly(a));
      this.record.unverifiedAcked = lost.unverified;
      const replay = checkReplay(reference, final, this.watchers);
      replay.anomalies.forEach((a) => this.anomaly(a));
      this.record.replayChecked = replay.checked;
    }
    const history = this.workload.history();
    this.echo(`checking linearizability of ${history.length} ops...`);
    const verdict: CheckResult = checkLinearizable(history, { stepsMax: checkStepsMax });
    this.record.linearizability = verdict;
    if (verdict.verdict === 'not-linearizable') {
      this.anomaly({ kind: 'not-linearizable', message: verdict.explanation });
    }
  }

  private anomaly(anomaly: Anomaly): void {
    this.record.anomalies.push(anomaly);
  }
}

/**
 * Null when kvd serves member changes (an empty add is refused with 400); else why the nemesis
 * skips removing and re-adding members (404/405/501 without /v2/members POST/DELETE).
 */
async function probeMembership(clientUrl: string): Promise<string | null> {
  const answer = await httpRequest(`${clientUrl}/v2/members`, {
    method: 'POST', json: { peerURLs: [] }, timeoutMs: 2000,
  });
  if (answer.kind !== 'answer') return `POST /v2/members: ${answer.kind}`;
  if ([404, 405, 501].includes(answer.status)) {
    return `kvd answers POST /v2/members with ${answer.status}`;
  }
  return null;
}
