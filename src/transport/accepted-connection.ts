// One inbound connection: expects a Handshake first (small frame limit, timeout), answers it,
// then decodes frames: Raft messages and reassembled snapshots go to `deliver`, forwarded
// requests to `serve` with the answer written back here. Any framing or protobuf error closes
// this connection with a logged reason; nothing here throws past the socket. No dialing here.

import type * as net from 'node:net';
import type { Logger } from 'pino';
import { isKvdError } from '../lib/errors.js';
import type { Message, NodeId } from '../raft/types.js';
import { FrameDecoder, encodeFrame } from './frame-codec.js';
import {
  checkHandshake,
  type Channel,
  type Handshake,
  type ListenerIdentity,
} from './handshake.js';
import {
  decodePeerFrame,
  encodePeerFrame,
  type DecodedFrame,
  type ForwardRequest,
} from './peer-codec.js';
import { SnapshotAssembler } from './snapshot-chunks.js';
import type { TransportLimits } from './transport-limits.js';
import type { TransportCounters } from './transport.js';

export interface AcceptedConnectionDeps {
  readonly identity: ListenerIdentity;
  readonly limits: TransportLimits;
  readonly logger: Logger;
  readonly counters: TransportCounters;
  /** A decoded Message from the handshaken sender, addressed to us. */
  readonly deliver: (message: Message) => void;
  /** Answers a forwarded request; rejects when there is no handler or it failed. */
  readonly serve: (from: NodeId, kind: string, payload: Uint8Array) => Promise<Uint8Array>;
  readonly closed: (connection: AcceptedConnection) => void;
}

type AcceptedState = 'handshake' | 'open' | 'closing' | 'closed';

export class AcceptedConnection {
  private state: AcceptedState = 'handshake';
  private senderId: NodeId | undefined;
  private channel: Channel | undefined;
  private readonly decoder: FrameDecoder;
  private readonly assembler: SnapshotAssembler;
  private requestsInflight = 0;
  private readonly timer: NodeJS.Timeout;
  private logger: Logger;

