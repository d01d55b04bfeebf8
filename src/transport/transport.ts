// The Transport seam the server uses to reach other members: fire-and-forget Raft messages, an
// opaque request/response for forwarding to the leader, peer up/down events and counters.
// Implemented by tcp-transport.ts (production) and memory-transport.ts (tests). Types only:
// must not import node:* or protobufjs.

import type { Message, NodeId } from '../raft/types.js';
import type { Channel } from './handshake.js';

export type MessageHandler = (message: Message) => void;

/** Answers a forwarded request; a rejection reaches the caller as KVD_ERR_REQUEST_FAILED. */
export type RequestHandler = (
  from: NodeId,
  kind: string,
  payload: Uint8Array,
) => Promise<Uint8Array>;

/**
 * Connection and snapshot outcomes, for logs and for the core: 'down' maps to reportUnreachable,
 * 'snapshot-sent'/'snapshot-failed' to reportSnapshot. 'up' follows an accepted handshake.
 */
export type PeerStatusEvent =
  | {
      readonly type: 'up';
      readonly peerId: NodeId;
      readonly channel: Channel;
      readonly minor: number;
    }
  | {
      readonly type: 'down';
      readonly peerId: NodeId;
      readonly channel: Channel;
      readonly reason: string;
    }
  | { readonly type: 'snapshot-sent'; readonly peerId: NodeId; readonly index: number }
  | {
      readonly type: 'snapshot-failed';
      readonly peerId: NodeId;
      readonly index: number;
      readonly reason: string;
    };

export type PeerStatusHandler = (event: PeerStatusEvent) => void;

/** Monotonic counters; every dropped message lands in exactly one dropped* counter. */
export interface TransportCounters {
  /** Raft messages handed to a socket (or to the in-memory peer). */
  messagesSent: number;
  /** Raft messages delivered to the onMessage handler. */
  messagesReceived: number;
  /** To a peer not connected (dialing failed, backing off, or closed). */
  droppedUnreachable: number;
  /** The peer's send queue held sendQueueBytesMax (or snapshotQueueLengthMax snapshots). */
  droppedQueueFull: number;
  /** Addressed to an ID that is not a peer. */
  droppedUnknownPeer: number;
  /** One message whose frame would exceed frameBytesMax. */
  droppedTooLarge: number;
  /** Received but refused: wrong sender or receiver, values out of range, no handler. */
  droppedInvalid: number;
  /** Frames decoded from inbound connections (or messages received in memory). */
  framesReceived: number;
  /** Received frames of a kind this version does not know (from newer peers). */
  framesIgnored: number;
  /** Socket writes of queued messages; one per peer per event-loop turn when coalescing works. */
  socketWrites: number;
  snapshotsSent: number;
  snapshotsReceived: number;
  connectionsAccepted: number;
  handshakesRefused: number;
  /** Connections closed for a protocol violation: bad frame, bad handshake, timeout. */
  connectionsFailed: number;
}

export interface PeerStats {
  readonly address: string;
  readonly connected: boolean;
  /** Bytes waiting in this peer's message queue. */
  readonly queuedBytes: number;
}

export interface TransportStats {
  readonly counters: Readonly<TransportCounters>;
  readonly peers: ReadonlyMap<NodeId, PeerStats>;
  /** Inbound connections open now (accepted, handshaking or handshaken). */
  readonly inboundConnections: number;
}

/**
 * Contract: send() and the peer table methods never block and never throw for a dead peer (they
 * drop and count); addPeer/updatePeer throw KVD_ERR_PEER_ADDRESS_INVALID for a bad address.
 * Handlers are single: setting one replaces the previous. Handlers must not throw.
 */
export interface Transport {
  /** Starts listening (TCP) or joins the network (memory); then dials known peers. */
  start(): Promise<void>;
  /** Queues messages; each goes to its `to` peer. Messages must have `from` = this member. */
  send(messages: readonly Message[]): void;
  onMessage(handler: MessageHandler): void;
  /** Adds a peer (same as updatePeer if it exists). `address` is like http://127.0.0.1:2380. */
  addPeer(id: NodeId, address: string): void;
  /** Forgets a peer: drops its queues, closes its connections both ways. Unknown id: no-op. */
  removePeer(id: NodeId): void;
  /** Points a peer at a new address (reconnects); adds it if unknown. */
  updatePeer(id: NodeId, address: string): void;
  /**
   * Sends an opaque request to `to` and resolves with its handler's answer. Rejects with a
   * KvdError: KVD_ERR_PEER_UNKNOWN, _PEER_UNREACHABLE, _REQUEST_TIMEOUT, _REQUEST_FAILED,
   * _FRAME_TOO_LARGE or _TRANSPORT_CLOSED.
   */
  request(to: NodeId, kind: string, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  onRequest(handler: RequestHandler): void;
  onPeerStatus(handler: PeerStatusHandler): void;
  stats(): TransportStats;
  /** Closes everything; pending requests reject with KVD_ERR_TRANSPORT_CLOSED. Idempotent. */
  close(): Promise<void>;
}

export function makeCounters(): TransportCounters {
  return {
    messagesSent: 0,
    messagesReceived: 0,
    droppedUnreachable: 0,
    droppedQueueFull: 0,
    droppedUnknownPeer: 0,
    droppedTooLarge: 0,
    droppedInvalid: 0,
    framesReceived: 0,
    framesIgnored: 0,
    socketWrites: 0,
    snapshotsSent: 0,
    snapshotsReceived: 0,
    connectionsAccepted: 0,
    handshakesRefused: 0,
    connectionsFailed: 0,
  };
}
