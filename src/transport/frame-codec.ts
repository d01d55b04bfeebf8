// Framing for peer connections: each frame is an unsigned LEB128 varint length, then that many
// body bytes. PURE: bytes in, whole frames out; no sockets, timers or protobuf here.
// Imports only src/lib. Must not import node:net, protobufjs or other transport files.

import { assert } from '../lib/assert.js';
import { KvdError } from '../lib/errors.js';

/** Default largest frame body a decoder accepts: 64 MiB. */
export const FRAME_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
/** Hard ceiling for any frameBytesMax: a length prefix is at most 5 varint bytes (32 bits). */
export const FRAME_BYTES_MAX_LIMIT = 0xffff_ffff;
/** A 32-bit length needs at most 5 varint bytes; a sixth continuation byte is malformed. */
export const FRAME_PREFIX_BYTES_MAX = 5;

/** Number of varint bytes that encode `value` (a non-negative 32-bit integer). */
export function varintBytes(value: number): number {
  assert(Number.isInteger(value) && value >= 0, () => `varint value ${value} not an integer >= 0`);
  assert(value <= FRAME_BYTES_MAX_LIMIT, () => `varint value ${value} > ${FRAME_BYTES_MAX_LIMIT}`);
  let count = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 128)) count++;
  return count;
}

/** Returns one buffer holding the length prefix of `body`, then `body`. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const prefixBytes = varintBytes(body.length);
  const out = Buffer.allocUnsafe(prefixBytes + body.length);
  let rest = body.length;
  let at = 0;
  while (rest >= 0x80) {
    out[at++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
  }
  out[at++] = rest;
  assert(at === prefixBytes, () => `prefix wrote ${at} bytes, expected ${prefixBytes}`);
  out.set(body, at);
  return out;
}

/**
 * Reassembles frames from arbitrary chunks (any split, including inside the prefix). Buffers at
 * most one partial frame: memory stays below frameBytesMax plus one chunk. Frames are views into
 * the chunks when they fit in one. After a throw the stream has lost framing; every later call
 * throws the same error (close the connection).
 */
export class FrameDecoder {
  /** Largest body accepted; may be raised after a handshake (checked on each new prefix). */
  frameBytesMax: number;
  private readonly chunks: Uint8Array[] = [];
  /** Bytes held in `chunks`, starting at `headOffset` in chunks[0]. */
  private bufferedBytes = 0;
  private headOffset = 0;
  /** Declared body length of the frame being read, or -1 while reading its prefix. */
  private bodyBytes = -1;
  private failure: KvdError | undefined;

  constructor(options: { frameBytesMax?: number } = {}) {
    this.frameBytesMax = options.frameBytesMax ?? FRAME_BYTES_MAX_DEFAULT;
    assert(this.frameBytesMax >= 0, () => `frameBytesMax ${this.frameBytesMax} < 0`);
    assert(this.frameBytesMax <= FRAME_BYTES_MAX_LIMIT, () => `frameBytesMax too large`);
  }

  /** Bytes received but not yet returned as frames. */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /**
   * Feeds one chunk; returns every frame body it completes, in order. Throws at a bad prefix,
   * losing frames completed earlier in the same call: callers that must act on each frame
   * before the next is parsed (handshake first, limits changing) use write() and next().
   */
  push(chunk: Uint8Array): Uint8Array[] {
    this.write(chunk);
    const frames: Uint8Array[] = [];
    for (let frame = this.next(); frame !== undefined; frame = this.next()) frames.push(frame);
    return frames;
  }

  /** Buffers one chunk without parsing it. */
  write(chunk: Uint8Array): void {
    if (this.failure !== undefined) throw this.failure;
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
  }

  /** The next complete frame body, or undefined until more bytes arrive. Throws at a bad prefix. */
  next(): Uint8Array | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.bodyBytes < 0) {
      const declared = this.readPrefix();
      if (declared < 0) return undefined;
      this.bodyBytes = declared;
    }
    if (this.bufferedBytes < this.bodyBytes) return undefined;
    const frame = this.take(this.bodyBytes);
    this.bodyBytes = -1;
    assert(this.bufferedBytes >= 0, 'decoder buffered bytes went negative');
    return frame;
  }

  /** Consumes a complete prefix and returns the declared length, or -1 if incomplete. */
  private readPrefix(): number {
    let value = 0;
    let scale = 1;
    let index = 0;
    for (const byte of this.peekBytes(FRAME_PREFIX_BYTES_MAX)) {
      index++;
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) !== 0) continue;
      if (byte === 0 && index > 1) return this.fail('KVD_ERR_FRAME_MALFORMED', 'overlong varint');
      if (value > this.frameBytesMax) {
        return this.fail(
          'KVD_ERR_FRAME_TOO_LARGE',
          `${value} > frameBytesMax ${this.frameBytesMax}`,
        );
      }
      this.skip(index);
      return value;
    }
    if (index === FRAME_PREFIX_BYTES_MAX) {
      return this.fail('KVD_ERR_FRAME_MALFORMED', `varint longer than ${index} bytes`);
    }
    return -1;
  }

  private fail(code: 'KVD_ERR_FRAME_MALFORMED' | 'KVD_ERR_FRAME_TOO_LARGE', detail: string): never {
    this.failure = new KvdError(code, detail);
    this.chunks.length = 0;
    this.bufferedBytes = 0;
    throw this.failure;
  }

  /** Up to `count` buffered bytes from the front, without consuming them. */
  private *peekBytes(count: number): Generator<number> {
    let remaining = count;
    let offset = this.headOffset;
    for (const chunk of this.chunks) {
      for (let i = offset; i < chunk.length && remaining > 0; i++, remaining--) {
        yield chunk[i] as number;
      }
      offset = 0;
      if (remaining === 0) return;
    }
  }

  private skip(count: number): void {
    assert(count <= this.bufferedBytes, () => `skip ${count} > buffered ${this.bufferedBytes}`);
    let remaining = count;
    while (remaining > 0) {
      const head = this.chunks[0] as Uint8Array;
      const available = head.length - this.headOffset;
      if (available > remaining) {
        this.headOffset += remaining;
        break;
      }
      remaining -= available;
      this.chunks.shift();
      this.headOffset = 0;
    }
    this.bufferedBytes -= count;
  }

  /** Removes and returns the next `count` bytes; a view when they sit in one chunk. */
  private take(count: number): Uint8Array {
    const head = this.chunks[0];
    if (count === 0 || head === undefined) return new Uint8Array(0);
    if (head.length - this.headOffset >= count) {
      const view = head.subarray(this.headOffset, this.headOffset + count);
      this.skip(count);
      return view;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    let offset = this.headOffset;
    for (const chunk of this.chunks) {
      const part = chunk.subarray(offset, Math.min(chunk.length, offset + count - filled));
      out.set(part, filled);
      filled += part.length;
      offset = 0;
      if (filled === count) break;
    }
    assert(filled === count, () => `take filled ${filled} of ${count}`);
    this.skip(count);
    return out;
  }
}
