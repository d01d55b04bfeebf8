// step() for followers: accepting appends (§5.3) with conflict hints, heartbeats, snapshots,
// forwarding proposals and reads to the leader, and starting an election on timeout-now.
// Imports only src/raft.
import type { RaftNode } from './raft.js';
import { NO_NODE, type Message } from './types.js';

export function stepFollower(node: RaftNode, m: Message): void {
  switch (m.type) {
    case 'append':
      node.electionElapsed = 0;
      node.leaderId = m.from;
      return handleAppend(node, m);
    case 'heartbeat':
      node.electionElapsed = 0;
      node.leaderId = m.from;
      node.log.commitTo(Math.min(m.commit, node.log.lastIndex()));
      node.send({ type: 'heartbeat-resp', to: m.from, context: m.context });
      return;
    case 'snapshot':
      node.electionElapsed = 0;
      node.leaderId = m.from;
      return handleSnapshot(node, m);
    case 'propose':
      if (node.leaderId !== NO_NODE) node.send({ ...m, to: node.leaderId, term: 0 });
      return;
    case 'read-index':
      if (node.leaderId !== NO_NODE) node.send({ ...m, to: node.leaderId, term: 0 });
      return;
    case 'read-index-resp':
      node.readStates.push({ context: m.context, index: m.index });
      return;
    case 'transfer-leader':
      if (node.leaderId !== NO_NODE) node.send({ ...m, to: node.leaderId, term: 0 });
      return;
    case 'timeout-now':
      node.campaign(true);
      return;
    default:
      return;
  }
}

function handleAppend(node: RaftNode, m: Message): void {
  if (m.index < node.log.committed) {
    node.send({ type: 'append-resp', to: m.from, index: node.log.committed });
    return;
  }
  const lastNew = node.log.maybeAppend(m.index, m.logTerm, m.entries);
  if (lastNew !== null) {
    node.log.commitTo(Math.min(m.commit, lastNew));
    node.send({ type: 'append-resp', to: m.from, index: lastNew });
    return;
  }
  // Fast backtracking: point the leader at the last entry whose term is <= m.logTerm.
  const hint = node.log.findConflictByTerm(Math.min(m.index, node.log.lastIndex()), m.logTerm);
  node.send({
    type: 'append-resp', to: m.from, index: m.index, reject: true,
    rejectHint: hint.index, rejectTerm: hint.term,
  });
}

function handleSnapshot(node: RaftNode, m: Message): void {
  const snapshot = m.snapshot;
  if (snapshot === undefined) return;
  const { index, term } = snapshot.meta;
  if (index <= node.log.committed) {
    node.send({ type: 'append-resp', to: m.from, index: node.log.committed });
    return;
  }
  if (node.log.matchTerm(index, term)) {
    // We already have the entry: just fast-forward the commit.
    node.log.commitTo(index);
  } else {
    node.log.restore(snapshot);
    node.conf = snapshot.meta.conf;
  }
  node.send({ type: 'append-resp', to: m.from, index: node.log.lastIndex() });
}
