// The whole-cluster simulator: from one seed it draws the cluster size, fault rates and limits
// (swarm testing), runs the real Raft core on every member over a simulated network and disk
// with client workloads and a nemesis, checks safety after every step, then heals the cluster
// and requires liveness, and finally checks the client history for linearizability.
// Test-only.
import { Prng } from '../../src/lib/prng.js';
import { bootstrapEntries, type Message, type NodeId } from '../../src/raft/index.js';
import { checkLinearizable } from '../../src/check/linearizability.js';
import { describeHistory } from '../../src/check/history.js';
import type { Bug } from './bugs.js';
import { Nemesis } from './nemesis.js';
import { SafetyChecker } from './safety-checker.js';
import { Scheduler } from './scheduler.js';
import { SimMember } from './sim-member.js';
import { SimNetwork } from './sim-network.js';
import { Workload } from './workload.js';

export interface SimOptions {
  readonly seed: number;
  readonly members: number;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly safetyMs: number;
  readonly livenessMs: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly delayMsMax: number;
  readonly diskLatencyMsMax: number;
  readonly snapshotEntries: number;
  readonly clients: number;
  readonly keys: number;
  readonly faultEveryMs: number;
  readonly membershipChanges: boolean;
  readonly appendBatchEntriesMax: number;
  readonly inflightMessagesMax: number;
  readonly bugs: readonly Bug[];
}

export type SimOutcome = 'ok' | 'crash' | 'liveness' | 'correctness';

export interface SimResult {
  readonly outcome: SimOutcome;
  readonly message: string;
  readonly options: SimOptions;
  readonly stats: Record<string, number>;
}

/** Draws every option from the seed (swarm testing); `overrides` pin some. */
export function optionsFromSeed(seed: number, overrides: Partial<SimOptions> = {}): SimOptions {
  const random = new Prng(seed ^ 0x5eed);
  return {
    seed,
    members: random.pick([3, 3, 5]),
    tickMs: 10,
    electionTicks: random.pick([5, 10]),
    safetyMs: 4000 + random.int(4000),
    livenessMs: 4000,
    dropRate: random.pick([0, 0.01, 0.05, 0.1]),
    duplicateRate: random.pick([0, 0.01, 0.05]),
    delayMsMax: random.pick([2, 5, 15]),
    diskLatencyMsMax: random.pick([1, 3, 8]),
    snapshotEntries: random.pick([10, 30, 100]),
    clients: 2 + random.int(4),
    keys: 1 + random.int(3),
    faultEveryMs: random.pick([150, 300, 600]),
    membershipChanges: random.chance(0.5),
    appendBatchEntriesMax: random.pick([1, 4, 64]),
    inflightMessagesMax: random.pick([1, 4, 16]),
    bugs: [],
    ...overrides,
  };
}

export function describeOptions(o: SimOptions): string {
  return `seed=${o.seed} members=${o.members} electionTicks=${o.electionTicks} ` +
    `safetyMs=${o.safetyMs} drop=${o.dropRate} dup=${o.duplicateRate} delayMax=${o.delayMsMax} ` +
    `diskMax=${o.diskLatencyMsMax} snapshotEvery=${o.snapshotEntries} clients=${o.clients} ` +
    `keys=${o.keys} faultEvery=${o.faultEveryMs} membership=${o.membershipChanges} ` +
    `batchMax=${o.appendBatchEntriesMax} inflightMax=${o.inflightMessagesMax} ` +
    `bugs=${o.bugs.join(',') || 'none'}`;
}

export function runSimulation(options: SimOptions): SimResult {
  const sim = new Simulation(options);
  try {
    return sim.run();
  } catch (error) {
    const isSafety = error instanceof Error && error.name === 'SafetyViolation';
    return sim.result(isSafety ? 'correctness' : 'crash',
      error instanceof Error ? (isSafety ? error.message : error.stack ?? error.message) : String(error));
  }
}

class Simulation {
  readonly scheduler = new Scheduler();
  readonly root: Prng;
  readonly network: SimNetwork;
  readonly safety = new SafetyChecker();
  readonly members = new Map<NodeId, SimMember>();
  readonly workload: Workload;
  readonly nemesis: Nemesis;
  private steps = 0;

