// kvctl's HTTP client in-process against small local servers: which failures move on to the
// next endpoint (refused connections always; timeouts only for GET, since a write that may
// have arrived must not be repeated elsewhere), the endpoint that answered is tried first
// next time, and the helpers for durations, endpoints and tables.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KvClient, normalizeEndpoint, parseEndpoints } from '../../src/cli/client.js';
import { parseDurationMs } from '../../src/cli/duration.js';
import { UnreachableError, UsageError } from '../../src/cli/exit-codes.js';
import { renderTable } from '../../src/cli/output.js';

const servers: Server[] = [];

/** A server that records each request and answers with `answer` (or never, if it is null). */
async function server(
  answer: ((res: ServerResponse) => void) | null,
): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const s = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (answer !== null) answer(res);
  });
  servers.push(s);
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

const ok = (res: ServerResponse): void => {
  res.setHeader('content-type', 'application/json');
  res.end('{"ok":true}');
};

/** A loopback port nothing listens on: a server bound and closed again. */
async function deadEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((done) => s.close(() => done()));
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((done) => s.close(() => done()));
  }
});

describe('kvctl client', () => {
  it('client: a refused connection moves on to the next endpoint, for writes too', async () => {
    const dead = await deadEndpoint();
    const live = await server(ok);
    const client = new KvClient({ endpoints: [dead, live.url], timeoutMs: 2000 });
    const reply = await client.request({ method: 'PUT', path: '/v2/keys/a', form: { value: '1' } });
    expect(reply.status).toBe(200);
    expect(reply.endpoint).toBe(live.url);
    expect(live.seen).toEqual(['PUT /v2/keys/a']);
  });

  it('client: a GET that times out is retried at the next endpoint', async () => {
    const silent = await server(null);
    const live = await server(ok);
    const client = new KvClient({ endpoints: [silent.url, live.url], timeoutMs: 300 });
    const reply = await client.request({
      method: 'GET',
      path: '/v2/keys/a',
      query: { quorum: true },
    });
    expect(reply.endpoint).toBe(live.url);
    expect(silent.seen).toEqual(['GET /v2/keys/a?quorum=true']);
    expect(live.seen).toEqual(['GET /v2/keys/a?quorum=true']);
  });

  it('client: a write that times out is not repeated elsewhere: effect unknown', async () => {
    const silent = await server(null);
    const live = await server(ok);
    const client = new KvClient({ endpoints: [silent.url, live.url], timeoutMs: 300 });
    const put = client.request({ method: 'PUT', path: '/v2/keys/a', form: { value: '1' } });
    await expect(put).rejects.toThrow(UnreachableError);
    await expect(put).rejects.toThrow(
      /failed after it was sent \(timed out after 300 ms\): it may or may not/,
    );
    expect(live.seen).toEqual([]);
  });

  it('client: the endpoint that answered is tried first next time', async () => {
    const dead = await deadEndpoint();
    const live = await server(ok);
    const client = new KvClient({ endpoints: [dead, live.url], timeoutMs: 2000 });
    await client.request({ method: 'GET', path: '/x' });
    const dying = live.seen.length;
    await client.request({ method: 'GET', path: '/y' });
    expect(live.seen.slice(dying)).toEqual(['GET /y']);
  });

  it('client: every endpoint down is one UnreachableError naming each', async () => {
    const [a, b] = [await deadEndpoint(), await deadEndpoint()];
    const client = new KvClient({ endpoints: [a, b], timeoutMs: 500 });
    await expect(client.request({ method: 'GET', path: '/v2/keys/a' })).rejects.toThrow(
      `no endpoint answered (${a}: connection refused; ${b}: connection refused)`,
    );
  });

  it('client: endpoints get a scheme, lose a trailing slash, and must be http(s) URLs', () => {
    expect(parseEndpoints('127.0.0.1:2379, http://h:1/ ,')).toEqual([
      'http://127.0.0.1:2379',
      'http://h:1',
    ]);
    expect(() => normalizeEndpoint('ftp://h:1')).toThrow(UsageError);
    expect(() => new KvClient({ endpoints: [], timeoutMs: 1 })).toThrow(UsageError);
  });

  it('duration: ms, s, m, h and bare seconds; nonsense and zero are usage errors', () => {
    expect([
      parseDurationMs('500ms', 'x'),
      parseDurationMs('2s', 'x'),
      parseDurationMs('1.5', 'x'),
      parseDurationMs('2m', 'x'),
      parseDurationMs('1h', 'x'),
    ]).toEqual([500, 2000, 1500, 120_000, 3_600_000]);
    for (const bad of ['', 'soon', '0', '-1s', '5d'])
      expect(() => parseDurationMs(bad, '--t')).toThrow(UsageError);
  });

  it('output: tables are bordered with every column as wide as its widest cell', () => {
    expect(
      renderTable(
        ['ID', 'NAME'],
        [
          ['1', 'alpha'],
          ['22', 'b'],
        ],
      ),
    ).toBe(
      '+----+-------+\n| ID | NAME  |\n+----+-------+\n' +
        '| 1  | alpha |\n| 22 | b     |\n+----+-------+\n',
    );
  });
});
