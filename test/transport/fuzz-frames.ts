// Fast-check generators of peer frames for the listener fuzz test: frames a 1.0 listener must
// survive (valid messages of every kind, chunked snapshots, newer-version cases, refusable
// values) and hostile ones (bit flips, random bodies and bytes, truncations, huge lengths, bad
// varints, second handshakes), composed into per-connection batches. Test code only.

import fc from 'fast-check';
import protobuf from 'protobufjs';
import type { Message } from '../../src/raft/types.js';
import { encodeFrame } from '../../src/transport/frame-codec.js';
import { PROTOCOL_VERSION, type Handshake } from '../../src/transport/handshake.js';
import { encodePeerFrame } from '../../src/transport/peer-codec.js';
import { snapshotChunks } from '../../src/transport/snapshot-chunks.js';
import { CLUSTER_ID, messageArb } from './transport-fixtures.js';

/** The listener's frameBytesMax in the fuzz test; hostile lengths exceed it. */
export const FUZZ_FRAME_BYTES_MAX = 256 * 1024;

export const HELLO: Handshake = {
  version: PROTOCOL_VERSION,
  clusterId: CLUSTER_ID,
  senderId: 'b',
  receiverId: 'a',
  channel: 'messages',
};
export const helloFrame = encodeFrame(encodePeerFrame({ kind: 'handshake', handshake: HELLO }));

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

const rawFrameType = protobuf
  .loadSync(new URL('../../proto/peer.proto', import.meta.url).pathname)
  .lookupType('kvd.peer.v1.Frame');
const TOO_BIG = '18446744073709551615'; // 2^64 - 1, as a decimal string for fromObject

const raftBody = (message: Message): Uint8Array => encodePeerFrame({ kind: 'raft', message });

/** Frame bodies a 1.0 listener must take without closing the connection (a chunked snapshot
 * is several). Costly to generate, so batches draw from a pool sampled once per seed. */
const survivableBodiesArb: fc.Arbitrary<Uint8Array[]> = fc.oneof(
  { weight: 40, arbitrary: messageArb({ from: 'b', to: 'a' }).map((m) => [raftBody(m)]) },
  { weight: 10, arbitrary: messageArb().map((m) => [raftBody(m)]) },
  {
    weight: 10,
    arbitrary: fc
      .record({
        id: fc.nat(),
        kind: fc.string({ maxLength: 8 }),
        payload: fc.uint8Array({ maxLength: 64 }),
      })
      .map((request) => [encodePeerFrame({ kind: 'forward-request', request })]),
  },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        messageArb({ from: 'b', to: 'a' }),
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 128 }),
      )
      .map(([m, data, chunkBytes]) => {
        const message: Message = {
          ...m,
          type: 'snapshot',
          snapshot: { meta: { index: 1, term: 1, conf: { voters: [], learners: [] } }, data },
        };
        return [...snapshotChunks(message, chunkBytes)].map((chunk) =>
          encodePeerFrame({ kind: 'snapshot-chunk', chunk }),
        );
      }),
  },
  // A Frame case from a newer version (field 7, length-delimited), and an empty Frame.
  {
    weight: 5,
    arbitrary: fc
      .uint8Array({ maxLength: 32 })
      .map((bytes) => [Uint8Array.from([0x3a, ...varint(bytes.length), ...bytes])]),
  },
  { weight: 2, arbitrary: fc.constant(null).map((): Uint8Array[] => [new Uint8Array(0)]) },
  // Well-formed protobuf with values 1.0 refuses: unknown type, uint64 beyond 2^53.
  {
    weight: 8,
    arbitrary: fc.tuple(fc.integer({ min: 15, max: 1_000 }), fc.boolean()).map(([type, big]) => [
      rawFrameType
        .encode(
          rawFrameType.fromObject({
            raft: { type: big ? 7 : type, from: 'b', to: 'a', term: big ? TOO_BIG : 1 },
          }),
        )
        .finish(),
    ]),
  },
);

