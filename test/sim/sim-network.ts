// The simulated network: delays, drops, duplicates and reorders messages, and blocks links
// to model partitions (symmetric, asymmetric, majority/minority, flapping). Faults it may
// inject: loss, duplication, reordering, delay up to delayMsMax, one-way cuts.
// Test-only.
import type { Message, NodeId } from '../../src/raft/index.js';
import type { Prng } from '../../src/lib/prng.js';
import type { Scheduler } from './scheduler.js';

export interface NetworkOptions {
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly delayMsMin: number;
  readonly delayMsMax: number;
}

export class SimNetwork {
  /** Blocked one-way links, as "from>to". */
  private readonly cut = new Set<string>();
  readonly stats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: Prng,
    public options: NetworkOptions,
    private readonly deliver: (m: Message) => void,
  ) {}

  send(m: Message): void {
    this.stats.sent++;
    if (this.isCut(m.from, m.to) || this.random.chance(this.options.dropRate)) {
      this.stats.dropped++;
      return;
    }
    this.schedule(m);
    if (this.random.chance(this.options.duplicateRate)) {
      this.stats.duplicated++;
      this.schedule(m);
    }
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cut.has(`${from}>${to}`);
  }

  cutOneWay(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Isolates `group` from everyone else, both ways. */
  partition(group: readonly NodeId[], all: readonly NodeId[]): void {
    for (const a of group) {
      for (const b of all) {
        if (group.includes(b)) continue;
        this.cutOneWay(a, b);
        this.cutOneWay(b, a);
      }
    }
  }

  heal(): void {
    this.cut.clear();
  }

  describeCuts(): string {
    return [...this.cut].sort().join(' ');
  }

  private schedule(m: Message): void {
    const { delayMsMin, delayMsMax } = this.options;
    const delay = delayMsMin + this.random.int(delayMsMax - delayMsMin + 1);
    this.scheduler.after(delay, () => {
      // A link cut while the message was in flight loses it.
      if (this.isCut(m.from, m.to)) {
        this.stats.dropped++;
        return;
      }
      this.stats.delivered++;
      this.deliver(m);
    });
  }
}
