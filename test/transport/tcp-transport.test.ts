// tcp-transport.ts over real sockets on 127.0.0.1: the shared conformance suite, coalesced
// writes, drops for oversized messages and unreachable peers, and bad frames from one peer
// closing only that connection while other peers keep flowing.

import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Prng } from '../../src/lib/prng.js';
import type { Message, NodeId } from '../../src/raft/types.js';
import { encodeFrame } from '../../src/transport/frame-codec.js';
import { PROTOCOL_VERSION } from '../../src/transport/handshake.js';
import { encodePeerFrame } from '../../src/transport/peer-codec.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { PeerStatusEvent } from '../../src/transport/transport.js';
import { describeTransportConformance, type ConformanceCluster } from './transport-conformance.js';
import {
  CLUSTER_ID,
  LOOPBACK_URL,
  appendMessage,
  closeAll,
  heartbeat,
  sleep,
  startTcpCluster,
  testSeed,
  waitConnected,
  waitFor,
  type TcpMember,
} from './transport-fixtures.js';

async function startConformanceCluster(ids: readonly NodeId[]): Promise<ConformanceCluster> {
  const events = new Map<NodeId, PeerStatusEvent[]>(ids.map((id) => [id, []]));
  const members = await startTcpCluster(ids);
  for (const member of members)
    member.transport.onPeerStatus((event) => events.get(member.id)?.push(event));
  await waitConnected(members);
  return {
    transports: new Map(members.map((member) => [member.id, member.transport])),
    received: new Map<NodeId, Message[]>(members.map((member) => [member.id, member.received])),
    events,
    close: () => closeAll(members),
  };
}

describeTransportConformance('tcp-transport', startConformanceCluster);

describe('tcp-transport', () => {
  let members: TcpMember[] = [];
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await closeAll(members);
    members = [];
  });

  it('tcp-transport: coalescing: one event-loop turn of messages, one write', async () => {
    members = await startTcpCluster(['a', 'b']);
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    const before = a.transport.stats().counters.socketWrites;
    const random = new Prng(testSeed('coalescing'));
    for (let i = 0; i < 50; i++) a.transport.send([appendMessage('a', 'b', i, random)]);
    await waitFor('50 delivered', () => b.received.length === 50);
    expect(a.transport.stats().counters.socketWrites - before).toBe(1);
    a.transport.send([heartbeat('a', 'b')]);
    await sleep(1);
    a.transport.send([heartbeat('a', 'b')]);
    await waitFor('52 delivered', () => b.received.length === 52);
    expect(a.transport.stats().counters.socketWrites - before).toBe(3);
  });

  it('tcp-transport: unreachable: messages to a down peer dropped, counted', async () => {
    members = await startTcpCluster(['a']);
    const [a] = members as [TcpMember];
    const events: PeerStatusEvent[] = [];
    a.transport.onPeerStatus((event) => events.push(event));
    a.transport.addPeer('b', 'http://127.0.0.1:1');
    await waitFor('down reported', () => events.length > 0);
    expect(events[0]).toMatchObject({ type: 'down', peerId: 'b', channel: 'messages' });
    a.transport.send([heartbeat('a', 'b'), heartbeat('a', 'b')]);
    expect(a.transport.stats().counters.droppedUnreachable).toBeGreaterThanOrEqual(2);
    await sleep(150);
    expect(events.filter((event) => event.type === 'down')).toHaveLength(1);
  });

  it('tcp-transport: a message over frameBytesMax is dropped, counted, logged', async () => {
    members = await startTcpCluster(['a', 'b'], {
      limits: { frameBytesMax: 64 * 1024, snapshotChunkBytesMax: 16 * 1024 },
    });
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    const huge = appendMessage('a', 'b', 1, new Prng(1), 20_000);
    a.transport.send([huge, heartbeat('a', 'b')]);
    await waitFor('heartbeat delivered', () => b.received.length === 1);
    expect(b.received[0]?.type).toBe('heartbeat');
    expect(a.transport.stats().counters.droppedTooLarge).toBe(1);
    expect(a.log.find('message over frameBytesMax dropped')).toHaveLength(1);
  });

  it('tcp-transport: bad frames close only their connection, others flow', async () => {
    members = await startTcpCluster(['a', 'b', 'c'], {
      limits: { frameBytesMax: 64 * 1024, snapshotChunkBytesMax: 16 * 1024 },
    });
    await waitConnected(members);
    const [a, b, c] = members as [TcpMember, TcpMember, TcpMember];
    const port = Number(new URL(a.transport.listenUrl).port);
    const garbage = [
      encodeFrame(new Uint8Array(64 * 1024 + 1)),
      Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
    ];
    for (const bad of garbage) {
      const socket = net.connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.resume();
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      const handshake = {
        version: PROTOCOL_VERSION,
        clusterId: CLUSTER_ID,
        senderId: 'b',
        receiverId: 'a',
        channel: 'messages' as const,
      };
      socket.write(encodeFrame(encodePeerFrame({ kind: 'handshake', handshake })));
      socket.write(bad);
      await closed;
    }
    expect(
      a.log.find('closing inbound peer connection', { code: 'KVD_ERR_FRAME_TOO_LARGE' }),
    ).toHaveLength(1);
    expect(
      a.log.find('closing inbound peer connection', { code: 'KVD_ERR_FRAME_MALFORMED' }),
    ).toHaveLength(1);
    expect(a.transport.stats().counters.connectionsFailed).toBe(2);
    b.transport.send([heartbeat('b', 'a', 5)]);
    c.transport.send([heartbeat('c', 'a', 6)]);
    await waitFor('both delivered', () => a.received.length === 2);
    expect(a.received.map((m) => m.term).sort()).toEqual([5, 6]);
  });

  it('tcp-transport: updatePeer moves the connection to the new address', async () => {
    members = await startTcpCluster(['a', 'b']);
    const [a, b] = members as [TcpMember, TcpMember];
    a.transport.updatePeer('b', 'http://127.0.0.1:1');
    await sleep(50);
    a.transport.send([heartbeat('a', 'b', 1)]);
    a.transport.updatePeer('b', b.transport.listenUrl);
    await waitFor('reconnected', () => a.transport.stats().peers.get('b')?.connected === true);
    a.transport.send([heartbeat('a', 'b', 2)]);
    await waitFor('delivered', () => b.received.length === 1);
    expect(b.received[0]?.term).toBe(2);
    expect(a.transport.stats().peers.get('b')?.address).toBe(b.transport.listenUrl);
  });

  it('tcp-transport: config: out-of-range limits are refused naming the setting', () => {
    const make = (limits: object) => () =>
      new TcpTransport({ selfId: 'a', clusterId: CLUSTER_ID, listenUrl: LOOPBACK_URL, limits });
    expect(make({ frameBytesMax: 10 })).toThrow(/frameBytesMax 10/);
    expect(make({ reconnectBackoffMsMin: 500, reconnectBackoffMsMax: 100 })).toThrow(
      /reconnectBackoffMsMin must be <= reconnectBackoffMsMax/,
    );
    expect(make({ frameBytesMax: 65_536, snapshotChunkBytesMax: 65_536 })).toThrow(
      /snapshotChunkBytesMax/,
    );
    expect(
      () => new TcpTransport({ selfId: 'a', clusterId: CLUSTER_ID, listenUrl: 'tcp://x:1' }),
    ).toThrow(/scheme tcp:/);
  });
});
