// Transport over node:net: listens on the peer URL, keeps per peer one dialed message connection
// (plus a lazily dialed snapshot one), accepts inbound connections, and routes messages,
// snapshots and requests to the server's handlers. Wiring only: framing, handshake, queues and
// reconnects live in the files it imports. Must not import src/server or src/raft (but types).

import { randomInt } from 'node:crypto';
import * as net from 'node:net';
import { pino, type Logger } from 'pino';
import { assert } from '../lib/assert.js';
import { KvdError } from '../lib/errors.js';
import { Prng, type Random } from '../lib/prng.js';
import type { Message, NodeId } from '../raft/types.js';
import { AcceptedConnection, type AcceptedConnectionDeps } from './accepted-connection.js';
import { PROTOCOL_VERSION, isNodeId, type VersionRange } from './handshake.js';
import { MessageChannel } from './message-channel.js';
import { formatPeerUrl, parsePeerAddress, type PeerAddress } from './peer-address.js';
import type { PeerConnectionOptions } from './peer-connection.js';
import { SnapshotChannel } from './snapshot-channel.js';
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

export interface TcpTransportOptions {
  /** This member's ID (1..16 lowercase hex). */
  readonly selfId: NodeId;
  /** Both sides of every handshake must agree on it. */
  readonly clusterId: string;
  /** Where to listen, like http://127.0.0.1:2380; port 0 picks a free port (see listenUrl). */
  readonly listenUrl: string;
  /** Overrides of TRANSPORT_LIMITS_DEFAULT; validated, KVD_ERR_CONFIG_INVALID if out of range. */
  readonly limits?: Partial<TransportLimits>;
  /** Default: silent. */
  readonly logger?: Logger;
  /** Jitter for reconnect backoff. Default: a Prng seeded from the OS. */
  readonly random?: Random;
  /** Default: PROTOCOL_VERSION. */
  readonly version?: VersionRange;
}

interface PeerEntry {
  address: PeerAddress;
  readonly messages: MessageChannel;
  snapshot: SnapshotChannel | undefined;
}

export class TcpTransport implements Transport {
  readonly limits: TransportLimits;
  private readonly selfId: NodeId;
  private readonly clusterId: string;
  private readonly version: VersionRange;
  private readonly listenAddress: PeerAddress;
  private readonly logger: Logger;
  private readonly random: Random;
  private readonly peers = new Map<NodeId, PeerEntry>();
  private readonly accepted = new Set<AcceptedConnection>();
  private readonly counters = makeCounters();
  private server: net.Server | undefined;
  private boundUrl: string | undefined;
  private state: 'new' | 'started' | 'closed' = 'new';
  private messageHandler: MessageHandler | undefined;
  private requestHandler: RequestHandler | undefined;
  private statusHandler: PeerStatusHandler | undefined;

