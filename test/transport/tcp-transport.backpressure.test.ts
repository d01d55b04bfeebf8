// Backpressure: a peer that completes the handshake and then stops reading. The sender's queue
// (plus what its socket buffers) stays within sendQueueBytesMax, the excess is dropped and
// counted, memory stays bounded, and once the peer reads again every message counted as sent
// arrives and new messages flow.

import * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { Prng } from '../../src/lib/prng.js';
import { FrameDecoder, encodeFrame } from '../../src/transport/frame-codec.js';
import { checkHandshake } from '../../src/transport/handshake.js';
import { decodePeerFrame, encodePeerFrame } from '../../src/transport/peer-codec.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import {
  CLUSTER_ID,
  LOOPBACK_URL,
  appendMessage,
  heartbeat,
  sleep,
  testSeed,
  waitFor,
} from './transport-fixtures.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function memoryBytes(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** A listener for member 'b' that accepts the handshake, then reads only when told to. */
async function stalledPeer(): Promise<{
  url: string;
  resume(): void;
  raftFrames(): number;
  close(): Promise<void>;
}> {
  let raftFrames = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const decoder = new FrameDecoder();
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const body of decoder.push(chunk)) {
        const frame = decodePeerFrame(body);
        if (frame.kind === 'raft') raftFrames++;
        if (frame.kind !== 'handshake') continue;
        const identity = {
          version: frame.handshake.version,
          clusterId: CLUSTER_ID,
          selfId: 'b',
          isMember: () => true,
        };
        const reply = checkHandshake(frame.handshake, identity);
        socket.write(encodeFrame(encodePeerFrame({ kind: 'handshake-reply', reply })));
        socket.pause();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    resume: () => sockets.forEach((socket) => socket.resume()),
    raftFrames: () => raftFrames,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

describe('tcp-transport: backpressure', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('backpressure: peer stops reading: queue capped, drops counted, memory bounded', async () => {
    const queueMax = 1024 * 1024;
    const peer = await stalledPeer();
    cleanups.push(peer.close);
    const a = new TcpTransport({
      selfId: 'a',
      clusterId: CLUSTER_ID,
      listenUrl: LOOPBACK_URL,
      limits: { sendQueueBytesMax: queueMax },
    });
    cleanups.push(() => a.close());
    await a.start();
    a.addPeer('b', peer.url);
    await waitFor('connected', () => a.stats().peers.get('b')?.connected === true);

    const random = new Prng(testSeed('backpressure'));
    const messages = Array.from({ length: 100 }, (_, i) => appendMessage('a', 'b', i, random, 256));
    const memoryBefore = memoryBytes();
    let total = 0;
    let queuedMax = 0;
    for (let turn = 0; turn < 300; turn++) {
      a.send(messages);
      total += messages.length;
      queuedMax = Math.max(queuedMax, a.stats().peers.get('b')?.queuedBytes ?? 0);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const growth = memoryBytes() - memoryBefore;
    const stalled = a.stats().counters;
    const queued = total - stalled.messagesSent - stalled.droppedQueueFull;
    const dropped = stalled.droppedQueueFull;
    const summary = `sent ${stalled.messagesSent}, queued ${queued}, dropped ${dropped}`;
    console.log(`backpressure: ${summary} of ${total}; memory +${(growth / 1e6).toFixed(1)} MB`);
    expect(stalled.droppedQueueFull).toBeGreaterThan(total / 2);
    expect(stalled.droppedUnreachable).toBe(0);
    expect(queuedMax).toBeLessThanOrEqual(queueMax);
    expect(queued * 1000).toBeLessThanOrEqual(queueMax);
    // ~30k messages of ~1.1 kB (33 MB) went through send(); at most ~sendQueueBytesMax may stay.
    expect(growth).toBeLessThan(8 * queueMax);

    peer.resume();
    await waitFor(
      'queue flushed',
      () => a.stats().counters.messagesSent === total - stalled.droppedQueueFull,
      10_000,
    );
    await waitFor(
      'every message counted as sent arrives',
      () => peer.raftFrames() === total - stalled.droppedQueueFull,
      10_000,
    );
    a.send([heartbeat('a', 'b', 9)]);
    await waitFor(
      'new message flows',
      () => peer.raftFrames() === total - stalled.droppedQueueFull + 1,
    );
    await sleep(10);
    expect(a.stats().peers.get('b')?.queuedBytes).toBe(0);
    expect(a.stats().counters.droppedQueueFull).toBe(stalled.droppedQueueFull);
  });
});
