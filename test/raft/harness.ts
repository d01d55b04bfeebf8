// A small deterministic in-memory cluster for testing the Raft core: each member is a real
// RaftNode with an in-memory storage (what was persisted, read back on restart) and a tiny
// state machine (the list of applied commands). Messages wait in one queue until the test
// delivers them; links can be cut. Every applied entry is checked against what other members
// applied at that index, and every leader against other leaders of its term. Test-only.
import { Prng } from '../../src/lib/prng.js';
import {
  RaftNode, bootstrapEntries, describeEntry, EMPTY_CONF, type Entry, type HardState, type Message,
  type NodeId, type ProposeResult, type RaftConfigInput, type ReadState, type RoleChange,
  type Snapshot,
} from '../../src/raft/index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type MemberConfig = Omit<Partial<RaftConfigInput>, 'id' | 'random'>;

export interface HarnessOptions {
  /** The members of the bootstrapped cluster; default ['1', '2', '3']. */
  readonly voters?: readonly NodeId[];
  readonly seed?: number;
  /** Config for every member (paranoid, electionTicks 10 and heartbeatTicks 1 by default). */
  readonly config?: MemberConfig;
}

/** The durable copy of one member: exactly what its Readies asked to persist. */
export interface MemStorage {
  hardState: HardState;
  snapshot: Snapshot;
  entries: Entry[];
}

export class Member {
  node: RaftNode | null = null;
  /** The state machine: the text of every applied non-empty normal entry. Lost on crash. */
  values: string[] = [];
  appliedIndex = 0;
  readonly reads: ReadState[] = [];
  readonly roles: RoleChange[] = [];
  readonly installedSnapshots: Snapshot[] = [];

  constructor(readonly id: NodeId, readonly storage: MemStorage, readonly config: MemberConfig) {}
}

export const EMPTY_SNAPSHOT: Snapshot = {
  meta: { index: 0, term: 0, conf: EMPTY_CONF }, data: new Uint8Array(0),
};

export type MessageRule = (m: Message) => boolean;

export class Harness {
  readonly members = new Map<NodeId, Member>();
  /** Sent and not yet delivered or dropped, in send order. */
  queue: Message[] = [];
  /** Every message any member ever sent, in order. */
  readonly sent: Message[] = [];
  readonly dropped: Message[] = [];
  /** Safety violations seen so far: two leaders in a term, two entries applied at one index. */
  readonly violations: string[] = [];
  readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly appliedAt = new Map<number, { text: string; by: NodeId }>();
  private readonly isolated = new Set<NodeId>();
  private readonly droppedTo = new Set<NodeId>();
  private rules: MessageRule[] = [];
  private readonly random: Prng;
  private readonly config: MemberConfig;

  constructor(options: HarnessOptions = {}) {
    this.random = new Prng(options.seed ?? 1);
    this.config = { electionTicks: 10, heartbeatTicks: 1, paranoid: true, ...options.config };
    const voters = options.voters ?? ['1', '2', '3'];
    const entries = bootstrapEntries(voters.map((id) => ({ id, context: encoder.encode(id) })));
    for (const id of voters) {
      this.start(new Member(id, {
        hardState: { term: 1, vote: '', commit: entries.length },
        snapshot: EMPTY_SNAPSHOT,
        entries: [...entries],
      }, this.config));
    }
  }

  /** A cluster of `voters` whose member `leader` won an election and committed its no-op. */
  static withLeader(options: HarnessOptions = {}, leader: NodeId = '1'): Harness {
    const h = new Harness(options);
    h.elect(leader);
    h.heartbeat();
    return h;
  }

  // ---- members ------------------------------------------------------------------------------

  get ids(): NodeId[] {
    return [...this.members.keys()];
  }

  member(id: NodeId): Member {
    const member = this.members.get(id);
    if (member === undefined) throw new Error(`no member ${id}`);
    return member;
  }

  node(id: NodeId): RaftNode {
    const node = this.member(id).node;
    if (node === null) throw new Error(`member ${id} is crashed`);
    return node;
  }

  /** A brand-new member with empty storage (to be added by a conf change). */
  addMember(id: NodeId, config: MemberConfig = {}): Member {
    const member = new Member(id, {
      hardState: { term: 0, vote: '', commit: 0 }, snapshot: EMPTY_SNAPSHOT, entries: [],
    }, { ...this.config, ...config });
    this.start(member);
    return member;
  }

  /** Loses everything not persisted: the RaftNode and the state machine. */
  crash(id: NodeId): void {
    const member = this.member(id);
    member.node = null;
  }

  /** Rebuilds the member from its storage; the state machine restarts from the snapshot. */
  restart(id: NodeId): void {
    this.start(this.member(id));
    this.flush();
  }

