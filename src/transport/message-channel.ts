// The message channel to one peer: Raft messages (no snapshots) and forwarded requests on one
// outbound PeerConnection. A byte-bounded queue (sendQueueBytesMax, counting bytes the socket
// still buffers) drops and counts when full or when the peer is unreachable; everything queued
// in one event-loop turn leaves in one socket write. Must not import tcp-transport.ts.

import type { Logger } from 'pino';
import { assert } from '../lib/assert.js';
import { KvdError } from '../lib/errors.js';
import type { Message } from '../raft/types.js';
import { encodeFrame } from './frame-codec.js';
import {
  encodePeerFrame, nextVersionExtraFrame, nextVersionWireEnabled, type DecodedFrame, type PeerFrame,
} from './peer-codec.js';
import { PeerConnection, type PeerConnectionOptions } from './peer-connection.js';
import { PendingRequests } from './pending-requests.js';

type Admission = 'queued' | 'unreachable' | 'queue-full' | 'too-large';

export class MessageChannel {
  readonly connection: PeerConnection;
  private readonly pending = new PendingRequests();
  private queue: Uint8Array[] = [];
  private queuedBytesValue = 0;
  /** Raft messages among the queued frames (requests are not counted as messages). */
  private queuedMessages = 0;
  private flushScheduled = false;
  private waitingDrain = false;
  private readonly logger: Logger;

  constructor(private readonly options: PeerConnectionOptions) {
    this.connection = new PeerConnection(options, 'messages', {
      opened: () => this.opened(),
      lost: (reason) => this.lost(reason),
      frame: (frame) => this.frame(frame),
      drain: () => {
        this.waitingDrain = false;
        this.flush();
      },
    });
    this.logger = options.logger.child({ peer: options.peerId, channel: 'messages' });
  }

  get queuedBytes(): number {
    return this.queuedBytesValue;
  }

  /** Queues one Raft message; drops and counts it when it cannot be sent. */
  send(message: Message): void {
    const counters = this.options.counters;
    if (!this.reachable()) {
      counters.droppedUnreachable++;
      return;
    }
    const admission = this.admit({ kind: 'raft', message }, true);
    if (admission === 'queued') return;
    if (admission === 'too-large') {
      counters.droppedTooLarge++;
      this.logger.error(
        { type: message.type, entries: message.entries.length },
        'message over frameBytesMax dropped',
      );
    } else if (admission === 'queue-full') counters.droppedQueueFull++;
    else counters.droppedUnreachable++;
  }

  /** Sends a forwarded request; see Transport.request for the rejections. */
  request(kind: string, payload: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const peer = this.options.peerId;
    if (!this.reachable()) {
      return Promise.reject(
        new KvdError('KVD_ERR_PEER_UNREACHABLE', `peer ${peer} is ${this.connection.state}`),
      );
    }
    const { id, answer } = this.pending.add(timeoutMs, `${kind} to peer ${peer}`);
    const admission = this.admit(
      { kind: 'forward-request', request: { id, kind, payload } },
      false,
    );
    if (admission === 'too-large') {
      this.pending.fail(
        id,
        new KvdError('KVD_ERR_FRAME_TOO_LARGE', `${kind} request of ${payload.length} bytes`),
      );
    } else if (admission === 'queue-full') {
      this.pending.fail(id, new KvdError('KVD_ERR_SEND_QUEUE_FULL', `peer ${peer}`));
    } else if (admission === 'unreachable') {
      this.pending.fail(id, new KvdError('KVD_ERR_PEER_UNREACHABLE', `peer ${peer}`));
    }
    return answer;
  }

  /** Permanent: fails pending requests with `error`, drops the queue, closes the socket. */
  close(error: KvdError): void {
    this.connection.close();
    this.dropQueue();
    this.pending.failAll(error);
  }

  /** Only while dialing or connected; in backoff messages are dropped (Raft retries). */
  private reachable(): boolean {
    const state = this.connection.state;
    return state === 'open' || state === 'connecting';
  }

  private admit(frame: PeerFrame, isMessage: boolean): Admission {
    const body = encodePeerFrame(frame);
    if (body.length > this.options.limits.frameBytesMax) return 'too-large';
    const bytes = encodeFrame(body);
    const held = this.queuedBytesValue + this.connection.bufferedBytes;
    if (held + bytes.length > this.options.limits.sendQueueBytesMax) return 'queue-full';
    this.queue.push(bytes);
    this.queuedBytesValue += bytes.length;
    if (isMessage && nextVersionWireEnabled()) {
      const extra = encodeFrame(nextVersionExtraFrame());
      this.queue.push(extra);
      this.queuedBytesValue += extra.length;
    }
    if (isMessage) this.queuedMessages++;
    this.scheduleFlush();
    return 'queued';
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.connection.state !== 'open') return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Writes everything queued as one buffer, unless the socket asked us to wait. */
  private flush(): void {
    if (this.connection.state !== 'open' || this.waitingDrain || this.queue.length === 0) return;
    const batch =
      this.queue.length === 1 ? (this.queue[0] as Uint8Array) : Buffer.concat(this.queue);
    assert(
      batch.length === this.queuedBytesValue,
      () => `batch ${batch.length} != queued ${this.queuedBytesValue}`,
    );
    const counters = this.options.counters;
    counters.messagesSent += this.queuedMessages;
    counters.socketWrites++;
    this.queue = [];
    this.queuedBytesValue = 0;
    this.queuedMessages = 0;
    this.waitingDrain = !this.connection.write(batch);
  }

  private opened(): void {
    this.waitingDrain = false;
    this.scheduleFlush();
  }

  private lost(reason: string): void {
    this.waitingDrain = false;
    this.dropQueue();
    this.pending.failAll(
      new KvdError('KVD_ERR_PEER_UNREACHABLE', `peer ${this.options.peerId}: ${reason}`),
    );
  }

  private dropQueue(): void {
    this.options.counters.droppedUnreachable += this.queuedMessages;
    this.queue = [];
    this.queuedBytesValue = 0;
    this.queuedMessages = 0;
  }

  private frame(frame: DecodedFrame): void {
    if (frame.kind === 'forward-response') {
      if (!this.pending.settle(frame.response))
        this.logger.debug({ id: frame.response.id }, 'late response ignored');
      return;
    }
    this.options.counters.framesIgnored++;
  }
}
