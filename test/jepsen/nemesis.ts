// Runs a planned nemesis schedule against a JepsenCluster: each lane waits its gap (counted once
// a leader is back, so a slow restart does not eat it), starts its fault (targets from the
// fault's seed and, for leader faults, who leads now), holds it, then undoes exactly what it did.
// Logs every step with its time; stop() ends the lanes, leaving the final heal to the caller.
import { Prng } from '../../src/lib/prng.js';
import type { JepsenCluster, JepsenNode } from './jepsen-cluster.js';
import { rejoinMember, removeMember } from './membership.js';
import type { FaultKind, Lane, PlannedFault } from './nemesis-plan.js';

export interface NemesisLogLine {
  readonly atMs: number;
  readonly lane: Lane | 'final';
  readonly text: string;
}

type Undo = () => Promise<void> | void;

/** After a heal, a lane waits at most this long for a leader before its next gap. */
const leaderWaitMsMax = 10_000;

export class Nemesis {
  readonly log: NemesisLogLine[] = [];
  /** Faults started, by kind. */
  readonly injected: Partial<Record<FaultKind, number>> = {};
  /** Faults planned but not applicable (e.g. membership without the endpoints), by kind. */
  readonly skipped: Partial<Record<FaultKind, number>> = {};
  private stopped = false;
  private wake: (() => void)[] = [];
  private lanes: Promise<void>[] = [];

  constructor(
    private readonly cluster: JepsenCluster,
    private readonly plan: readonly PlannedFault[],
    private readonly clock: () => number,
    /** Why membership faults cannot run (null: they can). */
    private readonly membershipUnsupported: string | null,
    private readonly echo: (line: string) => void = () => {},
  ) {}

  start(): void {
    for (const lane of ['network', 'process'] as const) {
      this.lanes.push(this.runLane(lane, this.plan.filter((f) => f.lane === lane)));
    }
  }

  /** Ends the lanes at their next step (an active fault is left for the final heal). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wake.splice(0)) wake();
    await Promise.all(this.lanes);
  }

  note(lane: NemesisLogLine['lane'], text: string): void {
    const line = { atMs: Math.round(this.clock()), lane, text };
    this.log.push(line);
    this.echo(`+${(line.atMs / 1000).toFixed(1)}s ${lane} ${text}`);
  }

  private async runLane(lane: Lane, faults: readonly PlannedFault[]): Promise<void> {
    for (const fault of faults) {
      if (!(await this.pause(fault.gapMs))) return;
      const undo = await this.apply(fault).catch((error: unknown) => {
        this.note(lane, `${fault.kind} failed to start: ${String(error)}`);
        return null;
      });
      if (undo === null) continue;
      const held = await this.pause(fault.holdMs);
      if (!held) return; // stopped while holding: the final heal undoes it
      await undo();
      this.note(lane, `${fault.kind} healed`);
      await this.awaitLeader();
    }
  }

  private async awaitLeader(): Promise<void> {
    const deadline = Date.now() + leaderWaitMsMax;
    while (!this.stopped && Date.now() < deadline) {
      if ((await this.cluster.leaders()).length > 0) return;
      await this.pause(200);
    }
  }

  /** Sleeps `ms` unless stopped first; false when stopped. */
  private pause(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(!this.stopped), ms);
      this.wake.push(() => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }

  /** Starts one fault; returns how to undo it, or null when it was skipped. */
  private async apply(fault: PlannedFault): Promise<Undo | null> {
    const random = new Prng(fault.seed);
    const undo = fault.lane === 'network'
      ? await this.applyNetwork(fault.kind, random)
      : await this.applyProcess(fault.kind, random);
    if (undo === null) {
      this.skipped[fault.kind] = (this.skipped[fault.kind] ?? 0) + 1;
      return null;
    }
    this.injected[fault.kind] = (this.injected[fault.kind] ?? 0) + 1;
    return undo;
  }

  private names(): string[] {
    return this.cluster.nodes.map((n) => n.name);
  }

