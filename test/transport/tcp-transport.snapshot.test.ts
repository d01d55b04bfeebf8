// Snapshots over TCP: a large snapshot streams in chunks on its own connection and is
// reassembled whole while heartbeats keep arriving on the message connection; a snapshot to an
// unreachable peer is reported failed.

import { afterEach, describe, expect, it } from 'vitest';
import { Prng } from '../../src/lib/prng.js';
import { makeMessage, type Message } from '../../src/raft/types.js';
import type { PeerStatusEvent } from '../../src/transport/transport.js';
import {
  closeAll,
  heartbeat,
  startTcpCluster,
  testSeed,
  waitConnected,
  waitFor,
  type TcpMember,
} from './transport-fixtures.js';

function snapshotMessage(index: number, bytes: number, random: Prng): Message {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4096) data[i] = random.int(256);
  const meta = { index, term: 2, conf: { voters: ['a', 'b'], learners: [] } };
  return makeMessage({ type: 'snapshot', from: 'a', to: 'b', term: 2, snapshot: { meta, data } });
}

describe('tcp-transport: snapshots', () => {
  let members: TcpMember[] = [];
  afterEach(async () => {
    await closeAll(members);
    members = [];
  });

  it('snapshot: a 32 MiB snapshot is reassembled whole while heartbeats keep flowing', async () => {
    members = await startTcpCluster(['a', 'b']);
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    const events: PeerStatusEvent[] = [];
    a.transport.onPeerStatus((event) => events.push(event));
    const random = new Prng(testSeed('snapshot streaming'));
    a.transport.send([snapshotMessage(1, 1000, random)]);
    await waitFor('snapshot connection warmed up', () => b.received.length === 1);

    const big = snapshotMessage(2, 32 * 1024 * 1024, random);
    a.transport.send([big]);
    let sent = 0;
    const timer = setInterval(() => a.transport.send([heartbeat('a', 'b', 100 + ++sent)]), 1);
    let heartbeatsBefore = -1;
    try {
      await waitFor(
        'big snapshot',
        () => {
          const index = b.received.findIndex((m) => m.snapshot?.meta.index === 2);
          if (index >= 0) heartbeatsBefore = b.received.slice(1, index).length;
          return index >= 0;
        },
        20_000,
      );
    } finally {
      clearInterval(timer);
    }
    const got = b.received.find((m) => m.snapshot?.meta.index === 2);
    console.log(
      `snapshot: ${heartbeatsBefore} heartbeats arrived while 32 MiB streamed (${sent} sent)`,
    );
    expect(
      Buffer.compare(Buffer.from(got?.snapshot?.data ?? []), Buffer.from(big.snapshot?.data ?? [])),
    ).toBe(0);
    expect(heartbeatsBefore).toBeGreaterThanOrEqual(3);
    await waitFor('snapshot-sent', () =>
      events.some((e) => e.type === 'snapshot-sent' && e.index === 2),
    );
    expect(b.transport.stats().counters.snapshotsReceived).toBe(2);
  });

  it('snapshot: to an unreachable peer: snapshot-failed reported, drop counted', async () => {
    members = await startTcpCluster(['a']);
    const [a] = members as [TcpMember];
    const events: PeerStatusEvent[] = [];
    a.transport.onPeerStatus((event) => events.push(event));
    a.transport.addPeer('b', 'http://127.0.0.1:1');
    a.transport.send([snapshotMessage(5, 10_000, new Prng(1))]);
    await waitFor('snapshot-failed', () =>
      events.some((event) => event.type === 'snapshot-failed'),
    );
    expect(events.find((event) => event.type === 'snapshot-failed')).toMatchObject({
      peerId: 'b',
      index: 5,
    });
    expect(a.transport.stats().counters.droppedUnreachable).toBeGreaterThanOrEqual(1);
  });

  it('snapshot: beyond snapshotQueueLengthMax waiting snapshots are dropped', async () => {
    members = await startTcpCluster(['a', 'b']);
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    const events: PeerStatusEvent[] = [];
    a.transport.onPeerStatus((event) => events.push(event));
    const random = new Prng(2);
    a.transport.send([
      snapshotMessage(1, 1_000, random),
      snapshotMessage(2, 1_000, random),
      snapshotMessage(3, 1_000, random),
    ]);
    await waitFor('two delivered', () => b.received.length === 2);
    expect(b.received.map((m) => m.snapshot?.meta.index)).toEqual([1, 2]);
    expect(a.transport.stats().counters.droppedQueueFull).toBe(1);
    expect(events.find((event) => event.type === 'snapshot-failed')).toMatchObject({
      index: 3,
      reason: 'snapshotQueueLengthMax reached',
    });
  });
});
