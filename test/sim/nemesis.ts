// The nemesis: on a schedule drawn from the run's PRNG it partitions the network (random
// split, isolated leader, one-way cuts, flapping by frequent changes), crashes and restarts
// members (the leader too), transfers leadership, and changes membership (add learner,
// promote, remove). Test-only.
import type { Prng } from '../../src/lib/prng.js';
import { EMPTY_BYTES, type NodeId } from '../../src/raft/index.js';
import type { SimMember } from './sim-member.js';
import type { Simulation } from './simulator.js';

type Fault = 'partition' | 'isolate-leader' | 'one-way' | 'heal' | 'crash' | 'crash-leader' |
  'power-loss' | 'transfer' | 'add-learner' | 'promote' | 'remove';

export class Nemesis {
  faults = 0;
  private running = false;
  private nextId = 0x100;

  constructor(private readonly sim: Simulation, private readonly random: Prng) {}

  start(everyMs: number): void {
    this.running = true;
    const loop = (): void => {
      if (!this.running) return;
      this.inject();
      this.sim.scheduler.after(1 + this.random.int(everyMs * 2), loop);
    };
    this.sim.scheduler.after(everyMs, loop);
  }

  stop(): void {
    this.running = false;
  }

  healAll(): void {
    this.sim.network.heal();
    for (const member of this.sim.members.values()) if (!member.running) member.start();
  }

  private inject(): void {
    const choices: Fault[] = ['partition', 'isolate-leader', 'one-way', 'heal', 'heal', 'crash',
      'crash-leader', 'power-loss', 'transfer'];
    if (this.sim.options.membershipChanges) choices.push('add-learner', 'promote', 'remove');
    const fault = this.random.pick(choices);
    this.faults++;
    this.apply(fault);
  }

  private apply(fault: Fault): void {
    const ids = [...this.sim.members.keys()];
    const leader = this.leader();
    switch (fault) {
      case 'partition': {
        const group = ids.filter(() => this.random.chance(0.5));
        this.sim.network.heal();
        this.sim.network.partition(group, ids);
        return;
      }
      case 'isolate-leader':
        if (leader) this.sim.network.partition([leader.id], ids);
        return;
      case 'one-way':
        this.sim.network.cutOneWay(this.random.pick(ids), this.random.pick(ids));
        return;
      case 'heal':
        this.sim.network.heal();
        return;
      case 'crash':
        return this.crash(this.random.pick([...this.sim.members.values()]));
      case 'crash-leader':
        if (leader) this.crash(leader);
        return;
      case 'power-loss':
        // Every member loses power at once: only synced writes survive anywhere.
        for (const member of this.sim.members.values()) this.crash(member);
        return;
      case 'transfer': {
        const voters = leader?.core?.conf.voters ?? [];
        if (leader && voters.length > 1) leader.core?.transferLeadership(this.random.pick(voters));
        return;
      }
      default:
        return this.changeMembership(fault, leader);
    }
  }

  private changeMembership(fault: Fault, leader: SimMember | undefined): void {
    const core = leader?.core;
    if (!core) return;
    const conf = core.conf;
    if (fault === 'add-learner' && this.sim.members.size < 8) {
      const id = (this.nextId++).toString(16);
      const result = core.proposeConfChange({ type: 'add-learner', nodeId: id, context: EMPTY_BYTES });
      if (result.ok) this.sim.addMember(id, false);
    } else if (fault === 'promote' && conf.learners.length > 0) {
      core.proposeConfChange({ type: 'promote', nodeId: this.random.pick(conf.learners), context: EMPTY_BYTES });
    } else if (fault === 'remove' && conf.voters.length > 3) {
      const victim: NodeId = this.random.pick([...conf.voters, ...conf.learners]);
      core.proposeConfChange({ type: 'remove', nodeId: victim, context: EMPTY_BYTES });
    }
  }

  private crash(member: SimMember): void {
    if (!member.running) return;
    member.crash();
    this.sim.scheduler.after(20 + this.random.int(400), () => {
      if (!member.running) member.start();
    });
  }

  private leader(): SimMember | undefined {
    let best: SimMember | undefined;
    for (const member of this.sim.members.values()) {
      const core = member.core;
      if (core?.role !== 'leader') continue;
      if (!best || (best.core && core.term > best.core.term)) best = member;
    }
    return best;
  }
}
