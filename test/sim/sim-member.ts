// One simulated member: the real Raft core driven by a ready loop over a simulated disk
// (with latency), the simulated network and the KV state machine. Crash drops everything
// not on disk. Test-only.
import { RaftNode, SEND_BEFORE_PERSIST, type Message, type NodeId, type Ready, type Snapshot } from '../../src/raft/index.js';
import type { Prng } from '../../src/lib/prng.js';
import type { Bug } from './bugs.js';
import { encodeCommand, type KvCommand, type KvResult } from './kv-machine.js';
import type { Scheduler } from './scheduler.js';
import { SimDisk } from './sim-disk.js';

export type ClientAnswer =
  | { kind: 'done'; result: KvResult }
  | { kind: 'read'; value: string | null }
  | { kind: 'rejected' };

export interface MemberHooks {
  send(m: Message): void;
  onReady(member: SimMember, ready: Ready): void;
}

export interface MemberOptions {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly diskLatencyMsMax: number;
  readonly snapshotEntries: number;
  readonly appendBatchEntriesMax: number;
  readonly inflightMessagesMax: number;
  readonly bugs: ReadonlySet<Bug>;
}

export class SimMember {
  core: RaftNode | null = null;
  readonly disk: SimDisk;
  private incarnation = 0;
  private busy = false;
  private pending = new Map<number, (answer: ClientAnswer) => void>();
  private reads: { index: number; answer: () => void }[] = [];
  private readWaiters = new Map<string, () => void>();

  constructor(
    readonly id: NodeId,
    private readonly scheduler: Scheduler,
    private readonly random: Prng,
    private readonly options: MemberOptions,
    private readonly hooks: MemberHooks,
  ) {
    this.disk = new SimDisk(options.bugs.has('forget-vote'));
  }

  get running(): boolean {
    return this.core !== null;
  }

  start(): void {
    const disk = this.disk;
    this.core = new RaftNode(
      {
        id: this.id, random: this.random.fork(), electionTicks: this.options.electionTicks,
        heartbeatTicks: this.options.heartbeatTicks, applied: disk.kv.applied, paranoid: true,
        appendBatchEntriesMax: this.options.appendBatchEntriesMax,
        inflightMessagesMax: this.options.inflightMessagesMax,
        faults: this.options.bugs.has('commit-old-term') ? ['commit-old-term'] : [],
      },
      { hardState: disk.hardState, snapshot: disk.snapshot, entries: disk.entries },
    );
    this.pump();
  }

  crash(): void {
    this.core = null;
    this.incarnation++;
    this.busy = false;
    this.pending.clear();
    this.reads = [];
    this.readWaiters.clear();
    this.disk.crash();
  }

  tick(): void {
    this.core?.tick();
    this.pump();
  }

  receive(m: Message): void {
    if (this.core === null) return;
    this.core.step(m);
    this.pump();
  }

  /** A client request arriving at this member. */
  request(command: KvCommand, answer: (a: ClientAnswer) => void): void {
    const core = this.core;
    if (core === null) return answer({ kind: 'rejected' });
    const result = core.propose([encodeCommand(command)]);
    if (!result.ok) return answer({ kind: 'rejected' });
    this.pending.set(command.id, answer);
    this.pump();
  }

  read(key: string, context: string, answer: (a: ClientAnswer) => void): void {
    const core = this.core;
    if (core === null) return answer({ kind: 'rejected' });
    const respond = (): void => answer({ kind: 'read', value: this.disk.kv.values.get(key) ?? null });
    if (this.options.bugs.has('reads-skip-read-index')) return respond();
    const result = core.readIndex(context);
    if (!result.ok) return answer({ kind: 'rejected' });
    this.readWaiters.set(context, respond);
    this.pump();
  }

  private pump(): void {
    const core = this.core;
    if (core === null || this.busy || !core.hasReady()) return;
    const ready = core.ready();
    this.busy = true;
    this.hooks.onReady(this, ready);
    const incarnation = this.incarnation;
    // Same rule as the real member: a leader's appends go out while it persists its own copy;
    // acknowledgements and votes wait for the disk. The bug sends everything early.
    const early = this.options.bugs.has('ack-before-fsync');
    const before = early ? ready.send : ready.send.filter((m) => SEND_BEFORE_PERSIST.has(m.type));
    const after = early ? [] : ready.send.filter((m) => !SEND_BEFORE_PERSIST.has(m.type));
    for (const m of before) this.hooks.send(m);
    const latency = ready.persist.sync ? 1 + this.random.int(this.options.diskLatencyMsMax) : 0;
    this.scheduler.after(latency, () => {
      if (incarnation !== this.incarnation) return; // crashed: the write never happened
      this.disk.write(ready.persist);
      for (const m of after) this.hooks.send(m);
      this.applyReady(ready);
      core.advance(ready);
      this.busy = false;
      this.maybeSnapshot(core);
      this.pump();
    });
  }

  private applyReady(ready: Ready): void {
    const kv = this.disk.kv;
    for (const entry of ready.apply) {
      if (entry.index <= kv.applied) continue;
      if (entry.type !== 'normal') {
        kv.skipTo(entry.index);
        continue;
      }
      const outcome = kv.apply(entry.index, entry.data);
      if (outcome === null) continue;
      const answer = this.pending.get(outcome.id);
      if (answer) {
        this.pending.delete(outcome.id);
        answer({ kind: 'done', result: outcome.result });
      }
    }
    for (const read of ready.reads) {
      const respond = this.readWaiters.get(read.context);
      if (respond === undefined) continue;
      this.readWaiters.delete(read.context);
      this.reads.push({ index: read.index, answer: respond });
    }
    const stillWaiting: typeof this.reads = [];
    for (const read of this.reads) {
      if (read.index <= kv.applied) read.answer();
      else stillWaiting.push(read);
    }
    this.reads = stillWaiting;
  }

  private maybeSnapshot(core: RaftNode): void {
    const applied = core.log.applied;
    if (applied - core.log.snapshot.meta.index < this.options.snapshotEntries) return;
    if (this.disk.kv.applied !== applied) return;
    const snapshot: Snapshot = {
      meta: { index: applied, term: core.log.term(applied) as number, conf: core.conf },
      data: this.disk.kv.serialize(),
    };
    core.compact(snapshot);
    this.disk.compact(snapshot);
  }
}