  /** The member that leads now; if none or several claim it, one drawn from `random`. */
  private async leader(random: Prng, lane: Lane): Promise<JepsenNode> {
    const claims = await this.cluster.leaders();
    if (claims.length === 1) return claims[0] as JepsenNode;
    const pool = claims.length > 0 ? claims : this.cluster.nodes;
    const chosen = random.pick(pool);
    this.note(lane, `leader unclear (${claims.map((n) => n.name).join(',') || 'none'}): ` +
      `chose ${chosen.name}`);
    return chosen;
  }

  private async applyNetwork(kind: FaultKind, random: Prng): Promise<Undo | null> {
    const network = this.cluster.network;
    const names = shuffle(this.names(), random);
    const heal: Undo = () => network.heal();
    switch (kind) {
      case 'partition-halves': {
        const minority = names.slice(0, 1 + random.int(Math.floor(names.length / 2)));
        const majority = names.filter((n) => !minority.includes(n));
        network.cutBetween(minority, majority);
        this.note('network', `partition-halves: [${minority}] | [${majority}]`);
        return heal;
      }
      case 'isolate-leader': {
        const leader = (await this.leader(random, 'network')).name;
        network.cutBetween([leader], names.filter((n) => n !== leader));
        this.note('network', `isolate-leader: [${leader}] | rest`);
        return heal;
      }
      case 'bridge': {
        const middle = Math.floor(names.length / 2);
        const left = names.slice(0, middle);
        const right = names.slice(middle + 1);
        network.cutBetween(left, right);
        this.note('network', `bridge: [${left}] - ${names[middle]} - [${right}]`);
        return heal;
      }
      case 'one-way':
        return this.oneWay(names, random);
      case 'delay': {
        for (const from of names) {
          for (const to of names) {
            if (from === to || !random.chance(0.6)) continue;
            network.setLink(from, to, { mode: 'pass', delayMs: 10 + random.int(291) });
          }
        }
        this.note('network', `delay: ${network.describe()}`);
        return heal;
      }
      case 'reset-links': {
        for (const [i, a] of names.entries()) {
          for (const b of names.slice(i + 1)) {
            if (random.chance(0.4)) network.cutBetween([a], [b], 'reset');
          }
        }
        this.note('network', `reset-links: ${network.describe()}`);
        return heal;
      }
      default:
        throw new Error(`${kind} is not a network fault`);
    }
  }

  private async oneWay(names: string[], random: Prng): Promise<Undo> {
    const network = this.cluster.network;
    if (random.chance(0.5)) {
      const leader = (await this.leader(random, 'network')).name;
      for (const from of names) {
        if (from !== leader) network.setLink(from, leader, { mode: 'blackhole', delayMs: 0 });
      }
      this.note('network', `one-way: leader ${leader} hears nobody (${network.describe()})`);
    } else {
      for (const from of names) {
        for (const to of names) {
          if (from === to || !random.chance(0.3)) continue;
          network.setLink(from, to, { mode: 'blackhole', delayMs: 0 });
        }
      }
      this.note('network', `one-way: ${network.describe()}`);
    }
    return () => network.heal();
  }

