// The in-memory twin of TcpTransport for tests: members of one MemoryNetwork reach each other
// by ID (addresses are validated, not dialed), messages go through the real peer codec and
// arrive in a later event-loop turn, and links can be cut one way to model partitions.
// Must not import node:net or tcp-transport.ts.

import { assert } from '../lib/assert.js';
import { KvdError } from '../lib/errors.js';
import type { Message, NodeId } from '../raft/types.js';
import { isNodeId } from './handshake.js';
import { parsePeerAddress } from './peer-address.js';
import { decodeMessage, encodeMessage } from './peer-codec.js';
import { resolveTransportLimits, type TransportLimits } from './transport-limits.js';
import {
  makeCounters,
  type MessageHandler,
  type PeerStats,
  type PeerStatusHandler,
  type RequestHandler,
  type Transport,
  type TransportStats,
} from './transport.js';

/** Members that can reach each other; a cut link silently loses what is sent over it. */
export class MemoryNetwork {
  private readonly members = new Map<NodeId, MemoryTransport>();
  private readonly cuts = new Set<string>();

  /** Loses everything sent from `from` to `to` until reconnect(from, to). */
  disconnect(from: NodeId, to: NodeId): void {
    this.cuts.add(`${from}>${to}`);
    this.members.get(from)?.linkChanged(to, false);
  }

  reconnect(from: NodeId, to: NodeId): void {
    this.cuts.delete(`${from}>${to}`);
    this.members.get(from)?.linkChanged(to, this.members.has(to));
  }

  /** The started member `to`, if `from` can reach it. */
  route(from: NodeId, to: NodeId): MemoryTransport | undefined {
    return this.cuts.has(`${from}>${to}`) ? undefined : this.members.get(to);
  }

  join(member: MemoryTransport): void {
    assert(!this.members.has(member.selfId), () => `member ${member.selfId} joined twice`);
    this.members.set(member.selfId, member);
  }

  leave(member: MemoryTransport): void {
    if (this.members.get(member.selfId) === member) this.members.delete(member.selfId);
  }
}

export interface MemoryTransportOptions {
  readonly selfId: NodeId;
  readonly limits?: Partial<TransportLimits>;
}

export class MemoryTransport implements Transport {
  readonly selfId: NodeId;
  private readonly limits: TransportLimits;
  private readonly peers = new Map<NodeId, string>();
  private readonly counters = makeCounters();
  /** Encoded bytes sent to each peer and not yet delivered. */
  private readonly inflightBytes = new Map<NodeId, number>();
  private readonly pending = new Set<() => void>();
  private state: 'new' | 'started' | 'closed' = 'new';
  private messageHandler: MessageHandler | undefined;
  private requestHandler: RequestHandler | undefined;
  private statusHandler: PeerStatusHandler | undefined;

  constructor(
    private readonly network: MemoryNetwork,
    options: MemoryTransportOptions,
  ) {
    assert(
      isNodeId(options.selfId),
      () => `selfId ${JSON.stringify(options.selfId)} not a member ID`,
    );
    this.selfId = options.selfId;
    this.limits = resolveTransportLimits(options.limits);
  }

  start(): Promise<void> {
    assert(this.state === 'new', () => `start() on a ${this.state} transport`);
    this.state = 'started';
    this.network.join(this);
    return Promise.resolve();
  }

  send(messages: readonly Message[]): void {
    for (const message of messages) {
      assert(
        message.from === this.selfId,
        () => `sending a message from ${message.from}, not self`,
      );
      this.sendOne(message);
    }
  }

  onMessage(handler: MessageHandler): void {
    this.messageHandler = handler;
  }

  onRequest(handler: RequestHandler): void {
    this.requestHandler = handler;
  }

  onPeerStatus(handler: PeerStatusHandler): void {
    this.statusHandler = handler;
  }

  addPeer(id: NodeId, address: string): void {
    assert(isNodeId(id) && id !== this.selfId, () => `bad peer ID ${JSON.stringify(id)}`);
    this.peers.set(id, parsePeerAddress(address).url);
  }

  updatePeer(id: NodeId, address: string): void {
    this.addPeer(id, address);
  }

  removePeer(id: NodeId): void {
    this.peers.delete(id);
  }

