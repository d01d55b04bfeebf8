// Fuzz: >100,000 valid and hostile frames (fuzz-frames.ts) thrown at a live listener over real
// sockets, ~130 per connection, in random chunk splits. Asserts no crash, no unhandled rejection,
// no leaked connection, flat memory, and that a legitimate peer still handshakes and exchanges
// messages and requests afterwards.

import fc from 'fast-check';
import * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../src/lib/prng.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import { FUZZ_FRAME_BYTES_MAX, flip, fuzzBatchArb, helloFrame } from './fuzz-frames.js';
import { CLUSTER_ID, LOOPBACK_URL, heartbeat, testSeed, waitFor } from './transport-fixtures.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const FRAMES_TOTAL_MIN = 100_000;
const RUNS = 800;

/** Writes `bytes` in random-sized pieces, ends, and resolves when the socket is closed. */
function throwBatch(port: number, bytes: Uint8Array, splitSeed: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('listener did not close a fuzz connection within 10 s'));
    }, 10_000);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => {
      const random = new Prng(splitSeed);
      for (let at = 0; at < bytes.length && !socket.destroyed;) {
        const size = 1 + random.int(random.chance(0.5) ? 64 : 4096);
        socket.write(bytes.subarray(at, at + size));
        at += size;
      }
      socket.end();
    });
  });
}

function memoryBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('tcp-transport: fuzz', () => {
  const faults: string[] = [];
  const onRejection = (reason: unknown): void =>
    void faults.push(`unhandledRejection: ${String(reason)}`);
  const onException = (error: Error): void =>
    void faults.push(`uncaughtException: ${error.stack ?? error.message}`);
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  afterAll(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });

  it('fuzz: 100k bad frames at a live listener: no crash, flat memory, still serves', async () => {
    const seed = testSeed('fuzz');
    const warnings = new Map<string, number>();
    const sink = {
      write: (line: string) => {
        const parsed = JSON.parse(line) as { msg: string; code?: string };
        const msg = parsed.code === undefined ? parsed.msg : `${parsed.msg}: ${parsed.code}`;
        warnings.set(msg, (warnings.get(msg) ?? 0) + 1);
      },
    };
    const limits = {
      frameBytesMax: FUZZ_FRAME_BYTES_MAX,
      snapshotChunkBytesMax: 16 * 1024,
      snapshotBytesMax: 1024 * 1024,
      handshakeTimeoutMs: 2_000,
      reconnectBackoffMsMin: 500,
      reconnectBackoffMsMax: 2_000,
    };
    const a = new TcpTransport({
      selfId: 'a',
      clusterId: CLUSTER_ID,
      listenUrl: LOOPBACK_URL,
      limits,
      logger: pino({ level: 'warn' }, sink),
      random: new Prng(seed),
    });
    const c = new TcpTransport({
      selfId: 'c',
      clusterId: CLUSTER_ID,
      listenUrl: LOOPBACK_URL,
      random: new Prng(seed + 1),
    });
    try {
      let delivered = 0;
      a.onMessage(() => void delivered++);
      a.onRequest((_from, _kind, payload) => Promise.resolve(payload));
      a.addPeer('b', 'http://127.0.0.1:1');
      await a.start();
      const port = Number(new URL(a.listenUrl).port);

      let thrown = 0;
      const kinds = new Map<string, number>();
      let memoryBefore = 0;
      let run = 0;
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(fuzzBatchArb(seed), async (batch) => {
          if (run++ === 20) memoryBefore = memoryBytes();
          const hello =
            batch.hello === 'none'
              ? []
              : [batch.hello === 'valid' ? helloFrame : flip(helloFrame, batch.flips)];
          const bytes = Buffer.concat([...hello, ...batch.frames.map((frame) => frame.bytes)]);
          await throwBatch(port, bytes, batch.splitSeed);
          thrown += batch.frames.length;
          for (const frame of batch.frames) kinds.set(frame.kind, (kinds.get(frame.kind) ?? 0) + 1);
          expect(faults).toEqual([]);
        }),
        { seed, numRuns: RUNS, endOnFailure: true },
      );
      await waitFor('fuzz connections closed', () => a.stats().inboundConnections === 0);
      const growth = memoryBytes() - memoryBefore;
      const counters = a.stats().counters;
      const elapsedMs = Date.now() - started;
      console.log(`fuzz: ${thrown} frames over ${RUNS} connections in ${elapsedMs} ms`);
      console.log(`fuzz: kinds ${JSON.stringify(Object.fromEntries(kinds))}`);
      const { framesReceived, snapshotsReceived, droppedInvalid, framesIgnored } = counters;
      console.log(
        `fuzz: listener decoded ${framesReceived} frames, delivered ${delivered} ` +
          `(${snapshotsReceived} snapshots), invalid ${droppedInvalid}, ` +
          `ignored ${framesIgnored}, ` +
          `refused ${counters.handshakesRefused}, closed ${counters.connectionsFailed}; ` +
          `memory ${(growth / 1e6).toFixed(1)} MB`,
      );
      console.log(`fuzz: warnings ${JSON.stringify(Object.fromEntries(warnings))}`);
      expect(thrown).toBeGreaterThanOrEqual(FRAMES_TOTAL_MIN);
      expect(counters.framesReceived).toBeGreaterThan(FRAMES_TOTAL_MIN / 2);
      expect(delivered).toBeGreaterThan(FRAMES_TOTAL_MIN / 5);
      expect(counters.droppedInvalid).toBeGreaterThan(1_000);
      expect(counters.snapshotsReceived).toBeGreaterThan(100);
      expect(counters.connectionsFailed).toBeGreaterThan(RUNS / 2);
      const closings = [...warnings].filter(([msg]) =>
        msg.startsWith('closing inbound peer connection'),
      );
      expect(closings.reduce((sum, [, count]) => sum + count, 0)).toBe(counters.connectionsFailed);
      expect(growth).toBeLessThan(32 * 1024 * 1024);
      expect(faults).toEqual([]);

      await c.start();
      const received: number[] = [];
      c.onMessage((message) => received.push(message.term));
      a.addPeer('c', c.listenUrl);
      c.addPeer('a', a.listenUrl);
      c.send([heartbeat('c', 'a', 77)]);
      await waitFor('legit peer connected', () => c.stats().peers.get('a')?.connected === true);
      const before = delivered;
      c.send([heartbeat('c', 'a', 78)]);
      a.send([heartbeat('a', 'c', 79)]);
      await waitFor('messages both ways', () => delivered > before && received.includes(79));
      expect(
        Buffer.from(await c.request('a', 'echo', Buffer.from('still here'), 2_000)).toString(),
      ).toBe('still here');
    } finally {
      await a.close();
      await c.close();
    }
  }, 120_000);
});
