// Reconnect: a peer restarts on the same address. While it is down messages are dropped and
// counted and one 'down' is reported; after it is back the dialer reconnects on its own
// (capped exponential backoff with jitter) and messages flow again.

import { afterEach, describe, expect, it } from 'vitest';
import { Prng } from '../../src/lib/prng.js';
import { backoffDelayMs } from '../../src/transport/backoff.js';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type { PeerStatusEvent } from '../../src/transport/transport.js';
import {
  CLUSTER_ID,
  closeAll,
  heartbeat,
  sleep,
  startTcpCluster,
  testSeed,
  waitConnected,
  waitFor,
  type TcpMember,
} from './transport-fixtures.js';

describe('tcp-transport: reconnect', () => {
  let members: TcpMember[] = [];
  const extra: TcpTransport[] = [];
  afterEach(async () => {
    await closeAll(members);
    await Promise.all(extra.splice(0).map((transport) => transport.close()));
    members = [];
  });

  it('reconnect: peer restarts on its port: one down, drops counted, then flowing', async () => {
    members = await startTcpCluster(['a', 'b'], { seed: testSeed('reconnect') });
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    const events: PeerStatusEvent[] = [];
    a.transport.onPeerStatus((event) => events.push(event));
    const url = b.transport.listenUrl;
    await b.transport.close();
    await waitFor('down', () => events.some((event) => event.type === 'down'));
    a.transport.send([heartbeat('a', 'b', 1)]);
    await sleep(300);
    a.transport.send([heartbeat('a', 'b', 2)]);
    expect(a.transport.stats().counters.droppedUnreachable).toBeGreaterThanOrEqual(2);
    expect(events.filter((event) => event.type === 'down')).toHaveLength(1);

    const restarted = new TcpTransport({ selfId: 'b', clusterId: CLUSTER_ID, listenUrl: url });
    extra.push(restarted);
    const received: number[] = [];
    restarted.onMessage((message) => received.push(message.term));
    restarted.addPeer('a', a.transport.listenUrl);
    await restarted.start();
    await waitFor('up again', () => events.some((event) => event.type === 'up'), 5_000);
    a.transport.send([heartbeat('a', 'b', 3)]);
    await waitFor('flowing again', () => received.includes(3));
    expect(received).not.toContain(1);
    expect(a.log.find('peer connection lost')).toHaveLength(1);
    expect(a.log.find('peer connected').length).toBe(2);
  });

  it('reconnect: backoff: doubles from min, capped at max, jitter in [half, all]', () => {
    const random = new Prng(testSeed('backoff'));
    const limits = { reconnectBackoffMsMin: 100, reconnectBackoffMsMax: 5_000 };
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(5_000, 100 * 2 ** attempt);
      for (let i = 0; i < 10; i++) {
        const delay = backoffDelayMs(attempt, limits, random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
    const same = (seed: number): number[] =>
      Array.from({ length: 5 }, (_, i) => backoffDelayMs(i, limits, new Prng(seed)));
    expect(same(7)).toEqual(same(7));
  });
});
