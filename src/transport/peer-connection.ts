// One long-lived outbound connection to a peer on one channel: dial, send our Handshake, check
// the reply, then hand frames to its owner; on loss, redial after capped exponential backoff
// with jitter, forever, until closed. Owns the socket lifecycle only: queues live in
// message-channel.ts and snapshot-channel.ts. Must not import tcp-transport.ts.

import * as net from 'node:net';
import type { Logger } from 'pino';
import { assert } from '../lib/assert.js';
import { KvdError, isKvdError } from '../lib/errors.js';
import type { Random } from '../lib/prng.js';
import type { NodeId } from '../raft/types.js';
import { backoffDelayMs } from './backoff.js';
import { FrameDecoder, encodeFrame } from './frame-codec.js';
import {
  checkHandshakeReply,
  type Channel,
  type Handshake,
  type VersionRange,
} from './handshake.js';
import type { PeerAddress } from './peer-address.js';
import { decodePeerFrame, encodePeerFrame, type DecodedFrame } from './peer-codec.js';
import type { TransportLimits } from './transport-limits.js';
import type { PeerStatusHandler, TransportCounters } from './transport.js';

/** idle: not started; connecting: dialing or handshaking; backoff: waiting to redial. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

export interface LocalIdentity {
  readonly selfId: NodeId;
  readonly clusterId: string;
  readonly version: VersionRange;
}

export interface PeerConnectionOptions {
  readonly peerId: NodeId;
  readonly address: PeerAddress;
  readonly local: LocalIdentity;
  readonly limits: TransportLimits;
  readonly random: Random;
  readonly logger: Logger;
  readonly counters: TransportCounters;
  readonly emit: PeerStatusHandler;
}

/** The owner's side: called on open, on loss (not on close()), per frame, on socket drain. */
export interface PeerConnectionHandlers {
  opened(): void;
  lost(reason: string): void;
  frame(frame: DecodedFrame): void;
  drain(): void;
}

export class PeerConnection {
  private stateValue: ConnectionState = 'idle';
  private socket: net.Socket | undefined;
  private decoder = new FrameDecoder();
  private timer: NodeJS.Timeout | undefined;
  /** Failed dials since the last open; drives the backoff. */
  private attempt = 0;
  /** Why the current socket is being closed, when we chose to close it. */
  private closeReason: string | undefined;
  /** A 'down' event was emitted and no 'up' since: one 'down' per outage. */
  private downReported = false;
  /** The last refusal logged at warn level; repeats go to debug. */
  private lastRefusal = '';
  private address: PeerAddress;
  private readonly logger: Logger;

