// One running member: the Raft core, its ready loop over durable storage and the transport,
// the v2 keyspace it applies to, proposal and read tracking for clients, and leader-driven
// TTL expiry. Gets its world through interfaces (storage, transport, clock, random).
import type { Logger } from 'pino';
import type { Random } from '../lib/prng.js';
import {
  RaftNode, SEND_BEFORE_PERSIST, decodeConfChange, type Entry, type NodeId, type Ready, type Snapshot,
} from '../raft/index.js';
import type { RaftStorage, LoadedState } from '../storage/raft-storage.js';
import { ErrorCode, V2Error, V2Store, commandForRequest, type V2Result, type V2WriteRequest } from '../store/v2/index.js';
import type { Transport } from '../transport/transport.js';
import {
  decodeAttributes, decodeEnvelope, decodeSnapshotImage, encodeEnvelope, encodeSnapshotImage,
  type MemberAttributes,
} from './envelope.js';

export interface Clock {
  nowMs(): number;
  setInterval(fn: () => void, ms: number): { stop(): void };
}

export interface MemberOptions {
  readonly id: NodeId;
  readonly name: string;
  readonly clusterId: string;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly snapshotCount: number;
  readonly requestTimeoutMs: number;
  readonly storage: RaftStorage;
  readonly transport: Transport;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Optional latency observers (metrics). */
  readonly observe?: { fsyncSeconds(seconds: number): void; applySeconds(seconds: number): void };
  /** Called once after a storage failure (the daemon exits; a supervisor restarts it). */
  readonly onFatal?: (error: unknown) => void;
  /** Test-only broken-on-purpose switches, for showing the Jepsen harness catches them. */
  readonly testBugs?: ReadonlySet<'reads-skip-read-index' | 'ack-before-fsync'>;
}

interface Waiter<T> { resolve(value: T): void; timer: ReturnType<typeof setTimeout> }

export class Member {
  readonly core: RaftNode;
  readonly store: V2Store;
  readonly members = new Map<NodeId, MemberAttributes>();
  private readonly options: MemberOptions;
  private readonly pending = new Map<string, Waiter<V2Result>>();
  private readonly readWaiters = new Map<string, Waiter<boolean>>();
  private readsByIndex: { index: number; context: string }[] = [];
  private expiring = new Set<string>();
  private counter = 0;
  /**
   * Request IDs must never repeat across restarts: an entry proposed before a crash can be
   * applied after it, and must not answer a new request that happens to reuse its ID.
   */
  private readonly incarnation: string;

  private nextRequestId(): string {
    return `${this.options.id}-${this.incarnation}-${++this.counter}`;
  }
  private busy = false;
  private ticker: { stop(): void } | null = null;
  private stopped = false;
  appliedAtMs = 0;
  /** Counters for /metrics. */
  readonly counts = { proposalsFailed: 0, leaderChanges: 0, entriesApplied: 0 };

  get pendingProposals(): number {
    return this.pending.size;
  }

  constructor(options: MemberOptions, loaded: LoadedState) {
    this.options = options;
    this.incarnation = [0, 1].map(() => options.random.int(2 ** 32).toString(36)).join('');
    this.store = V2Store.load(loaded.records);
    this.restoreMembers(loaded);
    this.core = new RaftNode({
      id: options.id, random: options.random, electionTicks: options.electionTicks,
      heartbeatTicks: 1, applied: loaded.applied,
    }, { hardState: loaded.hardState, snapshot: loaded.snapshot, entries: loaded.entries });
    options.transport.onMessage((m) => {
      if (this.stopped) return;
      this.core.step(m);
      this.pump();
    });
  }

  start(): void {
    this.ticker = this.options.clock.setInterval(() => this.tick(), this.options.tickMs);
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ticker?.stop();
    for (const waiter of this.pending.values()) clearTimeout(waiter.timer);
    for (const waiter of this.readWaiters.values()) clearTimeout(waiter.timer);
  }

