// Forward and backward compatibility with a newer protocol: test/transport/peer-next.proto
// (1.1: extra fields, a new enum value, a new Frame case) against this version (1.0), first as
// bytes through the codec, then over real sockets in both directions.

import * as net from 'node:net';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeMessage } from '../../src/raft/types.js';
import { FrameDecoder, encodeFrame } from '../../src/transport/frame-codec.js';
import { decodePeerFrame, encodeMessage } from '../../src/transport/peer-codec.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { PeerStatusEvent } from '../../src/transport/transport.js';
import { CLUSTER_ID, LOOPBACK_URL, captureLogger, plain, waitFor } from './transport-fixtures.js';

const nextRoot = protobuf.loadSync(new URL('./peer-next.proto', import.meta.url).pathname);
const NextFrame = nextRoot.lookupType('kvd.peer.v1.Frame');
const NEXT_VERSION = { major: 1, minorMin: 0, minorMax: 1 };

function nextEncode(frame: Record<string, unknown>): Uint8Array {
  const message = NextFrame.fromObject(frame);
  const error = NextFrame.verify(message);
  if (error !== null) throw new Error(`bad next-version frame: ${error}`);
  return NextFrame.encode(message).finish();
}

function nextDecode(bytes: Uint8Array): Record<string, unknown> {
  return NextFrame.toObject(NextFrame.decode(bytes), {
    longs: Number,
    enums: String,
    defaults: true,
  });
}

/** A next-version append: every 1.0 field set plus the 1.1 additions. */
const nextAppend = {
  raft: {
    type: 'MESSAGE_TYPE_APPEND',
    from: 'b',
    to: 'a',
    term: 5,
    logTerm: 4,
    index: 10,
    commit: 9,
    entries: [
      { term: 5, index: 11, type: 'ENTRY_TYPE_NORMAL', data: Buffer.from('put x'), checksum: 1234 },
    ],
    context: 'ctx',
    leaseMs: 900,
    trace: ['t1', 't2'],
    priority: 'PRIORITY_URGENT',
    piggyback: { nonce: 77, note: 'hi' },
  },
};

describe('peer-codec: newer schema', () => {
  it('newer schema: 1.1 RaftMessage with extra fields decodes in 1.0, extras ignored', () => {
    const decoded = decodePeerFrame(nextEncode(nextAppend));
    expect(decoded.kind).toBe('raft');
    const expected = makeMessage({
      type: 'append',
      from: 'b',
      to: 'a',
      term: 5,
      logTerm: 4,
      index: 10,
      commit: 9,
      context: 'ctx',
      entries: [{ term: 5, index: 11, type: 'normal', data: Buffer.from('put x') }],
    });
    expect(plain(decoded.kind === 'raft' ? decoded.message : undefined)).toEqual(plain(expected));
    // The 1.1 additions really are on the wire (fromObject drops names it does not know).
    expect(nextEncode(nextAppend).length).toBeGreaterThan(encodeMessage(expected).length + 20);
  });

  it('newer schema: a 1.1-only Frame case (Ping) decodes in 1.0 as unknown', () => {
    expect(decodePeerFrame(nextEncode({ ping: { nonce: 5, note: 'x' } }))).toEqual({
      kind: 'unknown',
    });
  });

  it('newer schema: a 1.1-only MessageType decodes in 1.0 as invalid (dropped, not fatal)', () => {
    const decoded = decodePeerFrame(
      nextEncode({ raft: { type: 'MESSAGE_TYPE_WITNESS_PROBE', from: 'b', to: 'a' } }),
    );
    expect(decoded).toEqual({ kind: 'invalid', detail: 'unknown message type 15' });
  });

  it('newer schema: a 1.0 Message decodes in 1.1, new fields at defaults', () => {
    const message = makeMessage({
      type: 'vote',
      from: '1',
      to: '2',
      term: 8,
      logTerm: 7,
      index: 99,
      transfer: true,
      context: 'c',
      entries: [{ term: 7, index: 99, type: 'conf-change', data: Uint8Array.of(1, 2) }],
    });
    const raft = nextDecode(encodeMessage(message))['raft'] as Record<string, unknown>;
    expect(raft).toMatchObject({
      type: 'MESSAGE_TYPE_VOTE',
      from: '1',
      to: '2',
      term: 8,
      logTerm: 7,
      index: 99,
      transfer: true,
      context: 'c',
    });
    expect(raft).toMatchObject({
      leaseMs: 0,
      trace: [],
      priority: 'PRIORITY_NORMAL',
      piggyback: null,
    });
    expect(raft['entries']).toMatchObject([
      { term: 7, index: 99, type: 'ENTRY_TYPE_CONF_CHANGE', checksum: 0 },
    ]);
  });
});

