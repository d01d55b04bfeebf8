// The model-agnostic seam between the replicated log and a keyspace. The etcd v2 keyspace
// (src/store/v2/) is one implementation; a v3-style MVCC keyspace will be another, fed by the
// same log. Nothing here may assume the v2 data model. Imports nothing.

/** What one apply changed, for the durable copy: whole records by key, and deleted keys. */
export interface StateChanges {
  readonly puts: ReadonlyMap<string, Uint8Array>;
  readonly deletes: ReadonlySet<string>;
}

export interface StateMachine<Command, Result> {
  /**
   * Applies one committed command at log index `index`. Deterministic: the same state and
   * the same (index, command) give the same result and the same next state on every member.
   * Never throws for a bad command: a refused command is a Result (an error value).
   */
  apply(index: number, command: Command): Result;
  /** The log index of the last command applied (0 before any). */
  readonly appliedIndex: number;
  /** Records changed since the last call, to write with the applied index in one batch. */
  takeChanges(): StateChanges;
  /** The whole state as bytes, for a Raft snapshot at appliedIndex. */
  snapshot(): Uint8Array;
  /** Replaces the whole state with a snapshot made by snapshot(). */
  restore(data: Uint8Array, appliedIndex: number): void;
}