  private async applyProcess(kind: FaultKind, random: Prng): Promise<Undo | null> {
    const cluster = this.cluster;
    switch (kind) {
      case 'kill':
      case 'kill-leader': {
        const node = kind === 'kill' ? random.pick(cluster.nodes)
          : await this.leader(random, 'process');
        await cluster.stop(node, 'SIGKILL');
        this.note('process', `${kind}: kill -9 ${node.name}`);
        return () => this.restart([node]);
      }
      case 'kill-majority':
      case 'kill-all': {
        const leader = await this.leader(random, 'process');
        const others = shuffle(cluster.nodes.filter((n) => n !== leader), random);
        const count = kind === 'kill-all' ? others.length : Math.floor(cluster.nodes.length / 2);
        const victims = [leader, ...others.slice(0, count)];
        await Promise.all(victims.map((n) => cluster.stop(n, 'SIGKILL')));
        this.note('process', `${kind}: kill -9 ${victims.map((n) => n.name)}`);
        return () => this.restart(victims);
      }
      case 'pause':
      case 'pause-leader': {
        const node = kind === 'pause' ? random.pick(cluster.nodes)
          : await this.leader(random, 'process');
        if (!node.running) return null;
        cluster.pause(node);
        this.note('process', `${kind}: SIGSTOP ${node.name}`);
        return () => cluster.resume(node);
      }
      case 'restart': {
        const node = random.pick(cluster.nodes);
        await cluster.stop(node, 'SIGTERM');
        this.note('process', `restart: SIGTERM ${node.name} (down for the hold)`);
        return () => this.restart([node]);
      }
      case 'slow-disk':
        return this.slowDisk(random);
      case 'kill-followers-pause-leader':
        return this.killFollowers(random);
      case 'membership':
        return this.removeAndReadd(random);
      default:
        throw new Error(`${kind} is not a process fault`);
    }
  }

  private async slowDisk(random: Prng): Promise<Undo> {
    const cluster = this.cluster;
    const node = random.chance(0.5) ? await this.leader(random, 'process')
      : random.pick(cluster.nodes);
    const normalMs = node.normalFsyncDelayMs;
    await cluster.stop(node, 'SIGKILL');
    node.fsyncDelayMs = normalMs + 20 + random.int(281);
    cluster.start(node);
    this.note('process', `slow-disk: ${node.name} restarted with fsync delay ` +
      `${node.fsyncDelayMs} ms`);
    return async () => {
      await cluster.stop(node, 'SIGTERM');
      node.fsyncDelayMs = normalMs;
      cluster.start(node);
    };
  }

  private async killFollowers(random: Prng): Promise<Undo> {
    const cluster = this.cluster;
    const leader = await this.leader(random, 'process');
    const others = cluster.nodes.filter((n) => n !== leader);
    cluster.pause(leader);
    await Promise.all(others.map((n) => cluster.stop(n, 'SIGKILL')));
    for (const node of others) cluster.start(node);
    this.note('process', `kill-followers-pause-leader: SIGSTOP ${leader.name}, ` +
      `kill -9 and restart ${others.map((n) => n.name)}`);
    return async () => {
      const deadline = Date.now() + leaderWaitMsMax;
      while (!this.stopped && Date.now() < deadline) {
        const leaders = await cluster.leaders();
        if (leaders.some((n) => n !== leader)) break;
        await this.pause(200);
      }
      cluster.resume(leader);
    };
  }

  /** Removes a member (it is stopped, its data wiped); the undo adds it back, empty. */
  private async removeAndReadd(random: Prng): Promise<Undo | null> {
    if (this.membershipUnsupported !== null) {
      this.note('process', `membership: skipped (${this.membershipUnsupported})`);
      return null;
    }
    const up = this.cluster.nodes.filter((n) => n.running && !n.paused && !n.removed);
    if (up.length < 2) return null;
    const node = random.pick(up);
    const via = random.pick(up.filter((n) => n !== node));
    const removed = await removeMember(this.cluster, node, via);
    if (!removed.ok) {
      this.note('process', `membership: ${node.name} not removed (${removed.reason})`);
      return null;
    }
    this.note('process', `membership: removed ${node.name} (id ${node.id}) via ${via.name}; ` +
      'stopped it and wiped its data');
    return async () => {
      const rejoined = await rejoinMember(this.cluster, node);
      const how = rejoined.ok ? 'added back, started empty' : `not added back: ${rejoined.reason}`;
      this.note('process', `membership: ${node.name} ${how}`);
    };
  }

  private async restart(nodes: readonly JepsenNode[]): Promise<void> {
    for (const node of nodes) if (!node.running) this.cluster.start(node);
  }
}

function shuffle<T>(items: readonly T[], random: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