describe('peer-codec: newer schema over TCP', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('newer schema: tcp: 1.1 dialer to 1.0 listener: minor 0, extras ignored', async () => {
    const log = captureLogger();
    const listener = new TcpTransport({
      selfId: 'a',
      clusterId: CLUSTER_ID,
      listenUrl: LOOPBACK_URL,
      logger: log.logger,
    });
    cleanups.push(() => listener.close());
    const received: unknown[] = [];
    listener.onMessage((message) => received.push(message));
    listener.onRequest((from, kind, payload) =>
      Promise.resolve(Buffer.from(`${from}:${kind}:${payload.length}`)),
    );
    listener.addPeer('b', 'http://127.0.0.1:1');
    await listener.start();
    const port = Number(new URL(listener.listenUrl).port);

    const socket = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    const replies: Record<string, unknown>[] = [];
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => replies.push(...decoder.push(chunk).map(nextDecode)));
    const handshake = {
      version: NEXT_VERSION,
      clusterId: CLUSTER_ID,
      senderId: 'b',
      receiverId: 'a',
      channel: 'CHANNEL_MESSAGES',
      features: ['lease'],
    };
    socket.write(encodeFrame(nextEncode({ handshake })));
    await waitFor('handshake reply', () => replies.length === 1);
    expect(replies[0]?.['handshakeReply']).toMatchObject({
      accepted: true,
      minor: 0,
      responderId: 'a',
      features: [],
    });

    socket.write(encodeFrame(nextEncode(nextAppend)));
    socket.write(encodeFrame(nextEncode({ ping: { nonce: 1 } })));
    socket.write(
      encodeFrame(nextEncode({ raft: { type: 'MESSAGE_TYPE_WITNESS_PROBE', from: 'b', to: 'a' } })),
    );
    socket.write(
      encodeFrame(
        nextEncode({
          raft: { type: 'MESSAGE_TYPE_HEARTBEAT', from: 'b', to: 'a', term: 5, leaseMs: 3 },
        }),
      ),
    );
    socket.write(
      encodeFrame(
        nextEncode({
          forwardRequest: { id: 42, kind: 'put', payload: Buffer.from('xyz'), deadlineMs: 100 },
        }),
      ),
    );
    await waitFor(
      'two messages and a response',
      () => received.length === 2 && replies.length === 2,
    );

    expect(received.map((m) => (m as { type: string }).type)).toEqual(['append', 'heartbeat']);
    expect(replies[1]?.['forwardResponse']).toMatchObject({ id: 42, error: '' });
    expect(
      Buffer.from((replies[1]?.['forwardResponse'] as { payload: Uint8Array }).payload).toString(),
    ).toBe('b:put:3');
    const stats = listener.stats();
    expect(stats.counters.framesIgnored).toBe(1);
    expect(stats.counters.droppedInvalid).toBe(1);
    expect(stats.counters.connectionsFailed).toBe(0);
    expect(stats.inboundConnections).toBe(1);
  });

  it('newer schema: tcp: 1.0 dialer to 1.1 listener: accepted, frames decode', async () => {
    const frames: Record<string, unknown>[] = [];
    const server = net.createServer((socket) => {
      const decoder = new FrameDecoder();
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const body of decoder.push(chunk)) {
          const frame = nextDecode(body);
          frames.push(frame);
          if (frame['handshake'] === null) continue;
          const reply = {
            accepted: true,
            minor: 0,
            version: NEXT_VERSION,
            responderId: 'b',
            features: ['lease'],
          };
          socket.write(encodeFrame(nextEncode({ handshakeReply: reply })));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sockets = new Set<net.Socket>();
    server.on('connection', (socket) => sockets.add(socket));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );

    const events: PeerStatusEvent[] = [];
    const dialer = new TcpTransport({
      selfId: 'a',
      clusterId: CLUSTER_ID,
      listenUrl: LOOPBACK_URL,
    });
    cleanups.push(() => dialer.close());
    dialer.onPeerStatus((event) => events.push(event));
    await dialer.start();
    dialer.addPeer('b', `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    await waitFor('peer up', () => events.some((event) => event.type === 'up'));
    expect(events.find((event) => event.type === 'up')).toMatchObject({ peerId: 'b', minor: 0 });

    dialer.send([
      makeMessage({ type: 'heartbeat', from: 'a', to: 'b', term: 3, commit: 2, context: 'r1' }),
    ]);
    await waitFor('heartbeat at the 1.1 listener', () => frames.length === 2);
    expect(frames[0]?.['handshake']).toMatchObject({
      clusterId: CLUSTER_ID,
      senderId: 'a',
      receiverId: 'b',
      features: [],
    });
    expect(frames[1]?.['raft']).toMatchObject({
      type: 'MESSAGE_TYPE_HEARTBEAT',
      term: 3,
      commit: 2,
      context: 'r1',
      leaseMs: 0,
    });
  });
});
