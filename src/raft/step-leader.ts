// step() for the leader: append acknowledgements and rejections (with fast backtracking),
// heartbeat answers (check-quorum activity, read-index rounds), forwarded proposals and reads,
// and leadership transfer (§3.10 of the Raft thesis). Imports only src/raft.
import type { RaftNode } from './raft.js';
import { sendAppend, sendAppendsWhileOpen } from './replication.js';
import { NO_NODE, type Message } from './types.js';

export function stepLeader(node: RaftNode, m: Message): void {
  switch (m.type) {
    case 'propose':
      if (node.transferee === NO_NODE && node.progress.has(node.id) && m.entries.length > 0) {
        node.appendEntries(m.entries.map((e) => ({ type: 'normal' as const, data: e.data })));
      }
      return;
    case 'read-index':
      if (node.progress.has(m.from)) node.leaderReadIndex(m.context, m.from);
      return;
    case 'transfer-leader':
      return handleTransfer(node, m.context);
    case 'append-resp':
      return handleAppendResponse(node, m);
    case 'heartbeat-resp':
      return handleHeartbeatResponse(node, m);
    default:
      return;
  }
}

function handleAppendResponse(node: RaftNode, m: Message): void {
  const progress = node.progress.get(m.from);
  if (progress === undefined) return;
  progress.recentActive = true;
  progress.heardAtTick = node.tickCount;
  if (m.reject) {
    const next = m.rejectTerm > 0
      ? node.log.findConflictByTerm(m.rejectHint, m.rejectTerm).index
      : m.rejectHint;
    if (progress.maybeDecreaseTo(m.index, next)) {
      if (progress.state === 'replicate') progress.becomeProbe();
      sendAppend(node, m.from);
    }
    return;
  }
  const wasPaused = progress.isPaused();
  if (!progress.maybeUpdate(m.index)) {
    if (wasPaused && progress.state === 'probe') sendAppend(node, m.from);
    return;
  }
  if (progress.state === 'probe') progress.becomeReplicate();
  else if (progress.state === 'snapshot' && progress.match >= progress.pendingSnapshot) {
    progress.becomeProbe();
    progress.becomeReplicate();
  } else if (progress.state === 'replicate') progress.inflights.freeUpTo(m.index);
  if (node.maybeCommit()) {
    node.broadcastPending = true;
  } else {
    sendAppendsWhileOpen(node, m.from);
  }
  if (m.from === node.transferee && progress.match === node.log.lastIndex()) {
    node.send({ type: 'timeout-now', to: m.from });
  }
}

function handleHeartbeatResponse(node: RaftNode, m: Message): void {
  const progress = node.progress.get(m.from);
  if (progress === undefined) return;
  progress.recentActive = true;
  progress.heardAtTick = node.tickCount;
  progress.probeSent = false;
  if (progress.state === 'replicate' && progress.inflights.full()) progress.inflights.freeFirstOne();
  // Behind: send what it misses. In replicate state `next` may already be past the end (the
  // appends in flight were lost); the empty append then draws a rejection that resets `next`.
  if (progress.match < node.log.lastIndex()) sendAppend(node, m.from);
  const round = Number(m.context);
  if (Number.isInteger(round) && round > progress.readRoundAcked) {
    progress.readRoundAcked = round;
    node.confirmReads();
  }
}

function handleTransfer(node: RaftNode, target: string): void {
  if (target === node.id || !node.conf.voters.includes(target)) return;
  const progress = node.progress.get(target);
  if (progress === undefined) return;
  if (node.transferee === target) return;
  node.transferee = target;
  node.electionElapsed = 0;
  if (progress.match === node.log.lastIndex()) {
    node.send({ type: 'timeout-now', to: target });
  } else {
    sendAppend(node, target);
  }
}
