// tcp-transport.ts + handshake over real sockets: every refusal reason is logged by the
// listener and by the dialer, nothing is delivered, and strangers that never handshake or send
// something else first are closed with a logged reason.

import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types.js';
import { encodeFrame } from '../../src/transport/frame-codec.js';
import type { VersionRange } from '../../src/transport/handshake.js';
import { encodeMessage } from '../../src/transport/peer-codec.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { PeerStatusEvent } from '../../src/transport/transport.js';
import {
  CLUSTER_ID,
  LOOPBACK_URL,
  captureLogger,
  heartbeat,
  sleep,
  waitFor,
  type CapturedLogger,
} from './transport-fixtures.js';

interface Member {
  readonly transport: TcpTransport;
  readonly log: CapturedLogger;
  readonly events: PeerStatusEvent[];
  readonly received: unknown[];
}

const opened: { close(): Promise<void> | void }[] = [];

async function member(
  id: NodeId,
  options: { clusterId?: string; version?: VersionRange; handshakeTimeoutMs?: number } = {},
): Promise<Member> {
  const log = captureLogger();
  const transport = new TcpTransport({
    selfId: id,
    clusterId: options.clusterId ?? CLUSTER_ID,
    listenUrl: LOOPBACK_URL,
    logger: log.logger,
    limits: {
      reconnectBackoffMsMin: 20,
      reconnectBackoffMsMax: 50,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5_000,
    },
    ...(options.version === undefined ? {} : { version: options.version }),
  });
  opened.push(transport);
  const events: PeerStatusEvent[] = [];
  const received: unknown[] = [];
  transport.onPeerStatus((event) => events.push(event));
  transport.onMessage((message) => received.push(message));
  await transport.start();
  return { transport, log, events, received };
}

afterEach(async () => {
  for (const item of opened.splice(0)) await item.close();
});

/** Dialer `from` (calling listener `a` by `asId`) dials `a`; expects `reason` on both sides. */
async function expectRefusal(
  listener: Member,
  dialer: Member,
  from: NodeId,
  asId: NodeId,
  reason: string,
): Promise<void> {
  dialer.transport.addPeer(asId, listener.transport.listenUrl);
  await waitFor(
    `refusal ${reason} logged on both sides`,
    () =>
      listener.log.find('refused peer handshake', { reason }).length > 0 &&
      dialer.log.find('peer refused our handshake', { reason }).length > 0,
  );
  dialer.transport.send([heartbeat(from, asId)]);
  await sleep(50);
  const refusals = listener.log.find('refused peer handshake', { reason, sender: from });
  expect(refusals[0]?.['level']).toBe(40);
  const detail = dialer.log.find('peer refused our handshake', { reason })[0]?.['detail'];
  expect(detail).toEqual(expect.stringMatching(/.+/));
  expect(refusals.map((line) => line['detail'])).toContain(detail);
  expect(listener.transport.stats().counters.handshakesRefused).toBeGreaterThan(0);
  expect(dialer.transport.stats().counters.handshakesRefused).toBeGreaterThan(0);
  expect(dialer.events.some((event) => event.type === 'up')).toBe(false);
  expect(dialer.events.some((event) => event.type === 'down')).toBe(true);
  expect(listener.received).toHaveLength(0);
  expect(dialer.transport.stats().peers.get(asId)?.connected).toBe(false);
}

