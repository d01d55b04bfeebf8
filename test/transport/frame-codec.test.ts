// frame-codec.ts: varint length framing across arbitrary chunk boundaries, the frame size
// limit, malformed prefixes, and bounded buffering.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKvdError } from '../../src/lib/errors.js';
import { FrameDecoder, encodeFrame, varintBytes } from '../../src/transport/frame-codec.js';
import { testSeed } from './transport-fixtures.js';

/** Splits `bytes` at the given (sorted, deduplicated) cut points. */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function expectCode(action: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(isKvdError(thrown) ? thrown.code : thrown).toBe(code);
}

describe('frame-codec', () => {
  it('frame-codec: round trip: any frames, split at any points, decode to the same frames', () => {
    const seed = testSeed('frame-codec round trip');
    const bodies = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 });
    fc.assert(
      fc.property(bodies, fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
        const stream = concat(frames.map(encodeFrame));
        const decoder = new FrameDecoder({ frameBytesMax: 1024 });
        const out: Uint8Array[] = [];
        for (const chunk of split(stream, cuts)) out.push(...decoder.push(chunk));
        expect(out.map((frame) => Array.from(frame))).toEqual(
          frames.map((frame) => Array.from(frame)),
        );
        expect(decoder.pendingBytes).toBe(0);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('frame-codec: prefix split: a multi-byte length prefix fed one byte at a time', () => {
    const body = new Uint8Array(70_000).fill(7);
    const frame = encodeFrame(body);
    expect(varintBytes(body.length)).toBe(3);
    const decoder = new FrameDecoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) out.push(...decoder.push(frame.subarray(i, i + 1)));
    expect(out).toHaveLength(0);
    out.push(...decoder.push(frame.subarray(5)));
    expect(out).toHaveLength(1);
    expect(out[0]?.length).toBe(70_000);
  });

  it('frame-codec: varint: lengths at 7-bit boundaries use the minimal prefix', () => {
    for (const [length, prefix] of [
      [0, 1],
      [127, 1],
      [128, 2],
      [16_383, 2],
      [16_384, 3],
    ] as const) {
      const frame = encodeFrame(new Uint8Array(length));
      expect(frame.length - length).toBe(prefix);
      expect(new FrameDecoder({ frameBytesMax: 20_000 }).push(frame)[0]?.length).toBe(length);
    }
  });

  it('frame-codec: oversize: a length over frameBytesMax throws before the body arrives', () => {
    const decoder = new FrameDecoder({ frameBytesMax: 1000 });
    const frame = encodeFrame(new Uint8Array(1001));
    expectCode(() => decoder.push(frame.subarray(0, 2)), 'KVD_ERR_FRAME_TOO_LARGE');
    expect(decoder.pendingBytes).toBe(0);
    expect(new FrameDecoder({ frameBytesMax: 1001 }).push(frame)).toHaveLength(1);
  });

  it('frame-codec: oversize: a 5-byte prefix for 4 GiB - 1 is too large, not malformed', () => {
    expectCode(
      () => new FrameDecoder().push(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f)),
      'KVD_ERR_FRAME_TOO_LARGE',
    );
  });

  it('frame-codec: malformed: a sixth varint byte or an overlong varint throws', () => {
    const six = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    expectCode(() => new FrameDecoder().push(six), 'KVD_ERR_FRAME_MALFORMED');
    expectCode(() => new FrameDecoder().push(Uint8Array.of(0x85, 0x00)), 'KVD_ERR_FRAME_MALFORMED');
  });

  it('frame-codec: malformed: after a failure every push throws the same error', () => {
    const decoder = new FrameDecoder();
    expectCode(() => decoder.push(Uint8Array.of(0x80, 0x00)), 'KVD_ERR_FRAME_MALFORMED');
    expectCode(() => decoder.push(encodeFrame(Uint8Array.of(1))), 'KVD_ERR_FRAME_MALFORMED');
  });

  it('frame-codec: next(): frames before a bad prefix come out, then it throws', () => {
    const chunk = concat([
      encodeFrame(Uint8Array.of(1)),
      encodeFrame(Uint8Array.of(2, 3)),
      Uint8Array.of(0x80, 0x00),
    ]);
    expectCode(() => new FrameDecoder().push(chunk), 'KVD_ERR_FRAME_MALFORMED');
    const decoder = new FrameDecoder();
    decoder.write(chunk);
    expect(Array.from(decoder.next() ?? [])).toEqual([1]);
    expect(Array.from(decoder.next() ?? [])).toEqual([2, 3]);
    expectCode(() => decoder.next(), 'KVD_ERR_FRAME_MALFORMED');
  });

  it('frame-codec: next(): a limit raised after one frame applies to the rest of the chunk', () => {
    const decoder = new FrameDecoder({ frameBytesMax: 10 });
    decoder.write(concat([encodeFrame(new Uint8Array(5)), encodeFrame(new Uint8Array(50))]));
    expect(decoder.next()?.length).toBe(5);
    decoder.frameBytesMax = 100;
    expect(decoder.next()?.length).toBe(50);
    expect(decoder.next()).toBeUndefined();
    expect(new FrameDecoder().push(encodeFrame(new Uint8Array(0)))).toHaveLength(1);
  });

  it('frame-codec: memory: holds at most the partial frame, never the declared length', () => {
    const decoder = new FrameDecoder({ frameBytesMax: 10_000_000 });
    const frame = encodeFrame(new Uint8Array(9_000_000));
    decoder.push(frame.subarray(0, 100));
    expect(decoder.pendingBytes).toBe(100 - varintBytes(9_000_000));
    const heapBefore = process.memoryUsage().arrayBuffers;
    decoder.push(frame.subarray(100, 200));
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(1_000_000);
    expect(decoder.pendingBytes).toBe(200 - varintBytes(9_000_000));
  });

  it('frame-codec: frameBytesMax raised mid-stream applies to the next prefix', () => {
    const decoder = new FrameDecoder({ frameBytesMax: 10 });
    const small = encodeFrame(new Uint8Array(5));
    const large = encodeFrame(new Uint8Array(50));
    expect(decoder.push(small)).toHaveLength(1);
    decoder.frameBytesMax = 100;
    expect(decoder.push(large)).toHaveLength(1);
  });
});
