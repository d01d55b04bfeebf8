// One conformance suite for every Transport (TcpTransport and its in-memory twin), as
// hashicorp/raft does for its seams: ordering, drop counting, request/response, timeouts,
// snapshots, peer removal and close. Each implementation's test file calls it with a factory.

import { afterEach, describe, expect, it } from 'vitest';
import { isKvdError } from '../../src/lib/errors.js';
import { Prng } from '../../src/lib/prng.js';
import { makeMessage, type Message, type NodeId } from '../../src/raft/types.js';
import type { PeerStatusEvent, Transport } from '../../src/transport/transport.js';
import { appendMessage, heartbeat, plain, sleep, testSeed, waitFor } from './transport-fixtures.js';

export interface ConformanceCluster {
  readonly transports: ReadonlyMap<NodeId, Transport>;
  readonly received: ReadonlyMap<NodeId, Message[]>;
  readonly events: ReadonlyMap<NodeId, PeerStatusEvent[]>;
  /** Closes everything the cluster opened. */
  close(): Promise<void>;
}

export type StartCluster = (ids: readonly NodeId[]) => Promise<ConformanceCluster>;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isKvdError(error) ? error.code : `not a KvdError: ${String(error)}`;
  }
}

export function describeTransportConformance(name: string, start: StartCluster): void {
  describe(`${name}: conformance`, () => {
    let cluster: ConformanceCluster | undefined;
    const open = async (ids: readonly NodeId[]): Promise<ConformanceCluster> => {
      cluster = await start(ids);
      return cluster;
    };
    const get = <T>(map: ReadonlyMap<NodeId, T>, id: NodeId): T => {
      const value = map.get(id);
      if (value === undefined) throw new Error(`no member ${id}`);
      return value;
    };
    afterEach(async () => {
      await cluster?.close();
      cluster = undefined;
    });

    it(`${name}: conformance: messages arrive in order, each at its addressee`, async () => {
      const c = await open(['a', 'b', 'c']);
      const random = new Prng(testSeed(`${name} ordering`));
      const sent: Message[] = [];
      for (let i = 0; i < 60; i++)
        sent.push(appendMessage('a', i % 3 === 0 ? 'c' : 'b', i, random));
      get(c.transports, 'a').send(sent);
      await waitFor(
        'all delivered',
        () => get(c.received, 'b').length + get(c.received, 'c').length === 60,
      );
      expect(plain(get(c.received, 'b'))).toEqual(plain(sent.filter((m) => m.to === 'b')));
      expect(plain(get(c.received, 'c'))).toEqual(plain(sent.filter((m) => m.to === 'c')));
      expect(get(c.transports, 'a').stats().counters.messagesSent).toBe(60);
      expect(get(c.transports, 'b').stats().counters.messagesReceived).toBe(40);
    });

    it(`${name}: conformance: messages to an unknown peer are dropped and counted`, async () => {
      const c = await open(['a', 'b']);
      get(c.transports, 'a').send([
        heartbeat('a', 'ee'),
        heartbeat('a', 'ef'),
        heartbeat('a', 'b'),
      ]);
      await waitFor('known one delivered', () => get(c.received, 'b').length === 1);
      expect(get(c.transports, 'a').stats().counters.droppedUnknownPeer).toBe(2);
    });

    it(`${name}: conformance: request gets the handler's answer, sender known`, async () => {
      const c = await open(['a', 'b']);
      get(c.transports, 'b').onRequest((from, kind, payload) =>
        Promise.resolve(Buffer.from(`${from}/${kind}/${Buffer.from(payload).toString()}`)),
      );
      const answer = await get(c.transports, 'a').request('b', 'put', Buffer.from('k=v'), 2_000);
      expect(Buffer.from(answer).toString()).toBe('a/put/k=v');
    });

    it(`${name}: conformance: a rejecting handler gives KVD_ERR_REQUEST_FAILED`, async () => {
      const c = await open(['a', 'b']);
      get(c.transports, 'b').onRequest(() => Promise.reject(new Error('not leader')));
      const failure = get(c.transports, 'a').request('b', 'put', new Uint8Array(0), 2_000);
      expect(await codeOf(failure)).toBe('KVD_ERR_REQUEST_FAILED');
      await expect(
        get(c.transports, 'a').request('b', 'put', new Uint8Array(0), 2_000),
      ).rejects.toThrow(/not leader/);
    });

    it(`${name}: conformance: an unanswered request gives KVD_ERR_REQUEST_TIMEOUT`, async () => {
      const c = await open(['a', 'b']);
      get(c.transports, 'b').onRequest(() => new Promise<Uint8Array>(() => undefined));
      const started = Date.now();
      expect(await codeOf(get(c.transports, 'a').request('b', 'get', new Uint8Array(0), 80))).toBe(
        'KVD_ERR_REQUEST_TIMEOUT',
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    });

    it(`${name}: conformance: request to an unknown peer: KVD_ERR_PEER_UNKNOWN`, async () => {
      const c = await open(['a', 'b']);
      expect(
        await codeOf(get(c.transports, 'a').request('ee', 'get', new Uint8Array(0), 1_000)),
      ).toBe('KVD_ERR_PEER_UNKNOWN');
    });

    it(`${name}: conformance: close rejects requests with KVD_ERR_TRANSPORT_CLOSED`, async () => {
      const c = await open(['a', 'b']);
      get(c.transports, 'b').onRequest(() => new Promise<Uint8Array>(() => undefined));
      const pending = codeOf(get(c.transports, 'a').request('b', 'get', new Uint8Array(0), 5_000));
      await sleep(20);
      await get(c.transports, 'a').close();
      expect(await pending).toBe('KVD_ERR_TRANSPORT_CLOSED');
      expect(await codeOf(get(c.transports, 'a').request('b', 'get', new Uint8Array(0), 100))).toBe(
        'KVD_ERR_TRANSPORT_CLOSED',
      );
    });

    it(`${name}: conformance: a snapshot arrives whole and snapshot-sent is reported`, async () => {
      const c = await open(['a', 'b']);
      const data = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
      const meta = { index: 42, term: 3, conf: { voters: ['a', 'b'], learners: [] } };
      const message = makeMessage({
        type: 'snapshot',
        from: 'a',
        to: 'b',
        term: 3,
        snapshot: { meta, data },
      });
      get(c.transports, 'a').send([message]);
      await waitFor('snapshot delivered', () => get(c.received, 'b').length === 1);
      const got = get(c.received, 'b')[0];
      expect(got?.snapshot?.meta).toEqual(meta);
      expect(Buffer.compare(Buffer.from(got?.snapshot?.data ?? []), Buffer.from(data))).toBe(0);
      await waitFor('snapshot-sent', () =>
        get(c.events, 'a').some((e) => e.type === 'snapshot-sent'),
      );
      expect(get(c.events, 'a').find((e) => e.type === 'snapshot-sent')).toEqual({
        type: 'snapshot-sent',
        peerId: 'b',
        index: 42,
      });
      expect(get(c.transports, 'b').stats().counters.snapshotsReceived).toBe(1);
    });

    it(`${name}: conformance: a removed peer's messages are no longer delivered`, async () => {
      const c = await open(['a', 'b']);
      get(c.transports, 'a').send([heartbeat('a', 'b', 1)]);
      await waitFor('first delivered', () => get(c.received, 'b').length === 1);
      get(c.transports, 'b').removePeer('a');
      await sleep(30);
      get(c.transports, 'a').send([heartbeat('a', 'b', 2)]);
      await sleep(100);
      expect(get(c.received, 'b').map((m) => m.term)).toEqual([1]);
      get(c.transports, 'a').removePeer('b');
      get(c.transports, 'a').send([heartbeat('a', 'b', 3)]);
      expect(get(c.transports, 'a').stats().counters.droppedUnknownPeer).toBe(1);
    });

    it(`${name}: conformance: addPeer refuses anything but http://host:port`, async () => {
      const c = await open(['a']);
      for (const address of [
        'https://127.0.0.1:2380',
        'unix:///tmp/x',
        '127.0.0.1:2380',
        'http://127.0.0.1:2380/path',
      ]) {
        let code = '';
        try {
          get(c.transports, 'a').addPeer('b', address);
        } catch (error) {
          code = isKvdError(error) ? error.code : String(error);
        }
        expect(code, address).toBe('KVD_ERR_PEER_ADDRESS_INVALID');
      }
      expect(get(c.transports, 'a').stats().peers.size).toBe(0);
    });
  });
}
