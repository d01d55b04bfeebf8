// Request/response forwarding over TCP beyond the conformance suite: failures of the link
// (unreachable, lost mid-request), size and concurrency limits, and many requests in flight.

import { afterEach, describe, expect, it } from 'vitest';
import { isKvdError } from '../../src/lib/errors.js';
import {
  closeAll,
  sleep,
  startTcpCluster,
  waitConnected,
  waitFor,
  type TcpMember,
} from './transport-fixtures.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isKvdError(error) ? `${error.code}` : `not a KvdError: ${String(error)}`;
  }
}

describe('tcp-transport: request forwarding', () => {
  let members: TcpMember[] = [];
  afterEach(async () => {
    await closeAll(members);
    members = [];
  });

  it('request: 200 concurrent requests each get their own answer', async () => {
    members = await startTcpCluster(['a', 'b']);
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    b.transport.onRequest(async (_from, kind, payload) => {
      await sleep(payload[0] ?? 0);
      return Buffer.from(`${kind}:${payload[0]}`);
    });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        a.transport.request('b', `k${i}`, Uint8Array.of(i % 7), 5_000),
      ),
    );
    expect(answers.map((answer) => Buffer.from(answer).toString())).toEqual(
      Array.from({ length: 200 }, (_, i) => `k${i}:${i % 7}`),
    );
  });

  it('request: to a peer that is down rejects at once with KVD_ERR_PEER_UNREACHABLE', async () => {
    members = await startTcpCluster(['a']);
    const [a] = members as [TcpMember];
    a.transport.addPeer('b', 'http://127.0.0.1:1');
    await waitFor('backing off', () => a.log.find('peer redial scheduled').length > 0);
    const started = Date.now();
    expect(await codeOf(a.transport.request('b', 'get', new Uint8Array(0), 5_000))).toBe(
      'KVD_ERR_PEER_UNREACHABLE',
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('request: connection dies mid-request: KVD_ERR_PEER_UNREACHABLE', async () => {
    members = await startTcpCluster(['a', 'b']);
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    b.transport.onRequest(() => new Promise<Uint8Array>(() => undefined));
    const pending = codeOf(a.transport.request('b', 'get', new Uint8Array(0), 5_000));
    await sleep(30);
    await b.transport.close();
    expect(await pending).toBe('KVD_ERR_PEER_UNREACHABLE');
  });

  it('request: a payload over frameBytesMax rejects with KVD_ERR_FRAME_TOO_LARGE', async () => {
    members = await startTcpCluster(['a', 'b'], {
      limits: { frameBytesMax: 64 * 1024, snapshotChunkBytesMax: 16 * 1024 },
    });
    await waitConnected(members);
    const [a] = members as [TcpMember];
    expect(await codeOf(a.transport.request('b', 'put', new Uint8Array(70_000), 1_000))).toBe(
      'KVD_ERR_FRAME_TOO_LARGE',
    );
  });

  it('request: beyond requestsInflightMax the answer is busy (REQUEST_FAILED)', async () => {
    members = await startTcpCluster(['a', 'b'], { limits: { requestsInflightMax: 2 } });
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    const release: (() => void)[] = [];
    b.transport.onRequest(
      () => new Promise<Uint8Array>((resolve) => release.push(() => resolve(Uint8Array.of(1)))),
    );
    const held = [
      a.transport.request('b', 'x', new Uint8Array(0), 5_000),
      a.transport.request('b', 'x', new Uint8Array(0), 5_000),
    ];
    await waitFor('two held', () => release.length === 2);
    const third = a.transport.request('b', 'x', new Uint8Array(0), 5_000);
    await expect(third).rejects.toThrow(/busy/);
    release.forEach((fn) => fn());
    expect((await Promise.all(held)).map((answer) => answer[0])).toEqual([1, 1]);
  });

  it('request: a late answer after the timeout is ignored', async () => {
    members = await startTcpCluster(['a', 'b']);
    await waitConnected(members);
    const [a, b] = members as [TcpMember, TcpMember];
    b.transport.onRequest(async () => {
      await sleep(100);
      return Uint8Array.of(1);
    });
    expect(await codeOf(a.transport.request('b', 'x', new Uint8Array(0), 20))).toBe(
      'KVD_ERR_REQUEST_TIMEOUT',
    );
    await sleep(150);
    expect(a.log.find('late response ignored')).toHaveLength(1);
    expect(Buffer.from(await a.transport.request('b', 'x', new Uint8Array(0), 1_000))[0]).toBe(1);
  });
});
