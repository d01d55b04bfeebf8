// The anomalies a Jepsen-style run can report, one kind per broken promise. Imports nothing.

export type AnomalyKind =
  /** The client history has no linearization (checkLinearizable). */
  | 'not-linearizable'
  /** An acknowledged change is neither in the final state nor overwritten by a later change. */
  | 'lost-write'
  /** A member exited on its own (not killed or stopped by the nemesis). */
  | 'member-crash'
  /** After healing, members hold different keys or values, or stop at different etcd indexes. */
  | 'members-diverge'
  /** A watcher got an event twice, or out of index order. */
  | 'watch-order'
  /** A watcher missed an event inside a range it saw. */
  | 'watch-gap'
  /** Two watchers (or a watcher and an acknowledged answer) disagree about one index. */
  | 'watch-mismatch'
  /** Replaying the watched events does not give the final state. */
  | 'watch-final-state'
  /** A member exited on its own (not killed or stopped by the nemesis). */
  | 'member-crash'
  /** After healing, the cluster did not elect a leader, converge, or answer within the bound. */
  | 'liveness';

export interface Anomaly {
  readonly kind: AnomalyKind;
  readonly message: string;
}

/** Anomalies counted by kind, e.g. { 'watch-gap': 2 }. */
export function countByKind(anomalies: readonly Anomaly[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const anomaly of anomalies) counts[anomaly.kind] = (counts[anomaly.kind] ?? 0) + 1;
  return counts;
}
