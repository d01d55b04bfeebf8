// snapshot-chunks.ts: splitting a snapshot and reassembling it from chunks of any size, and
// refusing chunk streams that are out of order, overflow, or exceed snapshotBytesMax.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKvdError } from '../../src/lib/errors.js';
import { makeMessage, type Message } from '../../src/raft/types.js';
import {
  SnapshotAssembler,
  snapshotChunks,
  type SnapshotChunk,
} from '../../src/transport/snapshot-chunks.js';
import { testSeed } from './transport-fixtures.js';

function snapshot(data: Uint8Array, index = 7): Message {
  const meta = { index, term: 2, conf: { voters: ['a'], learners: [] } };
  return makeMessage({ type: 'snapshot', from: 'a', to: 'b', term: 2, snapshot: { meta, data } });
}

function codeOf(action: () => unknown): string {
  try {
    action();
    return 'ok';
  } catch (error) {
    return isKvdError(error) ? error.code : String(error);
  }
}

describe('snapshot-chunks', () => {
  it('snapshot-chunks: any data, any chunk size: reassembles to the same message', () => {
    const seed = testSeed('snapshot-chunks');
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 5_000 }),
        fc.integer({ min: 1, max: 6_000 }),
        (data, chunkBytes) => {
          const message = snapshot(data);
          const chunks = [...snapshotChunks(message, chunkBytes)];
          expect(chunks).toHaveLength(Math.max(1, Math.ceil(data.length / chunkBytes)));
          expect(chunks.slice(1).every((chunk) => chunk.header === undefined)).toBe(true);
          const assembler = new SnapshotAssembler(10_000);
          const results = chunks.map((chunk) => assembler.accept(chunk));
          expect(results.slice(0, -1).every((result) => result === undefined)).toBe(true);
          const whole = results.at(-1);
          expect(whole?.snapshot?.meta).toEqual(message.snapshot?.meta);
          expect(Array.from(whole?.snapshot?.data ?? [])).toEqual(Array.from(data));
          expect(assembler.pendingBytes).toBe(0);
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('snapshot-chunks: refused: gap, overflow, no header, over snapshotBytesMax', () => {
    const chunks = [...snapshotChunks(snapshot(new Uint8Array(100)), 40)] as [
      SnapshotChunk,
      SnapshotChunk,
      SnapshotChunk,
    ];
    const gap = new SnapshotAssembler(1_000);
    gap.accept(chunks[0]);
    expect(codeOf(() => gap.accept(chunks[2]))).toBe('KVD_ERR_SNAPSHOT_MALFORMED');
    const overflow = new SnapshotAssembler(1_000);
    overflow.accept(chunks[0]);
    expect(codeOf(() => overflow.accept({ ...chunks[1], data: new Uint8Array(61) }))).toBe(
      'KVD_ERR_SNAPSHOT_MALFORMED',
    );
    expect(codeOf(() => new SnapshotAssembler(1_000).accept(chunks[1]))).toBe(
      'KVD_ERR_SNAPSHOT_MALFORMED',
    );
    expect(codeOf(() => new SnapshotAssembler(99).accept(chunks[0]))).toBe(
      'KVD_ERR_SNAPSHOT_MALFORMED',
    );
    const notSnapshot = { ...chunks[0], header: makeMessage({ type: 'heartbeat', to: 'b' }) };
    expect(codeOf(() => new SnapshotAssembler(1_000).accept(notSnapshot))).toBe(
      'KVD_ERR_SNAPSHOT_MALFORMED',
    );
  });

  it('snapshot-chunks: a new header abandons the half-built snapshot and counts it', () => {
    const first = [...snapshotChunks(snapshot(new Uint8Array(100), 1), 40)];
    const second = [...snapshotChunks(snapshot(Uint8Array.of(9, 9), 2), 40)];
    const assembler = new SnapshotAssembler(1_000);
    assembler.accept(first[0] as SnapshotChunk);
    const whole = assembler.accept(second[0] as SnapshotChunk);
    expect(whole?.snapshot?.meta.index).toBe(2);
    expect(assembler.abandoned).toBe(1);
  });
});
