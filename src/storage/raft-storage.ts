// The durable copy of a member: Raft hard state, log entries and snapshot, the state
// machine's records with its applied index, and the member's identity. Interface only;
// level-raft-storage.ts is the real one. Must not import node:*, level or the server.
import type { Entry, HardState, PersistWork, Snapshot } from '../raft/index.js';
import type { StateChanges } from '../store/state-machine.js';

export interface MemberIdentity {
  readonly clusterId: string;
  readonly memberId: string;
  readonly name: string;
}

export interface LoadedState {
  readonly identity: MemberIdentity | null;
  readonly hardState: HardState;
  readonly snapshot: Snapshot;
  readonly entries: readonly Entry[];
  /** The log index the state machine records reflect. */
  readonly applied: number;
  readonly records: readonly (readonly [string, Uint8Array])[];
}

export interface RaftStorage {
  load(): Promise<LoadedState>;
  saveIdentity(identity: MemberIdentity): Promise<void>;
  /** Writes one Ready's persist work in one atomic batch; fsyncs when work.sync. */
  persist(work: PersistWork): Promise<void>;
  /** Writes state machine changes with the applied index in one atomic batch. */
  saveApplied(applied: number, changes: StateChanges): Promise<void>;
  /** Records a snapshot taken at snapshot.meta.index and deletes the entries it covers. */
  compact(snapshot: Snapshot): Promise<void>;
  close(): Promise<void>;
}

/** The data dir holds records that cannot be read back as written: refuse to start. */
export class StorageCorruptError extends Error {
  override readonly name = 'StorageCorruptError';
}