  constructor(options: TcpTransportOptions) {
    assert(
      isNodeId(options.selfId),
      () => `selfId ${JSON.stringify(options.selfId)} not a member ID`,
    );
    assert(options.clusterId !== '', 'clusterId is empty');
    this.selfId = options.selfId;
    this.clusterId = options.clusterId;
    this.version = options.version ?? PROTOCOL_VERSION;
    this.listenAddress = parsePeerAddress(options.listenUrl, { allowPortZero: true });
    this.limits = resolveTransportLimits(options.limits);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ member: this.selfId });
    this.random = options.random ?? new Prng(randomInt(2 ** 32));
  }

  /** The URL peers reach us at: after start(), with the real port when 0 was asked for. */
  get listenUrl(): string {
    return this.boundUrl ?? this.listenAddress.url;
  }

  async start(): Promise<void> {
    assert(this.state === 'new', () => `start() on a ${this.state} transport`);
    const server = net.createServer((socket) => this.acceptSocket(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.listenAddress.host, port: this.listenAddress.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error({ err: error.message }, 'peer listener error'));
    const bound = server.address() as net.AddressInfo;
    this.boundUrl = formatPeerUrl(this.listenAddress.host, bound.port);
    this.state = 'started';
    this.logger.info({ listenUrl: this.boundUrl }, 'peer transport listening');
    for (const entry of this.peers.values()) entry.messages.connection.start();
  }

  send(messages: readonly Message[]): void {
    for (const message of messages) {
      assert(
        message.from === this.selfId,
        () => `sending a message from ${message.from}, not self`,
      );
      const entry = this.peers.get(message.to);
      if (entry === undefined) {
        this.counters.droppedUnknownPeer++;
      } else if (message.type === 'snapshot' && message.snapshot !== undefined) {
        entry.snapshot ??= new SnapshotChannel(this.channelOptions(message.to, entry.address));
        entry.snapshot.send(message);
      } else {
        entry.messages.send(message);
      }
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
    assert(isNodeId(id), () => `peer ID ${JSON.stringify(id)} not a member ID`);
    assert(id !== this.selfId, () => `adding self ${id} as a peer`);
    const parsed = parsePeerAddress(address);
    const existing = this.peers.get(id);
    if (existing !== undefined) {
      if (existing.address.url === parsed.url) return;
      existing.address = parsed;
      existing.messages.connection.setAddress(parsed);
      existing.snapshot?.connection.setAddress(parsed);
      this.logger.info({ peer: id, address }, 'peer address updated');
      return;
    }
    if (this.state === 'closed') return;
    const messages = new MessageChannel(this.channelOptions(id, parsed));
    this.peers.set(id, { address: parsed, messages, snapshot: undefined });
    this.logger.info({ peer: id, address }, 'peer added');
    if (this.state === 'started') messages.connection.start();
  }

  updatePeer(id: NodeId, address: string): void {
    this.addPeer(id, address);
  }

  removePeer(id: NodeId): void {
    const entry = this.peers.get(id);
    if (entry === undefined) return;
    this.peers.delete(id);
    const error = new KvdError('KVD_ERR_PEER_UNKNOWN', `peer ${id} removed`);
    entry.messages.close(error);
    entry.snapshot?.close(error);
    for (const connection of [...this.accepted]) {
      if (connection.sender === id) connection.close('peer removed');
    }
    this.logger.info({ peer: id }, 'peer removed');
  }

  request(to: NodeId, kind: string, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.state === 'closed') return Promise.reject(new KvdError('KVD_ERR_TRANSPORT_CLOSED'));
    const entry = this.peers.get(to);
    if (entry === undefined)
      return Promise.reject(new KvdError('KVD_ERR_PEER_UNKNOWN', `peer ${to}`));
    return entry.messages.request(kind, payload, timeoutMs);
  }

  stats(): TransportStats {
    const peers = new Map<NodeId, PeerStats>();
    for (const [id, entry] of this.peers) {
      const connected = entry.messages.connection.state === 'open';
      peers.set(id, {
        address: entry.address.url,
        connected,
        queuedBytes: entry.messages.queuedBytes,
      });
    }
    return { counters: { ...this.counters }, peers, inboundConnections: this.accepted.size };
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const error = new KvdError('KVD_ERR_TRANSPORT_CLOSED');
    for (const entry of this.peers.values()) {
      entry.messages.close(error);
      entry.snapshot?.close(error);
    }
    for (const connection of [...this.accepted]) connection.close('transport closing');
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.logger.info('peer transport closed');
  }

  private channelOptions(peerId: NodeId, address: PeerAddress): PeerConnectionOptions {
    return {
      peerId,
      address,
      local: { selfId: this.selfId, clusterId: this.clusterId, version: this.version },
      limits: this.limits,
      random: this.random,
      logger: this.logger,
      counters: this.counters,
      emit: (event) => this.statusHandler?.(event),
    };
  }

  private acceptSocket(socket: net.Socket): void {
    if (this.state !== 'started' || this.accepted.size >= this.limits.connectionsAcceptedMax) {
      this.counters.connectionsFailed++;
      const fields = { remote: socket.remoteAddress, open: this.accepted.size, state: this.state };
      this.logger.warn(fields, 'inbound connection refused: connectionsAcceptedMax or closing');
      socket.destroy();
      return;
    }
    this.counters.connectionsAccepted++;
    this.accepted.add(new AcceptedConnection(socket, this.acceptedDeps()));
  }

  private acceptedDeps(): AcceptedConnectionDeps {
    return {
      identity: {
        version: this.version,
        clusterId: this.clusterId,
        selfId: this.selfId,
        isMember: (id) => this.peers.has(id),
      },
      limits: this.limits,
      logger: this.logger,
      counters: this.counters,
      deliver: (message) => this.deliver(message),
      serve: (from, kind, payload) => {
        const handler = this.requestHandler;
        if (handler === undefined) return Promise.reject(new Error('no request handler'));
        return handler(from, kind, payload);
      },
      closed: (connection) => this.accepted.delete(connection),
    };
  }

  private deliver(message: Message): void {
    const handler = this.messageHandler;
    if (handler === undefined || this.state !== 'started') {
      this.counters.droppedInvalid++;
      return;
    }
    this.counters.messagesReceived++;
    handler(message);
  }
}