  private start(member: Member): void {
    const { storage } = member;
    member.values = decodeValues(storage.snapshot.data);
    member.appliedIndex = storage.snapshot.meta.index;
    member.node = new RaftNode(
      { ...member.config, id: member.id, random: this.random.fork(), applied: member.appliedIndex },
      { hardState: storage.hardState, snapshot: storage.snapshot, entries: [...storage.entries] },
    );
    this.members.set(member.id, member);
  }

  private get live(): [Member, RaftNode][] {
    const out: [Member, RaftNode][] = [];
    for (const member of this.members.values()) if (member.node) out.push([member, member.node]);
    return out;
  }

  /** The live leader with the highest term, if any. */
  leader(): NodeId | undefined {
    let best: RaftNode | undefined;
    for (const [, node] of this.live) {
      if (node.role === 'leader' && (best === undefined || node.term > best.term)) best = node;
    }
    return best?.id;
  }

  // ---- client calls ---------------------------------------------------------------------------

  propose(id: NodeId, ...commands: string[]): ProposeResult {
    const result = this.node(id).propose(commands.map((c) => encoder.encode(c)));
    this.flush();
    return result;
  }

  /** The driver's snapshot: the state machine at the applied index, then compact the log. */
  compact(id: NodeId): Snapshot {
    const member = this.member(id);
    const node = this.node(id);
    const index = node.log.applied;
    if (member.appliedIndex !== index) throw new Error(`${id}: state machine not at ${index}`);
    const snapshot: Snapshot = {
      meta: { index, term: node.log.term(index) as number, conf: node.conf },
      data: encodeValues(member.values),
    };
    node.compact(snapshot);
    member.storage.snapshot = snapshot;
    member.storage.entries = member.storage.entries.filter((e) => e.index > index);
    return snapshot;
  }

  // ---- the ready loop -------------------------------------------------------------------------

  /** Handles every pending Ready (persist, queue sends, apply, reads, advance); no delivery. */
  flush(): void {
    for (let busy = true; busy;) {
      busy = false;
      for (const [member, node] of this.live) {
        if (!node.hasReady()) continue;
        busy = true;
        this.handleReady(member, node);
      }
    }
  }

  private handleReady(member: Member, node: RaftNode): void {
    const ready = node.ready();
    const { persist } = ready;
    const storage = member.storage;
    if (persist.snapshot) {
      storage.snapshot = persist.snapshot;
      storage.entries = [];
      member.values = decodeValues(persist.snapshot.data);
      member.appliedIndex = persist.snapshot.meta.index;
      member.installedSnapshots.push(persist.snapshot);
    }
    if (persist.entries.length > 0) {
      const keep = (persist.entries[0] as Entry).index - storage.snapshot.meta.index - 1;
      storage.entries = [...storage.entries.slice(0, Math.max(0, keep)), ...persist.entries];
    }
    if (persist.hardState) storage.hardState = persist.hardState;
    for (const m of ready.send) {
      this.sent.push(m);
      this.queue.push(m);
    }
    for (const entry of ready.apply) this.apply(member, entry);
    member.reads.push(...ready.reads);
    if (ready.role) {
      member.roles.push(ready.role);
      if (ready.role.role === 'leader') this.noteLeader(member.id, ready.role.term);
    }
    node.advance(ready);
  }

  private apply(member: Member, entry: Entry): void {
    if (entry.index <= member.appliedIndex) return;
    if (entry.index !== member.appliedIndex + 1) {
      this.violations.push(`${member.id} applied ${entry.index} after ${member.appliedIndex}`);
    }
    member.appliedIndex = entry.index;
    if (entry.type === 'normal' && entry.data.length > 0) member.values.push(decoder.decode(entry.data));
    const text = describeEntry(entry);
    const first = this.appliedAt.get(entry.index);
    if (first === undefined) this.appliedAt.set(entry.index, { text, by: member.id });
    else if (first.text !== text) {
      this.violations.push(`index ${entry.index}: ${first.by} applied ${first.text}, ${member.id} applied ${text}`);
    }
  }

  private noteLeader(id: NodeId, term: number): void {
    const known = this.leaderOfTerm.get(term);
    if (known === undefined) this.leaderOfTerm.set(term, id);
    else if (known !== id) this.violations.push(`term ${term}: leaders ${known} and ${id}`);
  }

  // ---- the network ----------------------------------------------------------------------------

  /** Cuts every link to and from these members. */
  isolate(...ids: NodeId[]): void {
    for (const id of ids) this.isolated.add(id);
  }

  /** Drops every message addressed to `id` (it can still send). */
  dropTo(id: NodeId): void {
    this.droppedTo.add(id);
  }

  /** Drops every message for which `rule` is true (checked at delivery). */
  dropIf(rule: MessageRule): void {
    this.rules.push(rule);
  }

