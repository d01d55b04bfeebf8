// Plain data types of the Raft core: entries, messages, hard state, snapshots, the Ready
// batch and caller outcomes. No protobuf here (that lives at the edges: storage, transport).
// Must not import anything outside src/raft and src/lib.

/** A member ID: 1..16 lowercase hex characters, like etcd's uint64 IDs printed in hex. */
export type NodeId = string;

export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque to the core for 'normal'; an encoded ConfChange for 'conf-change'. Empty = no-op. */
  readonly data: Uint8Array;
}

export interface HardState {
  readonly term: number;
  /** The member voted for in `term`, or '' for none. */
  readonly vote: NodeId;
  readonly commit: number;
}

/** The membership at some index. Voters and learners are disjoint. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The state machine's contents at meta.index; opaque to the core. */
  readonly data: Uint8Array;
}

export type ConfChangeType = 'add-voter' | 'add-learner' | 'promote' | 'remove';

export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Opaque to the core: the server stores member attributes (name, peer URLs) here. */
  readonly context: Uint8Array;
}

export type MessageType =
  | 'prevote'
  | 'prevote-resp'
  | 'vote'
  | 'vote-resp'
  | 'append'
  | 'append-resp'
  | 'heartbeat'
  | 'heartbeat-resp'
  | 'snapshot'
  | 'timeout-now'
  | 'propose'
  | 'read-index'
  | 'read-index-resp'
  | 'transfer-leader';

export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  /** The sender's term; a pre-vote carries the term it would campaign in. */
  readonly term: number;
  /** append: term of the entry at `index`; vote: the candidate's last log term. */
  readonly logTerm: number;
  /** append: index before `entries`; append-resp: last matched index; vote: last log index. */
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly reject: boolean;
  /** append-resp when rejected: the follower's hint of where the logs may match. */
  readonly rejectHint: number;
  /** append-resp when rejected: the term of the follower's entry at rejectHint (0 if none). */
  readonly rejectTerm: number;
  /** heartbeat(-resp): read-index round; read-index(-resp): request contexts, joined. */
  readonly context: string;
  readonly snapshot?: Snapshot;
  /** vote/prevote: sent because of a leadership transfer, so leases are ignored. */
  readonly transfer: boolean;
}

export type MessageFields = Partial<Message> & Pick<Message, 'type' | 'to'>;

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

export interface ReadState {
  /** The caller's request context, as passed to readIndex(). */
  readonly context: string;
  /** Serve the read once the state machine has applied this index. */
  readonly index: number;
}

export interface RoleChange {
  readonly role: Role;
  readonly term: number;
  readonly leaderId: NodeId;
}

export interface PersistWork {
  readonly hardState?: HardState;
  /** Drop every stored entry with index >= entries[0].index, then write these. */
  readonly entries: readonly Entry[];
  /** Replace the log and the state machine with this snapshot (before writing entries). */
  readonly snapshot?: Snapshot;
  /** True when the write must be fsynced before anything later in the Ready. */
  readonly sync: boolean;
}

/**
 * One batch of work for the driver, done in field order: persist (fsync when persist.sync),
 * then send, then apply, then answer reads whose index is applied, then call advance().
 * One exception: a leader's 'append', 'heartbeat' and 'snapshot' messages may be sent before
 * the persist completes (the leader counts its own entries only once advance() reports them
 * durable). Every other message (votes, acknowledgements) must wait for the persist.
 */
export interface Ready {
  readonly persist: PersistWork;
  readonly send: readonly Message[];
  /** Committed entries, contiguous, ascending, starting right after the last applied. */
  readonly apply: readonly Entry[];
  readonly reads: readonly ReadState[];
  readonly role?: RoleChange;
}

export type ProposeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'not-leader'; readonly leaderId: NodeId }
  | { readonly ok: false; readonly reason: 'proposal-dropped'; readonly detail: string };

export type ReadIndexResult = ProposeResult;

export interface Progress {
  readonly match: number;
  readonly next: number;
  readonly learner: boolean;
  readonly recentActive: boolean;
}

export interface Status {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly leaderId: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly conf: ConfState;
  readonly transferee: NodeId;
  /** Only on the leader: each member's replication progress. */
  readonly progress: ReadonlyMap<NodeId, Progress>;
}

export const NO_NODE: NodeId = '';
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

export function makeMessage(fields: MessageFields): Message {
  return {
    from: NO_NODE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    rejectTerm: 0,
    context: '',
    transfer: false,
    ...fields,
  };
}

/** Messages a driver may send before the Ready's persist is durable (see Ready). */
export const SEND_BEFORE_PERSIST: ReadonlySet<MessageType> = new Set(['append', 'heartbeat', 'snapshot']);
