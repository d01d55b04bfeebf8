// Everything a Jepsen-style run does is drawn from its seed (swarm testing, as the simulator):
// cluster size (unless given), timings, snapshot interval, client count and pace, keys, and the
// nemesis plan. Printed as one header so a failing run can be replayed with the same seed.
import { Prng } from '../../src/lib/prng.js';
import {
  allFaults, planFaults, standardProfile, type FaultKind, type PlannedFault,
} from './nemesis-plan.js';
import type { WorkloadSettings } from './workload.js';

export interface JepsenOptions {
  readonly seed: number;
  readonly timeSec: number;
  /** Cluster size; null draws 3 or 5 from the seed. */
  readonly nodes: number | null;
  /** KVD_TEST_BUGS switches for every member. */
  readonly bugs: readonly string[];
  /** Fault kinds the nemesis may use; null: all. */
  readonly faults: readonly FaultKind[] | null;
  /** KVD_TEST_FSYNC_DELAY_MS per member (one value: every member; 0: a normal disk). */
  readonly fsyncDelaysMs: readonly number[];
  /** Nemesis gap and hold bounds in ms (null: the standard profile). */
  readonly pace: { gapMsMax: number; holdMsMax: number } | null;
  /** Keep the run folder (logs, data) even when the run passes. */
  readonly keep: boolean;
  /** Overrides of what the seed would draw (null: drawn). */
  readonly snapshotCount: number | null;
  readonly clients: number | null;
}

export interface RunSettings {
  readonly options: JepsenOptions;
  readonly nodes: number;
  readonly heartbeatMs: number;
  readonly electionMs: number;
  readonly snapshotCount: number;
  readonly workload: WorkloadSettings;
  readonly watchers: number;
  readonly plan: readonly PlannedFault[];
  /** Seeds for the client and watcher PRNGs. */
  readonly clientSeed: number;
  readonly watcherSeed: number;
}

export const defaultOptions: JepsenOptions = {
  seed: 1, timeSec: 60, nodes: null, bugs: [], faults: null, fsyncDelaysMs: [0], pace: null,
  keep: false, snapshotCount: null, clients: null,
};

export function settingsFromSeed(options: JepsenOptions): RunSettings {
  const random = new Prng(options.seed ^ 0x6a65_7073); // "jeps"
  const nodes = options.nodes ?? random.pick([3, 3, 5]);
  const [heartbeatMs, electionMs] = random.pick([[50, 500], [100, 1000]] as const);
  const drawnSnapshotCount = random.pick([50, 200, 1000]);
  const snapshotCount = options.snapshotCount ?? drawnSnapshotCount;
  const workload: WorkloadSettings = {
    clients: pinned(options.clients, 4 + random.int(5)),
    activeKeys: 2 + random.int(4),
    opsPerKeyMax: 80 + random.int(121),
    timeoutMs: random.pick([1500, 3000, 6000]),
    thinkMsMax: random.pick([0, 5, 20]),
  };
  const profile = {
    ...standardProfile,
    faults: options.faults ?? allFaults,
    ...(options.pace === null ? {} : {
      gapMsMax: options.pace.gapMsMax, holdMsMax: options.pace.holdMsMax,
      gapMsMin: Math.min(standardProfile.gapMsMin, options.pace.gapMsMax),
      holdMsMin: Math.min(standardProfile.holdMsMin, options.pace.holdMsMax),
    }),
  };
  const plan = planFaults(random.fork(), options.timeSec * 1000, profile);
  return {
    options, nodes, heartbeatMs, electionMs, snapshotCount, workload, watchers: 3, plan,
    clientSeed: random.nextUint32(), watcherSeed: random.nextUint32(),
  };
}

export function describeSettings(s: RunSettings): string {
  const o = s.options;
  const w = s.workload;
  return [
    `seed ${o.seed}: ${o.timeSec} s, ${s.nodes} members, heartbeat ${s.heartbeatMs} ms, ` +
      `election ${s.electionMs} ms, snapshot every ${s.snapshotCount} entries` +
      (o.bugs.length > 0 ? `, KVD_TEST_BUGS=${o.bugs.join(',')}` : '') +
      (slowDisks(o) ? `, fsync delays ${o.fsyncDelaysMs.join(',')} ms` : ''),
    `clients ${w.clients} (timeout ${w.timeoutMs} ms, think <= ${w.thinkMsMax} ms), ` +
      `${w.activeKeys} keys at once, <= ${w.opsPerKeyMax} ops per key, ${s.watchers} watchers`,
    `nemesis: ${s.plan.length} faults planned` +
      (o.faults === null ? '' : ` from ${o.faults.join(',')}`),
  ].join('\n');
}

/** `value` unless null; `drawn` is drawn either way, so later draws do not shift. */
function pinned(value: number | null, drawn: number): number {
  return value ?? drawn;
}

function slowDisks(o: JepsenOptions): boolean {
  return o.fsyncDelaysMs.some((ms) => ms > 0);
}

/** The command that replays this run's schedule and settings. */
export function replayCommand(o: JepsenOptions, nodes: number): string {
  const parts = [`npm run jepsen -- --seed ${o.seed} --time ${o.timeSec} --nodes ${nodes}`];
  for (const bug of o.bugs) parts.push(`--bug ${bug}`);
  if (o.faults !== null) parts.push(`--faults ${o.faults.join(',')}`);
  if (slowDisks(o)) parts.push(`--fsync-delay ${o.fsyncDelaysMs.join(',')}`);
  if (o.pace !== null) parts.push(`--pace ${o.pace.gapMsMax},${o.pace.holdMsMax}`);
  if (o.snapshotCount !== null) parts.push(`--snapshot-count ${o.snapshotCount}`);
  if (o.clients !== null) parts.push(`--clients ${o.clients}`);
  return parts.join(' ');
}