  /** Heals the network: no isolation, no drops. Messages already dropped stay lost. */
  recover(): void {
    this.isolated.clear();
    this.droppedTo.clear();
    this.rules = [];
  }

  private blocked(m: Message): boolean {
    if (this.members.get(m.to)?.node == null) return true;
    if (this.isolated.has(m.from) || this.isolated.has(m.to) || this.droppedTo.has(m.to)) return true;
    return this.rules.some((rule) => rule(m));
  }

  /** Delivers (or drops, if its link is cut) the queued message at `position`, then flushes. */
  deliver(position = 0): void {
    const [m] = this.queue.splice(position, 1);
    if (m === undefined) return;
    this.step(m);
    this.flush();
  }

  /** Loses the queued message at `position`. */
  drop(position = 0): void {
    const [m] = this.queue.splice(position, 1);
    if (m !== undefined) this.dropped.push(m);
  }

  /** Delivers the queued messages matching `which` (in order), repeatedly, until none is left. */
  deliverWhere(which: MessageRule): void {
    for (let rounds = 0; ; rounds++) {
      if (rounds > 10_000) throw new Error('deliverWhere: no end');
      this.flush();
      const batch = this.queue.filter(which);
      if (batch.length === 0) return;
      this.queue = this.queue.filter((m) => !which(m));
      for (const m of batch) this.step(m);
    }
  }

  /** Processes readies and delivers every message, until nothing is left to do. */
  stabilize(): void {
    this.deliverWhere(() => true);
  }

  private step(m: Message): void {
    if (this.blocked(m)) {
      this.dropped.push(m);
      return;
    }
    this.node(m.to).step(m);
  }

  // ---- time -----------------------------------------------------------------------------------

  /** Ticks one member `n` times, handling its Readies; what it sends stays queued. */
  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) {
      this.node(id).tick();
      this.flush();
    }
  }

  /** `n` times: tick every live member once, then stabilize. */
  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const [, node] of this.live) node.tick();
      this.stabilize();
    }
  }

  /** Ticks the leader until it sends heartbeats, and stabilizes: followers learn the commit. */
  heartbeat(id: NodeId | undefined = this.leader()): void {
    if (id === undefined) throw new Error('heartbeat: no leader');
    this.tick(id, this.node(id).config.heartbeatTicks);
    this.stabilize();
  }

  /**
   * Lets an election timeout pass at `id` without it hearing from a leader, but stops short of
   * its own (randomized) timeout: its lease is over, it has not campaigned.
   */
  expireLease(id: NodeId): void {
    const node = this.node(id);
    if (node.role !== 'leader') node.electionElapsed = Math.max(node.electionElapsed, node.config.electionTicks);
  }

  /** Ticks `id` alone until its election timer fires (it campaigns), then stabilizes. */
  campaign(id: NodeId): void {
    const node = this.node(id);
    for (let i = 0; i <= 2 * node.config.electionTicks; i++) {
      this.tick(id);
      if (node.electionElapsed === 0) {
        this.stabilize();
        return;
      }
    }
    throw new Error(`${id} did not campaign (${node.role}, voters ${node.conf.voters.join(',')})`);
  }

  /** Makes `id` leader: the others' leases expire, then it campaigns (again if it had a stale term). */
  elect(id: NodeId): void {
    for (let attempt = 0; attempt < 4; attempt++) {
      for (const [member] of this.live) if (member.id !== id) this.expireLease(member.id);
      this.campaign(id);
      if (this.node(id).role === 'leader') return;
    }
    throw new Error(`${id} could not win an election: ${JSON.stringify(this.summary())}`);
  }

  // ---- inspection -----------------------------------------------------------------------------

  /** The log of `id` as "term/index data" strings, from its first index. */
  logOf(id: NodeId): string[] {
    const log = this.node(id).log;
    const out: string[] = [];
    for (let index = log.firstIndex(); index <= log.lastIndex(); index++) {
      out.push(describeEntry(log.entry(index) as Entry));
    }
    return out;
  }

  countSent(which: MessageRule): number {
    return this.sent.filter(which).length;
  }

  summary(): Record<NodeId, string> {
    const out: Record<NodeId, string> = {};
    for (const member of this.members.values()) {
      const n = member.node;
      out[member.id] = n === null ? 'crashed'
        : `${n.role} term=${n.term} vote=${n.vote || '-'} leader=${n.leaderId || '-'} ` +
          `last=${n.log.lastIndex()} commit=${n.log.committed}`;
    }
    return out;
  }
}

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

function encodeValues(values: readonly string[]): Uint8Array {
  return encoder.encode(JSON.stringify(values));
}

function decodeValues(data: Uint8Array): string[] {
  return data.length === 0 ? [] : (JSON.parse(decoder.decode(data)) as string[]);
}