  constructor(
    private readonly socket: net.Socket,
    private readonly deps: AcceptedConnectionDeps,
  ) {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.logger = deps.logger.child({ remote });
    this.decoder = new FrameDecoder({ frameBytesMax: deps.limits.handshakeFrameBytesMax });
    this.assembler = new SnapshotAssembler(deps.limits.snapshotBytesMax);
    socket.setNoDelay(true);
    this.timer = setTimeout(() => this.timeout(), deps.limits.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error: Error) =>
      this.logger.debug({ err: error.message }, 'inbound socket error'),
    );
    socket.on('close', () => this.finish());
  }

  /** The handshaken sender, once the handshake is accepted. */
  get sender(): NodeId | undefined {
    return this.senderId;
  }

  close(reason: string): void {
    if (this.state === 'closed') return;
    this.logger.info({ sender: this.senderId, reason }, 'closing inbound peer connection');
    this.socket.destroy();
    this.finish();
  }

  private timeout(): void {
    if (this.state === 'closing') this.finish();
    else this.fail('no handshake in time', 'KVD_ERR_HANDSHAKE_TIMEOUT');
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.timer);
    this.socket.destroy();
    this.deps.closed(this);
  }

  private fail(reason: string, code: string): void {
    if (this.state === 'closed') return;
    this.deps.counters.connectionsFailed++;
    this.logger.warn({ sender: this.senderId, code, reason }, 'closing inbound peer connection');
    this.socket.destroy();
    this.finish();
  }

  private receive(chunk: Buffer): void {
    try {
      // One frame at a time: the handshake raises the frame limit for the frames after it.
      this.decoder.write(chunk);
      while (this.state === 'handshake' || this.state === 'open') {
        const body = this.decoder.next();
        if (body === undefined) return;
        this.deps.counters.framesReceived++;
        this.dispatch(decodePeerFrame(body));
      }
    } catch (error) {
      if (!isKvdError(error)) throw error;
      this.fail(error.message, error.code);
    }
  }

  private dispatch(frame: DecodedFrame): void {
    if (this.state === 'handshake') {
      if (frame.kind === 'handshake') this.answer(frame.handshake);
      else this.fail(`first frame is ${frame.kind}, not a handshake`, 'KVD_ERR_HANDSHAKE_PROTOCOL');
      return;
    }
    switch (frame.kind) {
      case 'raft':
        this.accept(frame.message);
        return;
      case 'snapshot-chunk': {
        const message = this.assembler.accept(frame.chunk);
        if (message === undefined) return;
        this.deps.counters.snapshotsReceived++;
        this.accept(message);
        return;
      }
      case 'forward-request':
        this.serve(frame.request);
        return;
      case 'handshake':
        this.fail('second handshake on a connection', 'KVD_ERR_HANDSHAKE_PROTOCOL');
        return;
      case 'invalid':
        this.deps.counters.droppedInvalid++;
        this.logger.debug({ sender: this.senderId, detail: frame.detail }, 'invalid frame dropped');
        return;
      default:
        this.deps.counters.framesIgnored++;
    }
  }

  private answer(handshake: Handshake): void {
    const reply = checkHandshake(handshake, this.deps.identity);
    const frame = encodeFrame(encodePeerFrame({ kind: 'handshake-reply', reply }));
    if (!reply.accepted) {
      this.deps.counters.handshakesRefused++;
      const { senderId, receiverId, clusterId, version } = handshake;
      const fields = {
        sender: senderId,
        receiver: receiverId,
        clusterId,
        version,
        reason: reply.reason,
      };
      this.logger.warn({ ...fields, detail: reply.detail }, 'refused peer handshake');
      this.state = 'closing';
      // Let the dialer read the reason, then close; the timer destroys a dialer that lingers.
      this.socket.end(frame);
      return;
    }
    clearTimeout(this.timer);
    this.state = 'open';
    this.senderId = handshake.senderId;
    this.channel = handshake.channel;
    this.logger = this.logger.child({ sender: this.senderId, channel: this.channel });
    this.decoder.frameBytesMax = this.deps.limits.frameBytesMax;
    this.socket.write(frame);
    this.logger.info({ minor: reply.minor }, 'peer handshake accepted');
  }

  private accept(message: Message): void {
    if (message.from !== this.senderId || message.to !== this.deps.identity.selfId) {
      this.deps.counters.droppedInvalid++;
      this.logger.debug({ from: message.from, to: message.to }, 'misaddressed message dropped');
      return;
    }
    this.deps.deliver(message);
  }

  private serve(request: ForwardRequest): void {
    if (this.requestsInflight >= this.deps.limits.requestsInflightMax) {
      this.respond(request.id, new Uint8Array(0), 'busy: requestsInflightMax reached');
      return;
    }
    const from = this.senderId as NodeId;
    this.requestsInflight++;
    const answer = new Promise<Uint8Array>((resolve) => {
      resolve(this.deps.serve(from, request.kind, request.payload));
    });
    answer
      .then(
        (payload) => this.respond(request.id, payload, ''),
        (error: unknown) => this.respond(request.id, new Uint8Array(0), errorText(error)),
      )
      .finally(() => {
        this.requestsInflight--;
      });
  }

  private respond(id: number, payload: Uint8Array, error: string): void {
    if (this.state !== 'open') return;
    let body = encodePeerFrame({ kind: 'forward-response', response: { id, payload, error } });
    if (body.length > this.deps.limits.frameBytesMax) {
      const tooLarge = `response of ${payload.length} bytes over frameBytesMax`;
      body = encodePeerFrame({
        kind: 'forward-response',
        response: { id, payload: new Uint8Array(0), error: tooLarge },
      });
    }
    this.socket.write(encodeFrame(body));
    if (this.socket.writableLength > this.deps.limits.sendQueueBytesMax) {
      this.fail('peer does not read its responses', 'KVD_ERR_SEND_QUEUE_FULL');
    }
  }
}

function errorText(error: unknown): string {
  if (isKvdError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message || error.name : String(error);
}