describe('tcp-transport: handshake', () => {
  it('handshake: tcp: accepted: both channels report up with the negotiated minor', async () => {
    const a = await member('a', { version: { major: 1, minorMin: 0, minorMax: 3 } });
    const b = await member('b', { version: { major: 1, minorMin: 1, minorMax: 2 } });
    a.transport.addPeer('b', b.transport.listenUrl);
    b.transport.addPeer('a', a.transport.listenUrl);
    await waitFor('up both ways', () => a.events.length > 0 && b.events.length > 0);
    expect(a.events[0]).toEqual({ type: 'up', peerId: 'b', channel: 'messages', minor: 2 });
    expect(b.log.find('peer handshake accepted', { sender: 'a', minor: 2 })).toHaveLength(1);
  });

  it('handshake: tcp: refused: wrong cluster ID', async () => {
    const a = await member('a');
    a.transport.addPeer('b', 'http://127.0.0.1:1');
    const b = await member('b', { clusterId: 'deadbeef' });
    await expectRefusal(a, b, 'b', 'a', 'cluster-mismatch');
  });

  it('handshake: tcp: refused: unknown member', async () => {
    const a = await member('a');
    const d = await member('d');
    await expectRefusal(a, d, 'd', 'a', 'unknown-sender');
  });

  it('handshake: tcp: refused: wrong receiver (dialer took the listener for c)', async () => {
    const a = await member('a');
    a.transport.addPeer('b', 'http://127.0.0.1:1');
    const b = await member('b');
    await expectRefusal(a, b, 'b', 'c', 'wrong-receiver');
  });

  it('handshake: tcp: refused: version outside range (minors disjoint, major 2)', async () => {
    const a = await member('a', { version: { major: 1, minorMin: 0, minorMax: 0 } });
    a.transport.addPeer('b', 'http://127.0.0.1:1');
    a.transport.addPeer('c', 'http://127.0.0.1:1');
    const b = await member('b', { version: { major: 1, minorMin: 1, minorMax: 4 } });
    await expectRefusal(a, b, 'b', 'a', 'version');
    const c = await member('c', { version: { major: 2, minorMin: 0, minorMax: 0 } });
    await expectRefusal(a, c, 'c', 'a', 'version');
  });

  it('handshake: tcp: a repeated refusal is logged once at warn, then at debug', async () => {
    const a = await member('a');
    const d = await member('d');
    d.transport.addPeer('a', a.transport.listenUrl);
    await waitFor('three refusals', () => d.transport.stats().counters.handshakesRefused >= 3);
    expect(
      d.log.find('peer refused our handshake', { reason: 'unknown-sender', level: 40 }),
    ).toHaveLength(1);
    const repeats = d.log.find('peer refused our handshake again', {
      reason: 'unknown-sender',
      level: 20,
    });
    expect(repeats.length).toBeGreaterThanOrEqual(2);
  });

  it('handshake: tcp: a silent stranger is closed after handshakeTimeoutMs', async () => {
    const a = await member('a', { handshakeTimeoutMs: 100 });
    const socket = net.connect(Number(new URL(a.transport.listenUrl).port), '127.0.0.1');
    opened.push({ close: () => void socket.destroy() });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.resume();
    await closed;
    expect(
      a.log.find('closing inbound peer connection', { code: 'KVD_ERR_HANDSHAKE_TIMEOUT' }),
    ).toHaveLength(1);
    expect(a.transport.stats().inboundConnections).toBe(0);
  });

  it('handshake: tcp: a first frame that is not a handshake closes the connection', async () => {
    const a = await member('a');
    a.transport.addPeer('b', 'http://127.0.0.1:1');
    const socket = net.connect(Number(new URL(a.transport.listenUrl).port), '127.0.0.1');
    opened.push({ close: () => void socket.destroy() });
    socket.on('error', () => undefined);
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(encodeFrame(encodeMessage(heartbeat('b', 'a'))));
    await closed;
    expect(
      a.log.find('closing inbound peer connection', { code: 'KVD_ERR_HANDSHAKE_PROTOCOL' }),
    ).toHaveLength(1);
    expect(a.received).toHaveLength(0);
  });

  it('handshake: tcp: a frame over handshakeFrameBytesMax before handshake closes', async () => {
    const a = await member('a');
    const socket = net.connect(Number(new URL(a.transport.listenUrl).port), '127.0.0.1');
    opened.push({ close: () => void socket.destroy() });
    socket.on('error', () => undefined);
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(encodeFrame(new Uint8Array(a.transport.limits.handshakeFrameBytesMax + 1)));
    await closed;
    expect(
      a.log.find('closing inbound peer connection', { code: 'KVD_ERR_FRAME_TOO_LARGE' }),
    ).toHaveLength(1);
  });
});
