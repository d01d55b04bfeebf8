// The snapshot channel to one peer: its own outbound PeerConnection, so streaming a large
// snapshot never delays heartbeats and votes on the message channel (a separate connection is
// simpler than interleaving chunks by priority, and TCP then shares bandwidth fairly). Chunks are
// written one by one, waiting for 'drain', so memory stays near one chunk per snapshot.

import { KvdError } from '../lib/errors.js';
import type { Message } from '../raft/types.js';
import { encodeFrame } from './frame-codec.js';
import { encodePeerFrame, type DecodedFrame } from './peer-codec.js';
import { PeerConnection, type PeerConnectionOptions } from './peer-connection.js';
import { snapshotChunks, type SnapshotChunk } from './snapshot-chunks.js';

interface Streaming {
  readonly message: Message;
  readonly chunks: Generator<SnapshotChunk>;
}

export class SnapshotChannel {
  readonly connection: PeerConnection;
  private readonly queue: Message[] = [];
  private current: Streaming | undefined;
  private waitingDrain = false;
  /** Connections lost so far: a write callback from an older connection is not a success. */
  private losses = 0;

  constructor(private readonly options: PeerConnectionOptions) {
    this.connection = new PeerConnection(options, 'snapshot', {
      opened: () => this.pump(),
      lost: (reason) => this.failAll(reason),
      frame: (frame: DecodedFrame) => {
        if (frame.kind !== 'unknown') options.counters.framesIgnored++;
      },
      drain: () => {
        this.waitingDrain = false;
        this.pump();
      },
    });
  }

  /** Queues a 'snapshot' Message; reports snapshot-failed at once when it cannot be sent. */
  send(message: Message): void {
    const state = this.connection.state;
    if (state === 'backoff' || state === 'closed') {
      this.options.counters.droppedUnreachable++;
      this.failed(message, `peer is ${state}`);
      return;
    }
    if (this.queue.length >= this.options.limits.snapshotQueueLengthMax + (this.current ? 0 : 1)) {
      this.options.counters.droppedQueueFull++;
      this.failed(message, 'snapshotQueueLengthMax reached');
      return;
    }
    this.queue.push(message);
    this.connection.start();
    if (state === 'open') this.pump();
  }

  close(error: KvdError): void {
    this.connection.close();
    this.failAll(error.message);
  }

  /** Writes chunks until the socket wants a drain or nothing is left. */
  private pump(): void {
    while (this.connection.state === 'open' && !this.waitingDrain) {
      if (this.current === undefined) {
        const message = this.queue.shift();
        if (message === undefined) return;
        this.current = {
          message,
          chunks: snapshotChunks(message, this.options.limits.snapshotChunkBytesMax),
        };
      }
      const streaming = this.current;
      const next = streaming.chunks.next();
      if (next.done === true) {
        this.current = undefined;
        continue;
      }
      const body = encodePeerFrame({ kind: 'snapshot-chunk', chunk: next.value });
      if (body.length > this.options.limits.frameBytesMax) {
        this.current = undefined;
        this.options.counters.droppedTooLarge++;
        this.failed(streaming.message, `chunk frame of ${body.length} bytes > frameBytesMax`);
        continue;
      }
      const last = isLastChunk(streaming.message, next.value);
      // After its last chunk a snapshot is the write callback's to report, not failAll's.
      if (last) this.current = undefined;
      const losses = this.losses;
      const callback = last
        ? (error?: Error | null) => this.written(streaming.message, error, losses)
        : undefined;
      this.waitingDrain = !this.connection.write(encodeFrame(body), callback);
    }
  }

  /**
   * The last chunk's write finished. Node reports a write cancelled by destroy() as a success,
   * so a connection lost since the write also counts as a failure.
   */
  private written(message: Message, error: Error | null | undefined, losses: number): void {
    if (error || losses !== this.losses) {
      this.options.counters.droppedUnreachable++;
      this.failed(message, error?.message ?? 'connection lost while sending');
      return;
    }
    this.options.counters.snapshotsSent++;
    this.options.counters.messagesSent++;
    const index = message.snapshot?.meta.index ?? 0;
    this.options.emit({ type: 'snapshot-sent', peerId: this.options.peerId, index });
  }

  private failAll(reason: string): void {
    this.losses++;
    this.waitingDrain = false;
    const messages = this.current === undefined ? [] : [this.current.message];
    this.current = undefined;
    messages.push(...this.queue.splice(0));
    this.options.counters.droppedUnreachable += messages.length;
    for (const message of messages) this.failed(message, reason);
  }

  private failed(message: Message, reason: string): void {
    const index = message.snapshot?.meta.index ?? 0;
    this.options.logger.warn({ peer: this.options.peerId, index, reason }, 'snapshot not sent');
    this.options.emit({ type: 'snapshot-failed', peerId: this.options.peerId, index, reason });
  }
}

function isLastChunk(message: Message, chunk: SnapshotChunk): boolean {
  return chunk.offset + chunk.data.length >= (message.snapshot?.data.length ?? 0);
}