  request(to: NodeId, kind: string, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.state === 'closed') return Promise.reject(new KvdError('KVD_ERR_TRANSPORT_CLOSED'));
    if (!this.peers.has(to))
      return Promise.reject(new KvdError('KVD_ERR_PEER_UNKNOWN', `peer ${to}`));
    const target = this.state === 'started' ? this.network.route(this.selfId, to) : undefined;
    if (target === undefined) {
      return Promise.reject(new KvdError('KVD_ERR_PEER_UNREACHABLE', `peer ${to}`));
    }
    return new Promise<Uint8Array>((resolve, reject) => {
      const settle = (): void => {
        this.pending.delete(cancel);
        clearTimeout(timer);
      };
      const cancel = (): void => {
        settle();
        reject(new KvdError('KVD_ERR_TRANSPORT_CLOSED'));
      };
      const timer = setTimeout(() => {
        settle();
        reject(
          new KvdError('KVD_ERR_REQUEST_TIMEOUT', `${kind} to peer ${to} after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.add(cancel);
      const copy = new Uint8Array(payload);
      setImmediate(() => {
        target.serve(this.selfId, kind, copy).then(
          (answer) => {
            // The answer travels back over the reverse link, which may be cut by now.
            if (this.network.route(to, this.selfId) === undefined || !this.pending.has(cancel))
              return;
            settle();
            resolve(new Uint8Array(answer));
          },
          (error: unknown) => {
            if (this.network.route(to, this.selfId) === undefined || !this.pending.has(cancel))
              return;
            settle();
            reject(
              new KvdError(
                'KVD_ERR_REQUEST_FAILED',
                error instanceof Error ? error.message : String(error),
              ),
            );
          },
        );
      });
    });
  }

  stats(): TransportStats {
    const peers = new Map<NodeId, PeerStats>();
    for (const [id, address] of this.peers) {
      const connected =
        this.state === 'started' && this.network.route(this.selfId, id) !== undefined;
      peers.set(id, { address, connected, queuedBytes: this.inflightBytes.get(id) ?? 0 });
    }
    return { counters: { ...this.counters }, peers, inboundConnections: 0 };
  }

  close(): Promise<void> {
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.network.leave(this);
      for (const cancel of [...this.pending]) cancel();
    }
    return Promise.resolve();
  }

  /** Called by the network when the link from us to `peer` is cut or restored. */
  linkChanged(peer: NodeId, up: boolean): void {
    if (!this.peers.has(peer) || this.state !== 'started') return;
    if (up) this.statusHandler?.({ type: 'up', peerId: peer, channel: 'messages', minor: 0 });
    else
      this.statusHandler?.({ type: 'down', peerId: peer, channel: 'messages', reason: 'link cut' });
  }

  /** Runs our request handler for a peer's request. */
  serve(from: NodeId, kind: string, payload: Uint8Array): Promise<Uint8Array> {
    const handler = this.requestHandler;
    if (this.state !== 'started' || handler === undefined || !this.peers.has(from)) {
      return Promise.reject(new Error(`no request handler at ${this.selfId} for ${from}`));
    }
    return handler(from, kind, payload);
  }

  private sendOne(message: Message): void {
    const to = message.to;
    if (!this.peers.has(to)) {
      this.counters.droppedUnknownPeer++;
      return;
    }
    const target = this.state === 'started' ? this.network.route(this.selfId, to) : undefined;
    if (target === undefined) {
      this.counters.droppedUnreachable++;
      this.snapshotOutcome(message, 'peer unreachable');
      return;
    }
    const bytes = encodeMessage(message);
    const inflight = this.inflightBytes.get(to) ?? 0;
    if (bytes.length > this.limits.frameBytesMax) {
      this.counters.droppedTooLarge++;
      return;
    }
    if (inflight + bytes.length > this.limits.sendQueueBytesMax) {
      this.counters.droppedQueueFull++;
      this.snapshotOutcome(message, 'send queue full');
      return;
    }
    this.inflightBytes.set(to, inflight + bytes.length);
    this.counters.messagesSent++;
    setImmediate(() => {
      this.inflightBytes.set(to, (this.inflightBytes.get(to) ?? bytes.length) - bytes.length);
      target.receive(bytes);
    });
    this.snapshotOutcome(message, undefined);
  }

  private snapshotOutcome(message: Message, failure: string | undefined): void {
    if (message.snapshot === undefined) return;
    const index = message.snapshot.meta.index;
    const peerId = message.to;
    if (failure === undefined) this.counters.snapshotsSent++;
    if (failure === undefined) this.statusHandler?.({ type: 'snapshot-sent', peerId, index });
    else this.statusHandler?.({ type: 'snapshot-failed', peerId, index, reason: failure });
  }

  /** Called by the network: one encoded message for us. */
  receive(bytes: Uint8Array): void {
    this.counters.framesReceived++;
    const message = decodeMessage(bytes);
    const handler = this.messageHandler;
    const valid = message.to === this.selfId && this.peers.has(message.from);
    if (this.state !== 'started' || handler === undefined || !valid) {
      this.counters.droppedInvalid++;
      return;
    }
    if (message.snapshot !== undefined) this.counters.snapshotsReceived++;
    this.counters.messagesReceived++;
    handler(message);
  }
}
