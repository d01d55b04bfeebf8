// Splitting a snapshot Message into chunks and reassembling them at the receiver. PURE: no
// sockets or protobuf; the connection code frames each chunk through peer-codec.ts.
// Imports only src/lib and src/raft/types.ts.

import { assert } from '../lib/assert.js';
import { KvdError } from '../lib/errors.js';
import { EMPTY_BYTES, type Message } from '../raft/types.js';

/** Default snapshot chunk size: 64 KiB of data per frame. */
export const SNAPSHOT_CHUNK_BYTES_MAX_DEFAULT = 64 * 1024;

/** One piece of a snapshot Message. Only the first (offset 0) has `header` and `totalBytes`. */
export interface SnapshotChunk {
  /** The snapshot Message with empty snapshot data; first chunk only. */
  readonly header: Message | undefined;
  /** Length of the whole snapshot data; meaningful with `header` only. */
  readonly totalBytes: number;
  readonly offset: number;
  readonly data: Uint8Array;
}

/** Lazily yields the chunks of `message` (a 'snapshot' Message); data chunks are views. */
export function* snapshotChunks(message: Message, chunkBytesMax: number): Generator<SnapshotChunk> {
  assert(message.snapshot !== undefined, () => `${message.type} message has no snapshot`);
  assert(chunkBytesMax >= 1, () => `chunkBytesMax ${chunkBytesMax} < 1`);
  const data = message.snapshot.data;
  const header: Message = {
    ...message,
    snapshot: { meta: message.snapshot.meta, data: EMPTY_BYTES },
  };
  let offset = 0;
  do {
    const end = Math.min(data.length, offset + chunkBytesMax);
    const first = offset === 0;
    yield {
      header: first ? header : undefined,
      totalBytes: first ? data.length : 0,
      offset,
      data: data.subarray(offset, end),
    };
    offset = end;
  } while (offset < data.length);
}

/**
 * Reassembles one snapshot at a time from chunks arriving in order on one connection. A new
 * header abandons a half-built snapshot. Out-of-order or oversized input throws
 * KVD_ERR_SNAPSHOT_MALFORMED; memory held is at most snapshotBytesMax.
 */
export class SnapshotAssembler {
  private header: Message | undefined;
  private totalBytes = 0;
  private receivedBytes = 0;
  private parts: Uint8Array[] = [];
  /** Snapshots dropped half-way because a new header arrived. */
  abandoned = 0;

  constructor(private readonly snapshotBytesMax: number) {
    assert(snapshotBytesMax >= 0, () => `snapshotBytesMax ${snapshotBytesMax} < 0`);
  }

  get pendingBytes(): number {
    return this.receivedBytes;
  }

  /** Takes the next chunk; returns the whole Message when this chunk completes it. */
  accept(chunk: SnapshotChunk): Message | undefined {
    if (chunk.header !== undefined) this.begin(chunk);
    else if (this.header === undefined) throw malformed('chunk without a header in progress');
    else if (chunk.offset !== this.receivedBytes) {
      throw malformed(`chunk offset ${chunk.offset} != received ${this.receivedBytes}`);
    }
    if (this.receivedBytes + chunk.data.length > this.totalBytes) {
      const end = this.receivedBytes + chunk.data.length;
      this.reset();
      throw malformed(`chunk ends at ${end} > totalBytes ${this.totalBytes}`);
    }
    if (chunk.data.length > 0) this.parts.push(chunk.data);
    this.receivedBytes += chunk.data.length;
    if (this.receivedBytes < this.totalBytes) return undefined;
    return this.finish();
  }

  private begin(chunk: SnapshotChunk): void {
    const header = chunk.header;
    assert(header !== undefined, 'begin without header');
    if (chunk.offset !== 0) throw malformed(`first chunk at offset ${chunk.offset}`);
    if (header.type !== 'snapshot' || header.snapshot === undefined) {
      throw malformed(`chunk header is a ${header.type} message without snapshot`);
    }
    if (chunk.totalBytes > this.snapshotBytesMax) {
      throw malformed(`totalBytes ${chunk.totalBytes} > snapshotBytesMax ${this.snapshotBytesMax}`);
    }
    if (this.header !== undefined) this.abandoned++;
    this.reset();
    this.header = header;
    this.totalBytes = chunk.totalBytes;
  }

  private finish(): Message {
    const header = this.header;
    assert(header?.snapshot !== undefined, 'finish without a snapshot header');
    assert(this.receivedBytes === this.totalBytes, 'finish before all bytes arrived');
    const data = this.parts.length === 1 ? (this.parts[0] as Uint8Array) : concat(this.parts);
    assert(data.length === this.totalBytes, () => `assembled ${data.length} != ${this.totalBytes}`);
    this.reset();
    return { ...header, snapshot: { meta: header.snapshot.meta, data } };
  }

  private reset(): void {
    this.header = undefined;
    this.totalBytes = 0;
    this.receivedBytes = 0;
    this.parts = [];
  }
}

function malformed(detail: string): KvdError {
  return new KvdError('KVD_ERR_SNAPSHOT_MALFORMED', detail);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