  constructor(
    private readonly options: PeerConnectionOptions,
    readonly channel: Channel,
    private readonly handlers: PeerConnectionHandlers,
  ) {
    this.address = options.address;
    this.logger = options.logger.child({ peer: options.peerId, channel });
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Bytes accepted by write() but not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  start(): void {
    if (this.stateValue === 'idle') this.dial();
  }

  /** Writes to the open socket; false means wait for the drain handler before writing more. */
  write(bytes: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    assert(this.stateValue === 'open', () => `write on a ${this.stateValue} connection`);
    assert(this.socket !== undefined, 'open connection without a socket');
    return this.socket.write(bytes, callback);
  }

  /** Points at a new address: drops the current socket and dials it now. */
  setAddress(address: PeerAddress): void {
    this.address = address;
    if (this.stateValue === 'idle' || this.stateValue === 'closed') return;
    if (this.socket !== undefined) this.detach(`address changed to ${address.url}`);
    clearTimeout(this.timer);
    this.attempt = 0;
    if (!this.isClosed()) this.dial();
  }

  /** Permanent: no more dials, no handler calls. */
  close(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    clearTimeout(this.timer);
    this.socket?.destroy();
    this.socket = undefined;
  }

  /** A method, not a field read, so TypeScript does not narrow across handler calls. */
  private isClosed(): boolean {
    return this.stateValue === 'closed';
  }

  private dial(): void {
    assert(this.socket === undefined, 'dial with a socket still attached');
    this.stateValue = 'connecting';
    this.closeReason = undefined;
    this.decoder = new FrameDecoder({ frameBytesMax: this.options.limits.handshakeFrameBytesMax });
    const socket = net.connect({ host: this.address.host, port: this.address.port });
    this.socket = socket;
    socket.setNoDelay(true);
    this.timer = setTimeout(() => {
      this.closeReason = `no handshake within ${this.options.limits.handshakeTimeoutMs} ms`;
      this.drop(socket);
    }, this.options.limits.handshakeTimeoutMs);
    socket.on('connect', () => socket.write(encodeFrame(encodePeerFrame(this.hello()))));
    socket.on('data', (chunk: Buffer) => this.receive(socket, chunk));
    socket.on('drain', () => {
      if (socket === this.socket && this.stateValue === 'open') this.handlers.drain();
    });
    socket.on('error', (error: Error) => {
      if (socket === this.socket) this.closeReason ??= error.message;
    });
    socket.on('close', () => this.drop(socket));
  }

  private hello(): { kind: 'handshake'; handshake: Handshake } {
    const { local, peerId } = this.options;
    const handshake: Handshake = {
      version: local.version,
      clusterId: local.clusterId,
      senderId: local.selfId,
      receiverId: peerId,
      channel: this.channel,
    };
    return { kind: 'handshake', handshake };
  }

  private receive(socket: net.Socket, chunk: Buffer): void {
    try {
      const decoder = this.decoder;
      decoder.write(chunk);
      for (let body = decoder.next(); body !== undefined; body = decoder.next()) {
        if (socket !== this.socket) return;
        const frame = decodePeerFrame(body);
        if (this.stateValue === 'connecting') this.answer(socket, frame);
        else this.handlers.frame(frame);
      }
    } catch (error) {
      if (!isKvdError(error)) throw error;
      this.options.counters.connectionsFailed++;
      this.logger.warn({ code: error.code, err: error.message }, 'closing peer connection');
      this.closeReason = `${error.code}: ${error.message}`;
      this.drop(socket);
    }
  }

  /** Handles the first frame back: the listener's HandshakeReply. */
  private answer(socket: net.Socket, frame: DecodedFrame): void {
    if (frame.kind !== 'handshake-reply') {
      throw new KvdError(
        'KVD_ERR_HANDSHAKE_PROTOCOL',
        `expected a handshake reply, got ${frame.kind}`,
      );
    }
    const verdict = checkHandshakeReply(frame.reply, this.hello().handshake);
    if (!verdict.ok) {
      this.options.counters.handshakesRefused++;
      const refusal = `${verdict.reason}: ${verdict.detail}`;
      const fields = { address: this.address.url, reason: verdict.reason, detail: verdict.detail };
      if (refusal !== this.lastRefusal) this.logger.warn(fields, 'peer refused our handshake');
      else this.logger.debug(fields, 'peer refused our handshake again');
      this.lastRefusal = refusal;
      this.closeReason = `handshake refused: ${refusal}`;
      this.drop(socket);
      return;
    }
    clearTimeout(this.timer);
    this.stateValue = 'open';
    this.attempt = 0;
    this.lastRefusal = '';
    this.downReported = false;
    this.decoder.frameBytesMax = this.options.limits.frameBytesMax;
    this.logger.info({ address: this.address.url, minor: verdict.minor }, 'peer connected');
    this.options.emit({
      type: 'up',
      peerId: this.options.peerId,
      channel: this.channel,
      minor: verdict.minor,
    });
    this.handlers.opened();
  }

  /** Detaches `socket` if it is the current one, tells the owner, and schedules a redial. */
  private drop(socket: net.Socket): void {
    if (socket !== this.socket) return;
    const reason = this.detach(this.closeReason ?? 'connection closed');
    if (this.isClosed()) return;
    const delay = backoffDelayMs(this.attempt, this.options.limits, this.options.random);
    this.attempt++;
    this.stateValue = 'backoff';
    this.logger.debug({ reason, delayMs: delay, attempt: this.attempt }, 'peer redial scheduled');
    this.timer = setTimeout(() => this.dial(), delay);
  }

  /** Destroys the current socket, reports 'down' once per outage and tells the owner. */
  private detach(reason: string): string {
    const socket = this.socket;
    assert(socket !== undefined, 'detach without a socket');
    const wasOpen = this.stateValue === 'open';
    this.socket = undefined;
    clearTimeout(this.timer);
    socket.destroy();
    this.stateValue = 'backoff';
    if (wasOpen) this.logger.info({ reason }, 'peer connection lost');
    if (!this.downReported) {
      this.downReported = true;
      this.options.emit({
        type: 'down',
        peerId: this.options.peerId,
        channel: this.channel,
        reason,
      });
    }
    this.handlers.lost(reason);
    return reason;
  }
}
