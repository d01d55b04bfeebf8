// Majority arithmetic: the committed index of a set of voters and the outcome of a vote.
// Pure functions. Imports only src/raft/types.ts.
import type { NodeId } from './types.js';

export function majority(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The largest index acknowledged by a majority of `voters`. 0 with no voters. */
export function committedIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0;
  const matches = voters.map(matchOf).sort((a, b) => b - a);
  return matches[majority(voters.length) - 1] as number;
}

export type VoteOutcome = 'won' | 'lost' | 'pending';

export function voteOutcome(
  voters: readonly NodeId[],
  votes: ReadonlyMap<NodeId, boolean>,
): VoteOutcome {
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const needed = majority(voters.length);
  if (granted >= needed) return 'won';
  if (voters.length - rejected < needed) return 'lost';
  return 'pending';
}
