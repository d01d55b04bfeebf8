// peer-codec.ts: Message <-> protobuf round trips for every field and message type, the other
// frame kinds, and how values this version cannot accept are reported (invalid vs malformed).

import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { isKvdError } from '../../src/lib/errors.js';
import { makeMessage, type Message } from '../../src/raft/types.js';
import {
  decodeMessage,
  decodePeerFrame,
  encodeMessage,
  encodePeerFrame,
  type PeerFrame,
} from '../../src/transport/peer-codec.js';
import { messageArb, plain, testSeed } from './transport-fixtures.js';

const frameType = protobuf
  .loadSync(new URL('../../proto/peer.proto', import.meta.url).pathname)
  .lookupType('kvd.peer.v1.Frame');

function rawFrame(raft: Record<string, unknown>): Uint8Array {
  return frameType.encode(frameType.fromObject({ raft })).finish();
}

describe('peer-codec', () => {
  it('peer-codec: round trip: any Message survives encode then decode unchanged', () => {
    const seed = testSeed('peer-codec round trip');
    fc.assert(
      fc.property(messageArb(), (message) => {
        expect(plain(decodeMessage(encodeMessage(message)))).toEqual(plain(message));
      }),
      { seed, numRuns: 1000 },
    );
  });

  it('peer-codec: round trip: 2^53 - 1 and an empty message keep exact values', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const message = makeMessage({
      type: 'append-resp',
      from: 'ffffffffffffffff',
      to: '1',
      term: max,
      index: max,
      rejectHint: max,
    });
    const decoded = decodeMessage(encodeMessage(message));
    expect(decoded.term).toBe(max);
    expect(decoded.rejectHint).toBe(max);
    expect(decoded.snapshot).toBeUndefined();
    expect(
      plain(decodeMessage(encodeMessage(makeMessage({ type: 'heartbeat', to: '2' })))),
    ).toEqual(plain(makeMessage({ type: 'heartbeat', to: '2' })));
  });

  it('peer-codec: decoded bytes never pin a larger buffer the frame was a view into', () => {
    const data = Uint8Array.of(1, 2, 3);
    const entries = [{ term: 1, index: 1, type: 'normal' as const, data }];
    const body = encodeMessage(makeMessage({ type: 'append', from: '1', to: '2', entries }));
    const socketChunk = new Uint8Array(65_536);
    socketChunk.set(body, 100);
    const view = socketChunk.subarray(100, 100 + body.length);
    const decoded = decodeMessage(view);
    socketChunk.fill(0);
    expect(Array.from(decoded.entries[0]?.data ?? [])).toEqual([1, 2, 3]);
    expect(decoded.entries[0]?.data.buffer.byteLength).toBeLessThan(1_000);
  });

  it('peer-codec: round trip: handshake, reply, chunk, forward request/response', () => {
    const header: Message = makeMessage({
      type: 'snapshot',
      from: '1',
      to: '2',
      term: 3,
      snapshot: {
        meta: { index: 9, term: 3, conf: { voters: ['1', '2'], learners: ['3'] } },
        data: new Uint8Array(0),
      },
    });
    const frames: PeerFrame[] = [
      {
        kind: 'handshake',
        handshake: {
          version: { major: 1, minorMin: 0, minorMax: 2 },
          clusterId: 'c',
          senderId: '1',
          receiverId: '2',
          channel: 'snapshot',
        },
      },
      {
        kind: 'handshake-reply',
        reply: {
          accepted: true,
          minor: 1,
          version: { major: 1, minorMin: 0, minorMax: 1 },
          responderId: '2',
        },
      },
      {
        kind: 'handshake-reply',
        reply: {
          accepted: false,
          reason: 'unknown-sender',
          detail: 'who',
          version: { major: 1, minorMin: 0, minorMax: 0 },
          responderId: '2',
        },
      },
      {
        kind: 'snapshot-chunk',
        chunk: { header, totalBytes: 5, offset: 0, data: Uint8Array.of(1, 2) },
      },
      {
        kind: 'snapshot-chunk',
        chunk: { header: undefined, totalBytes: 0, offset: 2, data: Uint8Array.of(3, 4, 5) },
      },
      { kind: 'forward-request', request: { id: 7, kind: 'put', payload: Uint8Array.of(9) } },
      { kind: 'forward-response', response: { id: 7, payload: Uint8Array.of(8), error: '' } },
      { kind: 'forward-response', response: { id: 8, payload: new Uint8Array(0), error: 'boom' } },
    ];
    for (const frame of frames) {
      expect(plain(decodePeerFrame(encodePeerFrame(frame)))).toEqual(plain(frame));
    }
  });

  it('peer-codec: invalid: an unknown message type is reported invalid, not thrown', () => {
    const decoded = decodePeerFrame(rawFrame({ type: 99, from: '1', to: '2' }));
    expect(decoded).toEqual({ kind: 'invalid', detail: 'unknown message type 99' });
    expect(decodePeerFrame(rawFrame({ type: 0 })).kind).toBe('invalid');
  });

  it('peer-codec: invalid: a uint64 above 2^53 - 1 is reported invalid, not rounded', () => {
    const term = '9007199254740992'; // 2^53, as protobufjs fromObject takes a decimal string
    const decoded = decodePeerFrame(rawFrame({ type: 7, from: '1', to: '2', term }));
    expect(decoded).toEqual({ kind: 'invalid', detail: 'term exceeds 2^53' });
  });

  it('peer-codec: malformed: bytes that are not protobuf throw KVD_ERR_MESSAGE_MALFORMED', () => {
    for (const bytes of [
      Uint8Array.of(0x0f),
      Uint8Array.of(0x1a, 0x05, 0x01),
      Uint8Array.of(0xff, 0xff, 0xff),
    ]) {
      let code = '';
      try {
        decodePeerFrame(bytes);
      } catch (error) {
        code = isKvdError(error) ? error.code : String(error);
      }
      expect(code).toBe('KVD_ERR_MESSAGE_MALFORMED');
    }
  });

  it('peer-codec: malformed: deeply nested groups throw KVD_ERR_MESSAGE_MALFORMED', () => {
    // Tag 0x0b = field 1, wire type 3 (start group), repeated: unknown-field skipping recurses.
    const nested = new Uint8Array(400_000).fill(0x0b);
    expect(() => decodePeerFrame(nested)).toThrow(
      expect.objectContaining({ code: 'KVD_ERR_MESSAGE_MALFORMED' }),
    );
  });

  it('peer-codec: an empty Frame (no case set) decodes as unknown', () => {
    expect(decodePeerFrame(new Uint8Array(0))).toEqual({ kind: 'unknown' });
  });

  it('peer-codec: decodeMessage refuses non-raft frames with KVD_ERR_MESSAGE_MALFORMED', () => {
    const body = encodePeerFrame({
      kind: 'forward-request',
      request: { id: 1, kind: 'k', payload: new Uint8Array(0) },
    });
    expect(() => decodeMessage(body)).toThrow(/forward-request/);
  });
});