  /** Gracefully hands leadership to the most caught-up voter (used on SIGTERM). */
  async transferLeadership(waitMs: number): Promise<void> {
    const status = this.core.status();
    if (status.role !== 'leader') return;
    let best: NodeId | null = null;
    let bestMatch = -1;
    for (const [id, progress] of status.progress) {
      if (id === this.options.id || progress.learner || progress.match <= bestMatch) continue;
      best = id;
      bestMatch = progress.match;
    }
    if (best === null) return;
    this.core.transferLeadership(best);
    this.pump();
    const deadline = this.options.clock.nowMs() + waitMs;
    while (this.core.role === 'leader' && this.options.clock.nowMs() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Replicates one v2 write and answers with its result once applied here. */
  write(request: V2WriteRequest): Promise<V2Result> {
    const command = commandForRequest(request, this.options.clock.nowMs());
    if (command instanceof V2Error) return Promise.resolve(command);
    const id = this.nextRequestId();
    const data = encodeEnvelope({ r: id, v2: command });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.counts.proposalsFailed++;
        resolve(this.timeoutError());
      }, this.options.requestTimeoutMs);
      this.pending.set(id, { resolve, timer });
      this.proposeWhenLeaderKnown(id, data, this.options.clock.nowMs() + this.options.requestTimeoutMs);
    });
  }

  private proposeWhenLeaderKnown(id: string, data: Uint8Array, deadline: number): void {
    if (!this.pending.has(id)) return;
    const result = this.core.propose([data]);
    if (result.ok) {
      this.pump();
      return;
    }
    if (this.options.clock.nowMs() >= deadline) return;
    setTimeout(() => this.proposeWhenLeaderKnown(id, data, deadline), this.options.tickMs);
  }

  /** Resolves true once this member has applied past a ReadIndex point; false on timeout. */
  readBarrier(): Promise<boolean> {
    if (this.options.testBugs?.has('reads-skip-read-index')) return Promise.resolve(true);
    const context = `r-${this.nextRequestId()}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.readWaiters.delete(context);
        resolve(false);
      }, this.options.requestTimeoutMs);
      this.readWaiters.set(context, { resolve, timer });
      const ask = (): void => {
        if (!this.readWaiters.has(context)) return;
        if (this.core.readIndex(context).ok) this.pump();
        else setTimeout(ask, this.options.tickMs);
      };
      ask();
    });
  }

  timeoutError(): V2Error {
    const cause = this.core.leaderId === '' ? 'etcdserver: no leader' : 'etcdserver: request timed out';
    return new V2Error(this.core.leaderId === '' ? ErrorCode.LeaderElection : ErrorCode.RaftInternal, cause, this.store.etcdIndex);
  }

  get transport(): Transport {
    return this.options.transport;
  }

  /** Resolves true once the log is applied through `index` here, false after `timeoutMs`. */
  waitApplied(index: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const deadline = this.options.clock.nowMs() + timeoutMs;
      const check = (): void => {
        if (this.core.log.applied >= index) return resolve(true);
        if (this.stopped || this.options.clock.nowMs() >= deadline) return resolve(false);
        setTimeout(check, 5);
      };
      check();
    });
  }

  /** Replicates new attributes for member `id` (e.g. new peer URLs) and waits for them. */
  async publishAndWait(id: NodeId, attributes: MemberAttributes, timeoutMs: number): Promise<boolean> {
    const result = this.core.propose([encodeEnvelope({ r: this.nextRequestId(), publish: { id, attributes } })]);
    if (!result.ok) return false;
    this.pump();
    const deadline = this.options.clock.nowMs() + timeoutMs;
    while (this.options.clock.nowMs() < deadline) {
      if (JSON.stringify(this.members.get(id)) === JSON.stringify(attributes)) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  /** Publishes this member's attributes (client URLs) through the log until they are in. */
  publishAttributes(attributes: MemberAttributes): void {
    const published = (): boolean => {
      const known = this.members.get(this.options.id);
      return known !== undefined && JSON.stringify(known) === JSON.stringify(attributes);
    };
    const attempt = (): void => {
      if (this.stopped || published()) return;
      const id = this.nextRequestId();
      this.core.propose([encodeEnvelope({ r: id, publish: { id: this.options.id, attributes } })]);
      this.pump();
      setTimeout(attempt, this.options.tickMs * 10);
    };
    setTimeout(attempt, this.options.tickMs);
  }

  private tick(): void {
    if (this.stopped) return;
    this.core.tick();
    if (this.core.role === 'leader') this.proposeExpirations();
    this.pump();
  }

  /** Expiry is decided by the leader: it proposes the expirations, every member applies them. */
  private proposeExpirations(): void {
    const now = this.options.clock.nowMs();
    const keys = this.store.expiredKeys(now).filter((key) => !this.expiring.has(key));
    if (keys.length === 0) return;
    const commands = keys.map((path) => {
      this.expiring.add(path);
      return encodeEnvelope({ r: this.nextRequestId(), v2: { op: 'expire', path, timeMs: now } });
    });
    this.core.propose(commands);
  }

  private pump(): void {
    if (this.busy || this.stopped || !this.core.hasReady()) return;
    const ready = this.core.ready();
    this.busy = true;
    this.handleReady(ready).then(() => {
      this.busy = false;
      this.pump();
    }, (error: unknown) => {
      this.options.logger.fatal({ err: error }, 'storage failed (disk full or a failed write): this ' +
        'member stops acknowledging and stops leading; the others elect a leader');
      this.stopped = true;
      this.ticker?.stop();
      for (const waiter of this.pending.values()) clearTimeout(waiter.timer);
      for (const [id, waiter] of this.pending) {
        this.pending.delete(id);
        waiter.resolve(new V2Error(ErrorCode.RaftInternal, 'etcdserver: storage failed on this member', this.store.etcdIndex));
      }
      this.options.onFatal?.(error);
    });
  }

  private async handleReady(ready: Ready): Promise<void> {
    if (ready.role) {
      this.options.logger.info({ ...ready.role }, 'raft role changed');
      if (ready.role.leaderId !== '') this.counts.leaderChanges++;
    }
    // A leader's appends go out while it fsyncs its own copy (see Ready); acknowledgements and
    // votes wait for the fsync. The test bug 'ack-before-fsync' sends everything early.
    const early = this.options.testBugs?.has('ack-before-fsync') === true;
    const before = early ? ready.send : ready.send.filter((m) => SEND_BEFORE_PERSIST.has(m.type));
    const after = early ? [] : ready.send.filter((m) => !SEND_BEFORE_PERSIST.has(m.type));
    if (before.length > 0) this.options.transport.send(before);
    const started = this.options.clock.nowMs();
    await this.options.storage.persist(ready.persist);
    const took = this.options.clock.nowMs() - started;
    if (ready.persist.sync) this.options.observe?.fsyncSeconds(took / 1000);
    if (took > 100) this.options.logger.warn({ ms: took }, 'slow fsync');
    if (ready.persist.snapshot) {
      this.installSnapshot(ready.persist.snapshot);
      await this.options.storage.saveApplied(ready.persist.snapshot.meta.index, this.store.takeChanges());
    }
    if (after.length > 0) this.options.transport.send(after);
    const applyStarted = this.options.clock.nowMs();
    for (const entry of ready.apply) this.applyEntry(entry);
    const last = ready.apply[ready.apply.length - 1];
    if (last) {
      this.counts.entriesApplied += ready.apply.length;
      await this.options.storage.saveApplied(last.index, this.store.takeChanges());
      this.options.observe?.applySeconds((this.options.clock.nowMs() - applyStarted) / 1000);
      this.appliedAtMs = this.options.clock.nowMs();
    }
    for (const read of ready.reads) this.readsByIndex.push(read);
    this.core.advance(ready);
    this.answerReads();
    await this.maybeSnapshot();
  }

  private applyEntry(entry: Entry): void {
    if (entry.type === 'conf-change') {
      const change = decodeConfChange(entry.data);
      if (change.type === 'remove') {
        this.members.delete(change.nodeId);
        if (change.nodeId !== this.options.id) this.options.transport.removePeer(change.nodeId);
      } else if (change.context.length > 0) {
        const attributes = decodeAttributes(change.context);
        this.members.set(change.nodeId, attributes);
        this.connectPeer(change.nodeId, attributes);
      }
      return;
    }
    const envelope = decodeEnvelope(entry.data);
    if (envelope?.publish && this.members.has(envelope.publish.id)) {
      this.members.set(envelope.publish.id, envelope.publish.attributes);
      this.connectPeer(envelope.publish.id, envelope.publish.attributes);
    }
    if (envelope === null || envelope.v2 === undefined) return;
    if (entry.index <= this.store.appliedIndex) return;
    const result = this.store.apply(entry.index, envelope.v2);
    if (envelope.v2.op === 'expire') this.expiring.delete(envelope.v2.path);
    const waiter = this.pending.get(envelope.r);
    if (waiter) {
      this.pending.delete(envelope.r);
      clearTimeout(waiter.timer);
      waiter.resolve(result);
    }
  }

  private answerReads(): void {
    const applied = this.core.log.applied;
    const waiting: typeof this.readsByIndex = [];
    for (const read of this.readsByIndex) {
      if (read.index > applied) {
        waiting.push(read);
        continue;
      }
      const waiter = this.readWaiters.get(read.context);
      if (!waiter) continue;
      this.readWaiters.delete(read.context);
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
    this.readsByIndex = waiting;
  }

  private installSnapshot(snapshot: Snapshot): void {
    const image = decodeSnapshotImage(snapshot.data);
    for (const [id, attributes] of image.members) {
      this.members.set(id, attributes);
      this.connectPeer(id, attributes);
    }
    // The keyspace's own applied index: the last v2 command, at or before the snapshot index.
    this.store.restore(image.v2, image.v2Applied);
  }

  private async maybeSnapshot(): Promise<void> {
    const log = this.core.log;
    if (log.applied - log.snapshot.meta.index < this.options.snapshotCount) return;
    if (this.store.appliedIndex > log.applied) return;
    const data = encodeSnapshotImage({
      members: [...this.members], v2: this.store.snapshot(), v2Applied: this.store.appliedIndex,
    });
    const snapshot: Snapshot = {
      meta: { index: log.applied, term: log.term(log.applied) as number, conf: this.core.conf },
      data,
    };
    await this.options.storage.compact(snapshot);
    this.core.compact(snapshot);
    this.options.logger.info({ index: snapshot.meta.index, bytes: data.length }, 'snapshot taken, log compacted');
  }

  private restoreMembers(loaded: LoadedState): void {
    if (loaded.snapshot.data.length > 0) {
      const image = decodeSnapshotImage(loaded.snapshot.data);
      for (const [id, attributes] of image.members) {
        this.members.set(id, attributes);
        this.connectPeer(id, attributes);
      }
    }
    for (const entry of loaded.entries) {
      if (entry.index > loaded.applied) break;
      if (entry.type === 'conf-change') this.applyEntry(entry);
    }
  }

  private connectPeer(id: NodeId, attributes: MemberAttributes): void {
    const url = attributes.peerURLs[0];
    if (id === this.options.id || url === undefined) return;
    try {
      this.options.transport.updatePeer(id, url);
    } catch (error) {
      this.options.logger.error({ err: error, member: id, url }, 'member has an unusable peer URL');
    }
  }
}
