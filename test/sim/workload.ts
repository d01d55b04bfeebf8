// Simulated clients: each runs one operation at a time (read, write, compare-and-set,
// delete) on a few keys against a random member, gives up after a timeout (the operation is
// then indeterminate), and records everything in a history for the linearizability checker.
// Test-only.
import type { Prng } from '../../src/lib/prng.js';
import { HistoryRecorder, type Operation } from '../../src/check/history.js';
import type { Scheduler } from './scheduler.js';
import type { ClientAnswer, SimMember } from './sim-member.js';

export interface WorkloadOptions {
  readonly clients: number;
  readonly keys: number;
  readonly timeoutMs: number;
  readonly thinkMsMax: number;
}

export class Workload {
  readonly recorder: HistoryRecorder;
  private readonly rejected = new Set<number>();
  private nextValue = 0;
  private stopped = false;
  completed = 0;
  timedOut = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly random: Prng,
    private readonly options: WorkloadOptions,
    private readonly members: () => readonly SimMember[],
  ) {
    this.recorder = new HistoryRecorder(() => scheduler.now);
  }

  start(): void {
    for (let client = 0; client < this.options.clients; client++) this.next(client);
  }

  stop(): void {
    this.stopped = true;
  }

  /** The history without operations that were refused outright (they had no effect). */
  history(): Operation[] {
    return this.recorder.history().filter((op) => !this.rejected.has(op.id));
  }

  private next(client: number): void {
    if (this.stopped) return;
    this.scheduler.after(1 + this.random.int(this.options.thinkMsMax), () => this.issue(client));
  }

  private issue(client: number): void {
    if (this.stopped) return;
    const members = this.members();
    const member = this.random.pick(members);
    const key = `k${this.random.int(this.options.keys)}`;
    const roll = this.random.next();
    let settled = false;
    let id = -1;
    const finish = (answer: ClientAnswer): void => {
      if (settled) return;
      settled = true;
      this.record(id, answer);
      this.next(client);
    };
    if (roll < 0.4) {
      id = this.recorder.invoke(client, key, 'read');
      member.read(key, `read-${id}`, finish);
    } else {
      const command = this.command(roll, key);
      id = this.recorder.invoke(client, key, command.op, command);
      member.request({ id, key, ...command }, finish);
    }
    this.scheduler.after(this.options.timeoutMs, () => {
      if (settled) return;
      settled = true;
      this.timedOut++;
      this.recorder.abandon(id);
      this.next(client);
    });
  }

  private command(roll: number, key: string): {
    op: 'write' | 'cas' | 'delete'; value?: string; expected?: string;
  } {
    const value = `v${this.nextValue++}`;
    if (roll < 0.7) return { op: 'write', value };
    if (roll < 0.9) {
      const expected = this.nextValue > 1 ? `v${this.random.int(this.nextValue - 1)}` : 'v0';
      return { op: 'cas', value, expected };
    }
    void key;
    return { op: 'delete' };
  }

  private record(id: number, answer: ClientAnswer): void {
    if (answer.kind === 'rejected') {
      this.rejected.add(id);
      this.recorder.abandon(id);
      return;
    }
    this.completed++;
    if (answer.kind === 'read') this.recorder.complete(id, 'ok', answer.value);
    else this.recorder.complete(id, answer.result.ok ? 'ok' : 'fail');
  }
}
