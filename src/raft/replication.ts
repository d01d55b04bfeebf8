// Leader-side log replication: building append (or snapshot) messages for a member from its
// progress, with batching by bytes and entries and a bounded in-flight window.
// Imports only src/raft and src/lib.
import type { RaftNode } from './raft.js';
import type { NodeId } from './types.js';

/** Sends entries (or the snapshot, when they were compacted) to `id` unless it is paused. */
export function sendAppend(node: RaftNode, id: NodeId, sendEmpty = true): boolean {
  const progress = node.progress.get(id);
  if (progress === undefined || id === node.id || progress.isPaused()) return false;
  const prevIndex = progress.next - 1;
  const prevTerm = node.log.term(prevIndex);
  if (prevTerm === undefined) return sendSnapshot(node, id);
  const last = node.log.lastIndex();
  const entries = progress.next <= last
    ? node.log.slice(progress.next, last + 1, node.config.appendBatchBytesMax,
      node.config.appendBatchEntriesMax)
    : [];
  if (entries.length === 0 && !sendEmpty) return false;
  node.send({
    type: 'append', to: id, index: prevIndex, logTerm: prevTerm, entries,
    commit: node.log.committed,
  });
  progress.commitSent = Math.max(progress.commitSent, node.log.committed);
  progress.sentEntries(entries.length, prevIndex + entries.length);
  return true;
}

function sendSnapshot(node: RaftNode, id: NodeId): boolean {
  const progress = node.progress.get(id);
  if (progress === undefined || !progress.recentActive) return false;
  const snapshot = node.log.snapshot;
  node.send({ type: 'snapshot', to: id, snapshot });
  progress.becomeSnapshot(snapshot.meta.index);
  return true;
}

/** Sends every member whatever it is missing, filling its in-flight window. */
export function broadcastAppend(node: RaftNode): void {
  node.broadcastPending = false;
  for (const [id, progress] of node.progress) {
    if (id === node.id) continue;
    sendAppendsWhileOpen(node, id);
    // A new commit index goes out at once (an empty append), not with the next heartbeat:
    // followers apply, and answer their clients, one round trip sooner.
    if (progress.commitSent < node.log.committed) sendAppend(node, id, true);
  }
}

/** In replicate state, several appends may go out at once until the window is full. */
export function sendAppendsWhileOpen(node: RaftNode, id: NodeId): void {
  const progress = node.progress.get(id);
  if (progress === undefined) return;
  let first = true;
  for (let sent = 0; sent < node.config.inflightMessagesMax; sent++) {
    const more = progress.next <= node.log.lastIndex();
    if (!more && !first) break;
    if (!sendAppend(node, id, first && progress.state === 'probe')) break;
    if (progress.state !== 'replicate') break;
    first = false;
  }
}
