// The part of step() shared by every role: term comparison (Raft §5.1), the lease check that
// keeps a partitioned member from disrupting a healthy leader (check-quorum + pre-vote), and
// vote requests (§5.2, §5.4.1). Then dispatch to the role's own step function.
// Imports only src/raft.
import { unreachable } from '../lib/assert.js';
import type { RaftNode } from './raft.js';
import { stepCandidate } from './step-candidate.js';
import { stepFollower } from './step-follower.js';
import { stepLeader } from './step-leader.js';
import { NO_NODE, type Message } from './types.js';

const fromLeader = new Set(['append', 'heartbeat', 'snapshot']);

export function stepAnyRole(node: RaftNode, m: Message): void {
  if (m.term > node.term && !handleHigherTerm(node, m)) return;
  if (m.term !== 0 && m.term < node.term) {
    handleLowerTerm(node, m);
    return;
  }
  if (m.type === 'vote' || m.type === 'prevote') {
    handleVoteRequest(node, m);
    return;
  }
  switch (node.role) {
    case 'leader':
      return stepLeader(node, m);
    case 'candidate':
    case 'pre-candidate':
      return stepCandidate(node, m);
    case 'follower':
      return stepFollower(node, m);
    default:
      unreachable(node.role);
  }
}

/** Returns false when the message must be ignored. */
function handleHigherTerm(node: RaftNode, m: Message): boolean {
  if (m.type === 'vote' || m.type === 'prevote') {
    const inLease = node.config.checkQuorum && node.leaderId !== NO_NODE &&
      node.electionElapsed < node.config.electionTicks;
    if (inLease && !m.transfer) return false;
  }
  if (m.type === 'prevote') return true;
  if (m.type === 'prevote-resp' && !m.reject) return true;
  node.becomeFollower(m.term, fromLeader.has(m.type) ? m.from : NO_NODE);
  return true;
}

function handleLowerTerm(node: RaftNode, m: Message): void {
  if (m.type === 'append' || m.type === 'heartbeat') {
    // Tell a stale leader our term so it steps down (needed with check-quorum/pre-vote).
    node.send({ type: 'append-resp', to: m.from });
  } else if (m.type === 'prevote') {
    node.send({ type: 'prevote-resp', to: m.from, term: node.term, reject: true });
  }
}

function handleVoteRequest(node: RaftNode, m: Message): void {
  const canVote =
    node.vote === m.from ||
    (node.vote === NO_NODE && node.leaderId === NO_NODE) ||
    (m.type === 'prevote' && m.term > node.term);
  const responseType = m.type === 'vote' ? 'vote-resp' : 'prevote-resp';
  if (canVote && node.log.isUpToDate(m.index, m.logTerm)) {
    node.send({ type: responseType, to: m.from, term: m.term });
    if (m.type === 'vote') {
      node.electionElapsed = 0;
      node.vote = m.from;
    }
  } else {
    node.send({ type: responseType, to: m.from, term: node.term, reject: true });
  }
}