export type FuzzFrame = { readonly kind: string; readonly bytes: Uint8Array };

export function flip(body: Uint8Array, positions: readonly number[]): Uint8Array {
  const copy = Uint8Array.from(body);
  for (const position of positions)
    if (copy.length > 0) copy[position % copy.length]! ^= 1 << (position % 8);
  return copy;
}

/** Frames that usually end the connection: mutations, garbage, broken framing. */
function hostileArb(anyBodyArb: fc.Arbitrary<Uint8Array>): fc.Arbitrary<FuzzFrame> {
  return fc.oneof(
    {
      weight: 30,
      arbitrary: fc
        .tuple(anyBodyArb, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }))
        .map(([body, positions]) => ({
          kind: 'bit-flip',
          bytes: encodeFrame(flip(body, positions)),
        })),
    },
    {
      weight: 20,
      arbitrary: fc
        .uint8Array({ maxLength: 200 })
        .map((body) => ({ kind: 'random-body', bytes: encodeFrame(body) })),
    },
    {
      weight: 10,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 64 })
        .map((bytes) => ({ kind: 'random-bytes', bytes })),
    },
    {
      weight: 15,
      arbitrary: fc.tuple(anyBodyArb, fc.nat()).map(([body, cut]) => ({
        kind: 'truncated',
        bytes: encodeFrame(body).subarray(0, 1 + (cut % Math.max(1, body.length))),
      })),
    },
    {
      weight: 10,
      arbitrary: fc
        .tuple(
          fc.integer({ min: FUZZ_FRAME_BYTES_MAX + 1, max: 2 ** 32 - 1 }),
          fc.uint8Array({ maxLength: 16 }),
        )
        .map(([length, rest]) => ({
          kind: 'huge-length',
          bytes: Uint8Array.from([...varint(length), ...rest]),
        })),
    },
    {
      weight: 10,
      arbitrary: fc
        .oneof(
          fc.constant([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
          fc.constant([0x81, 0x00]),
          fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 5, maxLength: 8 }),
        )
        .map((bytes) => ({ kind: 'bad-varint', bytes: Uint8Array.from(bytes) })),
    },
    { weight: 5, arbitrary: fc.constant({ kind: 'second-handshake', bytes: helloFrame }) },
  );
}

/**
 * "deep": a valid handshake, ~130 frames the listener must survive, then maybe one hostile frame
 * and a tail (never parsed if the hostile frame was fatal). "raw": any opening, then frames drawn
 * from everything, so most connections die early in the handshake or framing code.
 */
export function fuzzBatchArb(seed: number, poolSize = 3_000) {
  const pool = fc.sample(survivableBodiesArb, { seed, numRuns: poolSize });
  const survivableArb = fc
    .nat(pool.length - 1)
    .map((i): FuzzFrame[] =>
      (pool[i] as Uint8Array[]).map((body) => ({ kind: 'valid', bytes: encodeFrame(body) })),
    );
  const hostile = hostileArb(fc.nat(pool.length - 1).map((i) => (pool[i] as Uint8Array[])[0]!));
  return fc
    .oneof(
      {
        weight: 3,
        arbitrary: fc
          .tuple(
            fc.array(survivableArb, { minLength: 126, maxLength: 140 }),
            fc.option(hostile, { freq: 5 }),
            fc.array(hostile, { maxLength: 8 }),
          )
          .map(([body, last, tail]) => ({
            hello: 'valid' as const,
            frames: [...body.flat(), ...(last === null ? [] : [last]), ...tail],
          })),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          hello: fc.constantFrom('valid' as const, 'none' as const, 'mutated' as const),
          frames: fc
            .array(
              fc.oneof(
                survivableArb,
                hostile.map((frame) => [frame]),
              ),
              { minLength: 126, maxLength: 140 },
            )
            .map((lists) => lists.flat()),
        }),
      },
    )
    .chain((batch) =>
      fc
        .record({ flips: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }), splitSeed: fc.nat() })
        .map((extra) => ({ ...batch, ...extra })),
    );
}
