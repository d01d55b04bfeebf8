// Default limits, named noun first, then unit, then Max. Relations between them are asserted
// at module load. Imports only src/lib/assert.ts.
import { assert } from './assert.js';

export const limits = {
  /** Largest peer frame accepted; a bigger declared length closes the connection. */
  frameBytesMax: 64 * 1024 * 1024,
  /** Bytes of entries in one append message. */
  appendBatchBytesMax: 1024 * 1024,
  /** Entries in one append message. */
  appendBatchEntriesMax: 4096,
  /** Append messages in flight to one follower before the leader waits for acks. */
  inflightMessagesMax: 256,
  /** Bytes of committed entries handed out for apply in one Ready. */
  applyBatchBytesMax: 16 * 1024 * 1024,
  /** Proposals waiting at the server for the next group commit. */
  proposalQueueLengthMax: 10_000,
  /** Bytes queued for one peer before messages are dropped (Raft retries). */
  sendQueueBytesMax: 64 * 1024 * 1024,
  snapshotChunkBytesMax: 64 * 1024,
  /** Client request body, like etcd's default 1.5 MiB request limit. */
  requestBodyBytesMax: 1.5 * 1024 * 1024,
  watchersMax: 100_000,
  reconnectBackoffMsMax: 2_000,
  /** Read-index requests batched into one heartbeat round. */
  readBatchLengthMax: 4096,
} as const;

export const timing = {
  tickMs: 100,
  heartbeatTicks: 1,
  electionTicks: 10,
} as const;

assert(limits.frameBytesMax >= limits.appendBatchBytesMax * 2, 'frame must hold a full append');
assert(limits.sendQueueBytesMax >= limits.frameBytesMax, 'send queue must hold one frame');
assert(timing.electionTicks > timing.heartbeatTicks, 'election ticks must exceed heartbeat ticks');
