// Broken-on-purpose switches: each one breaks Raft in a known way, and the simulator must
// catch every one within a bounded number of seeds (see simulator.test.ts). Test-only.
export type Bug =
  /** The core commits an old-term entry by counting replicas (Raft §5.4.2, Figure 8). */
  | 'commit-old-term'
  /** Quorum reads are served from the local state machine without ReadIndex. */
  | 'reads-skip-read-index'
  /** Storage drops the vote from the hard state, so a restart can vote twice in a term. */
  | 'forget-vote'
  /** Messages go out before the entries they acknowledge are durable. */
  | 'ack-before-fsync';

export const allBugs: readonly Bug[] = [
  'commit-old-term', 'reads-skip-read-index', 'forget-vote', 'ack-before-fsync',
];