  constructor(readonly options: SimOptions) {
    this.root = new Prng(options.seed);
    this.network = new SimNetwork(this.scheduler, this.root.fork(), {
      dropRate: options.dropRate, duplicateRate: options.duplicateRate,
      delayMsMin: 1, delayMsMax: options.delayMsMax,
    }, (m) => this.deliver(m));
    const ids = Array.from({ length: options.members }, (_, i) => (i + 1).toString(16));
    for (const id of ids) this.addMember(id, true);
    this.workload = new Workload(this.scheduler, this.root.fork(), {
      clients: options.clients, keys: options.keys,
      timeoutMs: options.tickMs * options.electionTicks * 6, thinkMsMax: 20,
    }, () => [...this.members.values()]);
    this.nemesis = new Nemesis(this, this.root.fork());
  }

  addMember(id: NodeId, bootstrap: boolean): SimMember {
    const o = this.options;
    const member = new SimMember(id, this.scheduler, this.root.fork(), {
      electionTicks: o.electionTicks, heartbeatTicks: 1, diskLatencyMsMax: o.diskLatencyMsMax,
      snapshotEntries: o.snapshotEntries, bugs: new Set(o.bugs),
      appendBatchEntriesMax: o.appendBatchEntriesMax, inflightMessagesMax: o.inflightMessagesMax,
    }, {
      send: (m) => this.network.send(m),
      onReady: (from, ready) => {
        this.steps++;
        if (ready.role?.role === 'leader' && from.core) {
          this.safety.onLeader(from.id, ready.role.term, from.core);
        }
        for (const entry of ready.apply) this.safety.onApply(from.id, entry);
      },
    });
    if (bootstrap) {
      const ids = Array.from({ length: o.members }, (_, i) => (i + 1).toString(16));
      const entries = bootstrapEntries(ids.map((x) => ({ id: x, context: new Uint8Array(0) })));
      member.disk.entries = entries;
      member.disk.hardState = { term: 1, vote: '', commit: entries.length };
    }
    this.members.set(id, member);
    member.start();
    this.scheduleTicks(member);
    return member;
  }

  private scheduleTicks(member: SimMember): void {
    const tick = (): void => {
      member.tick();
      // Clock drift: each tick lands within +-10% of the nominal period.
      const jitter = Math.round(this.options.tickMs * (0.9 + 0.2 * this.root.next()));
      this.scheduler.after(jitter, tick);
    };
    this.scheduler.after(this.root.int(this.options.tickMs) + 1, tick);
  }

  private deliver(m: Message): void {
    this.members.get(m.to)?.receive(m);
  }

  run(): SimResult {
    const o = this.options;
    this.workload.start();
    this.nemesis.start(o.faultEveryMs);
    this.runFor(o.safetyMs);
    this.nemesis.stop();
    this.nemesis.healAll();
    const completedBefore = this.workload.completed;
    this.runFor(o.livenessMs);
    this.workload.stop();
    this.runFor(o.tickMs * o.electionTicks * 7);
    this.checkLogs();
    if (this.workload.completed === completedBefore) {
      return this.result('liveness', `no client operation completed in the ${o.livenessMs} ms after healing`);
    }
    const history = this.workload.history();
    const verdict = checkLinearizable(history, { stepsMax: 2_000_000 });
    if (verdict.verdict === 'not-linearizable') {
      return this.result('correctness',
        `history not linearizable on key ${verdict.key}: ${verdict.explanation}\n` +
        describeHistory(verdict.history));
    }
    return this.result('ok', verdict.verdict === 'unknown' ? `checker gave up: ${verdict.reason}` : '');
  }

  private runFor(ms: number): void {
    const end = this.scheduler.now + ms;
    while (this.scheduler.now < end) {
      this.scheduler.runUntil(Math.min(end, this.scheduler.now + 50), 5_000_000);
      this.checkLogs();
    }
  }

  private checkLogs(): void {
    const cores = [...this.members.values()].flatMap((m) => (m.core ? [m.core] : []));
    this.safety.checkLogMatching(cores);
  }

  result(outcome: SimOutcome, message: string): SimResult {
    return {
      outcome, message, options: this.options,
      stats: {
        timeMs: this.scheduler.now, steps: this.steps, ops: this.workload.recorder.history().length,
        completed: this.workload.completed, timedOut: this.workload.timedOut,
        leaders: this.safety.leaderCount, faults: this.nemesis.faults,
        messages: this.network.stats.sent, dropped: this.network.stats.dropped,
      },
    };
  }
}

export type { Simulation };
