// The nemesis schedule, drawn entirely from the run's seed before the run starts: two lanes
// (network faults, process faults), each alternating a quiet gap and one fault held for a
// while. Targets are chosen when a fault starts, from the fault's own seed (and, for "leader"
// faults, from who leads then). Imports src/lib only.
import type { Prng } from '../../src/lib/prng.js';

export const networkFaults = [
  /** Split into a minority and a majority, both directions cut. */
  'partition-halves',
  /** The leader alone on one side. */
  'isolate-leader',
  /** Two sides that cannot talk, both connected to one bridge member. */
  'bridge',
  /** One-way cuts: the leader hears nobody (its messages still go out), or random links. */
  'one-way',
  /** Links delayed by 10..300 ms, order kept. */
  'delay',
  /** Connections reset and new ones refused on random links. */
  'reset-links',
] as const;

export const processFaults = [
  /** kill -9 a random member, restart it at the end of the hold. */
  'kill',
  'kill-leader',
  /** kill -9 the leader and enough others to lose the majority. */
  'kill-majority',
  /** kill -9 every member at once (what a member wrote to its files survives, as in a crash). */
  'kill-all',
  /**
   * SIGSTOP the leader, kill -9 and restart every other member; SIGCONT the old leader once they
   * elected a new one (a stalled leader while the rest of the cluster crash-reboots).
   */
  'kill-followers-pause-leader',
  /** SIGSTOP a random member, SIGCONT at the end of the hold. */
  'pause',
  'pause-leader',
  /** SIGTERM (graceful: leadership transfer), down for the hold, then start. */
  'restart',
  /** Restart a member with KVD_TEST_FSYNC_DELAY_MS (a slow disk), back to normal afterwards. */
  'slow-disk',
  /**
   * Remove a member (DELETE /v2/members/<id>), stop it and wipe its data; at the end of the
   * hold add it back (POST /v2/members) and start it empty with --initial-cluster-state
   * existing. Skipped while kvd answers POST /v2/members with 404/405/501.
   */
  'membership',
] as const;

export type NetworkFault = (typeof networkFaults)[number];
export type ProcessFault = (typeof processFaults)[number];
export type FaultKind = NetworkFault | ProcessFault;
export type Lane = 'network' | 'process';

export const allFaults: readonly FaultKind[] = [...networkFaults, ...processFaults];

export interface PlannedFault {
  readonly lane: Lane;
  /** Quiet time before the fault starts. */
  readonly gapMs: number;
  readonly kind: FaultKind;
  readonly holdMs: number;
  /** Seeds the choice of targets when the fault starts. */
  readonly seed: number;
}

export interface NemesisProfile {
  readonly faults: readonly FaultKind[];
  readonly gapMsMin: number;
  readonly gapMsMax: number;
  readonly holdMsMin: number;
  readonly holdMsMax: number;
}

export const standardProfile: NemesisProfile = {
  faults: allFaults, gapMsMin: 500, gapMsMax: 3000, holdMsMin: 1000, holdMsMax: 6000,
};

/** Per lane, faults until the lane's time reaches `durationMs`; lanes without faults stay empty. */
export function planFaults(random: Prng, durationMs: number, profile: NemesisProfile):
  PlannedFault[] {
  const plan: PlannedFault[] = [];
  const lanes: [Lane, readonly FaultKind[]][] = [
    ['network', networkFaults.filter((f) => profile.faults.includes(f))],
    ['process', processFaults.filter((f) => profile.faults.includes(f))],
  ];
  for (const [lane, kinds] of lanes) {
    const laneRandom = random.fork();
    let elapsedMs = 0;
    while (kinds.length > 0) {
      const gapMs = between(laneRandom, profile.gapMsMin, profile.gapMsMax);
      const holdMs = between(laneRandom, profile.holdMsMin, profile.holdMsMax);
      const kind = laneRandom.pick(kinds);
      const seed = laneRandom.nextUint32();
      if (elapsedMs + gapMs >= durationMs) break;
      plan.push({ lane, gapMs, kind, holdMs, seed });
      elapsedMs += gapMs + holdMs;
    }
  }
  return plan;
}

function between(random: Prng, low: number, high: number): number {
  return low + random.int(Math.max(1, high - low + 1));
}

/** One line per planned fault, for the report. */
export function describePlan(plan: readonly PlannedFault[]): string {
  return plan.map((f, i) => `${String(i).padStart(3)} ${f.lane.padEnd(7)} after ${f.gapMs} ms: ` +
    `${f.kind} for ${f.holdMs} ms (seed ${f.seed})`).join('\n');
}

export function parseFaults(text: string): FaultKind[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(allFaults as readonly string[]).includes(name)) {
      throw new Error(`unknown fault "${name}"; known: ${allFaults.join(', ')}`);
    }
  }
  return names as FaultKind[];
}
