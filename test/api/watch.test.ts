// Watches over real loopback sockets: the head comes before any event, streams send one event
// per line, a client that stops reading pushes back on its watcher (and one too far behind is
// ended), a client that leaves unregisters its watcher, and closing the app ends every watch.
// Every wait is bounded.

import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Watcher } from '../../src/store/v2/index.js';
import { makeApp, type TestApp } from './app-helpers.js';
import { makeTarget, openRequest, send, type HttpTarget } from './differential/raw-http.js';
import type { FakeBackendOptions } from './fake-backend.js';

let t: TestApp;
let target: HttpTarget;
let watchers: Watcher[];

async function start(options: FakeBackendOptions = {}): Promise<void> {
  t = makeApp(options);
  watchers = [];
  const watch = t.backend.watch.bind(t.backend);
  t.backend.watch = (watchOptions, callback) => {
    const watcher = watch(watchOptions, callback);
    if (!(watcher instanceof Error)) watchers.push(watcher);
    return watcher;
  };
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  target = makeTarget(
    '127.0.0.1',
    typeof address === 'object' && address !== null ? address.port : 0,
  );
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function write(path: string, value: string): Promise<unknown> {
  return t.backend.write({ method: 'PUT', path, value });
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  target.agent.destroy();
  await t.close();
});

describe('watch: long poll', () => {
  it('answers 200 with the start index before any event, then one event and the end', async () => {
    await write('/a', 'one');
    const open = await openRequest(target, { method: 'GET', path: '/v2/keys/a?wait=true' }, 5000);
    expect(open.status).toBe(200);
    expect(open.headers['x-etcd-index']).toBe('1');
    expect(open.headers['x-raft-index']).toBeDefined();
    expect(open.headers['access-control-allow-origin']).toBe('*');
    expect(t.backend.store.watcherCount).toBe(1);
    await write('/a', 'two');
    const answer = await open.collect({ timeoutMs: 5000 });
    expect(answer.ended).toBe(true);
    expect(JSON.parse(answer.body)).toMatchObject({
      action: 'set',
      node: { value: 'two', modifiedIndex: 2 },
    });
    expect(answer.body.endsWith('}\n')).toBe(true);
    expect(t.backend.store.watcherCount).toBe(0);
  });

  it('a waitIndex in history is answered at once and never registers', async () => {
    await write('/a', 'one');
    await write('/a', 'two');
    const answer = await send(
      target,
      { method: 'GET', path: '/v2/keys/a?wait=true&waitIndex=1' },
      5000,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers['x-etcd-index']).toBe('2');
    expect(JSON.parse(answer.body)).toMatchObject({ node: { value: 'one' } });
    expect(t.backend.store.watcherCount).toBe(0);
  });

  it('a client that leaves unregisters its watcher', async () => {
    const open = await openRequest(target, { method: 'GET', path: '/v2/keys/a?wait=true' }, 5000);
    expect(t.backend.store.watcherCount).toBe(1);
    await open.collect({ timeoutMs: 0 });
    await until(() => t.backend.store.watcherCount === 0, 'the watcher to be cancelled');
    expect(watchers[0]?.ended).toBe(true);
  });

  it('closing the app ends open watches', async () => {
    const open = await openRequest(
      target,
      { method: 'GET', path: '/v2/keys/a?wait=true&stream=true' },
      5000,
    );
    await t.app.close();
    const answer = await open.collect({ timeoutMs: 5000 });
    expect(answer.ended).toBe(true);
    expect(t.backend.store.watcherCount).toBe(0);
  });
});

describe('watch: errors', () => {
  it('a cleared waitIndex is 401 as a plain 400 answer', async () => {
    await t.close();
    await start({ historyEventsMax: 2 });
    for (const value of ['1', '2', '3', '4']) await write('/a', value);
    const answer = await t.request('GET', '/v2/keys/a?wait=true&waitIndex=1');
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['x-raft-index']).toBeUndefined();
    expect(JSON.parse(answer.body)).toEqual({
      errorCode: 401,
      message: 'The event in requested index is outdated and cleared',
      cause: 'the requested history has been cleared [3/1]',
      index: 4,
    });
  });

  it('past watchersMax a watch is refused with 901 and 503', async () => {
    await t.close();
    await start({ watchersMax: 1 });
    const first = await openRequest(target, { method: 'GET', path: '/v2/keys/a?wait=true' }, 5000);
    const second = await t.request('GET', '/v2/keys/b?wait=true');
    expect(second.statusCode).toBe(503);
    expect(JSON.parse(second.body)).toMatchObject({ errorCode: 901 });
    await first.collect({ timeoutMs: 0 });
  });
});

describe('watch: stream', () => {
  it('sends each change as its own JSON line and stays open', async () => {
    const open = await openRequest(
      target,
      { method: 'GET', path: '/v2/keys/d?wait=true&stream=true&recursive=true' },
      5000,
    );
    expect(open.status).toBe(200);
    expect(open.headers['transfer-encoding']).toBe('chunked');
    await write('/d/a', 'one');
    await write('/d/b', 'two');
    await write('/other', 'three');
    const answer = await open.collect({ lines: 2, timeoutMs: 5000 });
    expect(answer.ended).toBe(false);
    const lines = answer.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { node: { key: string } });
    expect(lines.map((line) => line.node.key)).toEqual(['/d/a', '/d/b']);
  });

  it('a client that stops reading holds events in the watcher until it reads again', async () => {
    const { incoming, lines } = await pausedStream(
      '/v2/keys/s?wait=true&stream=true&recursive=true',
    );
    const big = 'x'.repeat(64 * 1024);
    for (let n = 0; n < 200; n++) await write(`/s/${n}`, big);
    expect(watchers[0]?.pendingCount ?? 0).toBeGreaterThan(0);
    incoming.resume();
    await until(() => lines.length >= 200, '200 events after resuming', 15_000);
    const keys = lines.map((line) => (JSON.parse(line) as { node: { key: string } }).node.key);
    expect(keys).toEqual(Array.from({ length: 200 }, (_, n) => `/s/${n}`));
    expect(watchers[0]?.pendingCount).toBe(0);
    incoming.destroy();
  });

  it('a stream too far behind is ended with WatcherLagging', async () => {
    await t.close();
    await start({ streamPendingEventsMax: 4 });
    const { incoming, lines, ended } = await pausedStream(
      '/v2/keys/s?wait=true&stream=true&recursive=true',
    );
    const big = 'x'.repeat(64 * 1024);
    for (let n = 0; n < 200 && watchers[0]?.ended !== true; n++) await write(`/s/${n}`, big);
    expect(watchers[0]?.ended).toBe(true);
    expect(t.backend.store.watcherCount).toBe(0);
    incoming.resume();
    await until(() => ended.value, 'the stream to end', 15_000);
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ errorCode: 902 });
  });
});

/** Opens a stream whose reader is paused; lines are gathered once it resumes. */
function pausedStream(path: string): Promise<{
  incoming: http.IncomingMessage;
  lines: string[];
  ended: { value: boolean };
}> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: target.port, path, agent: false });
    request.on('error', reject);
    request.on('response', (incoming) => {
      incoming.pause();
      const lines: string[] = [];
      const ended = { value: false };
      let partial = '';
      incoming.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop() ?? '';
        lines.push(...parts);
      });
      incoming.on('end', () => (ended.value = true));
      incoming.on('close', () => (ended.value = true));
      resolve({ incoming, lines, ended });
    });
  });
}
