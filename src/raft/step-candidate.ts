// step() for pre-candidates and candidates: counting (pre-)votes, and stepping down when a
// leader of the same term shows up. Imports only src/raft.
import type { RaftNode } from './raft.js';
import { stepFollower } from './step-follower.js';
import type { Message } from './types.js';

export function stepCandidate(node: RaftNode, m: Message): void {
  const myResponse = node.role === 'pre-candidate' ? 'prevote-resp' : 'vote-resp';
  switch (m.type) {
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      node.becomeFollower(m.term, m.from);
      stepFollower(node, m);
      return;
    case 'prevote-resp':
    case 'vote-resp':
      if (m.type !== myResponse) return;
      node.votes.set(m.from, !m.reject);
      node.checkElection();
      return;
    case 'timeout-now':
      return; // a candidate is already campaigning
    default:
      return; // proposals and reads are refused by propose()/readIndex(); drop the rest
  }
}
