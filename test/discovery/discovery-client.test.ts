// discovery-client against a fake discovery service: the request sequence of etcd's client,
// long-polling, the fast-path "full" check, re-use, duplicates, bad sizes, retries on 5xx and
// refused connections within the budget, and final 4xx / not-a-service answers.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverCluster, type DiscoveryOptions } from '../../src/discovery/discovery-client.js';
import { DiscoveryError, type DiscoveryErrorCode } from '../../src/discovery/discovery-error.js';
import { FakeDiscoveryServer } from './fake-discovery-server.js';

const servers: FakeDiscoveryServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function fake(size: string | null = '3'): Promise<FakeDiscoveryServer> {
  const server = await new FakeDiscoveryServer(size).start();
  servers.push(server);
  return server;
}

interface Logged { lines: string[] }

function optionsFor(tokenUrl: string, log: Logged, overrides: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return {
    tokenUrl, name: 'm1', peerUrls: ['http://127.0.0.1:40001'], memberId: 'aa01', dataDir: '/nowhere/m1',
    timeoutMs: 2000, backoffMsBase: 20, backoffMsMax: 100, requestTimeoutMs: 1000, watchRepollMs: 5000,
    log: { info: (l) => log.lines.push(`I ${l}`), warn: (l) => log.lines.push(`W ${l}`) },
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>, code: DiscoveryErrorCode): Promise<string> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DiscoveryError);
  expect((error as DiscoveryError).code).toBe(code);
  return (error as DiscoveryError).message;
}

describe('discovery client: happy paths', () => {
  it('client: follows etcd\'s request sequence and completes with the last registration', async () => {
    const server = await fake('3');
    server.register('bb02', 'm2=http://127.0.0.1:40002');
    server.register('cc03', 'm3=http://127.0.0.1:40003');
    const result = await discoverCluster(optionsFor(server.tokenUrl, { lines: [] }));
    expect(result.members.map((m) => m.name)).toEqual(['m2', 'm3', 'm1']);
    const t = `/${server.token}`;
    expect(server.requests).toEqual([
      `GET ${t}/_config/size?quorum=false&recursive=false&sorted=false`,
      `GET ${t}?quorum=false&recursive=false&sorted=false`,
      `PUT ${t}/aa01?prevExist=false`,
      `GET ${t}/aa01?recursive=false&wait=true&waitIndex=8`,
      `GET ${t}/_config/size?quorum=false&recursive=false&sorted=false`,
      `GET ${t}?quorum=false&recursive=false&sorted=false`,
    ]);
    expect(server.registered()).toEqual(['bb02', 'cc03', 'aa01']);
  });

  it('client: long-polls a recursive watch from X-Etcd-Index + 1 until size members registered', async () => {
    const server = await fake('3');
    const log = { lines: [] as string[] };
    const done = discoverCluster(optionsFor(server.tokenUrl, log));
    await until(() => server.requests.some((r) => r.includes('recursive=true&wait=true')));
    expect(server.requests.at(-1)).toBe(`GET /${server.token}?recursive=true&wait=true&waitIndex=7`);
    server.register('bb02', 'm2=http://127.0.0.1:40002');
    await until(() => server.requests.at(-1)!.endsWith('waitIndex=8'));
    server.register('cc03', 'm3=http://127.0.0.1:40003,m3=http://127.0.0.1:40004');
    const result = await done;
    expect(result.members.map((m) => m.id)).toEqual(['aa01', 'bb02', 'cc03']);
    expect(result.members[2]!.peerUrls).toEqual(['http://127.0.0.1:40003', 'http://127.0.0.1:40004']);
    expect(log.lines.join('\n')).toContain('found peer bb02');
  });

  it('client: a size-1 token needs no watch', async () => {
    const server = await fake('1');
    const result = await discoverCluster(optionsFor(server.tokenUrl, { lines: [] }));
    expect(result.members.map((m) => m.id)).toEqual(['aa01']);
    expect(server.requests.some((r) => r.includes('recursive=true'))).toBe(false);
  });

  it('client: resumes an unfinished earlier registration of its own instead of failing', async () => {
    const server = await fake('2');
    server.register('aa01', 'm1=http://127.0.0.1:40001');
    const done = discoverCluster(optionsFor(server.tokenUrl, { lines: [] }));
    await until(() => server.requests.some((r) => r.includes('recursive=true')));
    expect(server.requests.some((r) => r.startsWith('PUT'))).toBe(false);
    server.register('bb02', 'm2=http://127.0.0.1:40002');
    expect((await done).members.map((m) => m.name)).toEqual(['m1', 'm2']);
  });

  it('client: a quiet watch and a 401 (history cleared) both lead to a fresh listing, not a failure', async () => {
    const server = await fake('2');
    let watches = 0;
    server.intercept = (req, res) => {
      if (!req.url!.includes('recursive=true')) return false;
      watches++;
      if (watches === 1) {
        res.writeHead(400, { 'content-type': 'application/json', 'x-etcd-index': '99' });
        res.end(JSON.stringify({ errorCode: 401, message: 'The event in requested index is outdated and cleared', index: 99 }));
        return true;
      }
      if (watches === 3) server.register('bb02', 'm2=http://127.0.0.1:40002');
      return false;
    };
    const result = await discoverCluster(optionsFor(server.tokenUrl, { lines: [] }, { watchRepollMs: 200 }));
    expect(result.members.map((m) => m.id)).toEqual(['aa01', 'bb02']);
    expect(watches).toBeGreaterThanOrEqual(2);
  });
});

describe('discovery client: mistakes', () => {
  it('client: a full token fails before registering, naming size, members and member add', async () => {
    const server = await fake('2');
    server.register('bb02', 'm2=http://127.0.0.1:40002');
    server.register('cc03', 'm3=http://127.0.0.1:40003');
    const message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_FULL');
    expect(message).toContain('is full: it was made for a cluster of 2');
    expect(message).toContain('m2 (bb02) at http://127.0.0.1:40002; m3 (cc03) at http://127.0.0.1:40003');
    expect(message).toContain('"kvctl member add m1 --peer-urls http://127.0.0.1:40001"');
    expect(message).toContain('etcdctl member add m1');
    expect(server.requests.some((r) => r.startsWith('PUT'))).toBe(false);
    expect(server.registered()).toEqual(['bb02', 'cc03']);
  });

  it('client: losing the registration race (registered after size others) is "full" too', async () => {
    const server = await fake('2');
    server.beforeCreate = (id) => {
      if (id !== 'aa01') return;
      server.register('bb02', 'm2=http://127.0.0.1:40002');
      server.register('cc03', 'm3=http://127.0.0.1:40003');
    };
    const message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_FULL');
    expect(message).toContain('registered too, but after them');
  });

  it('client: its own ID in a complete token means the token was used: new token per cluster', async () => {
    const server = await fake('3');
    server.register('aa01', 'm1=http://127.0.0.1:40001');
    server.register('bb02', 'm2=http://127.0.0.1:40002');
    server.register('cc03', 'm3=http://127.0.0.1:40003');
    const message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_TOKEN_USED');
    expect(message).toContain('already registered in the token');
    expect(message).toContain('the data dir /nowhere/m1 holds no member');
    expect(message).toContain(`"kvctl discovery new --size 3 --endpoints ${server.base}"`);
    expect(message).toContain(`"curl '${server.base}/new?size=3'"`);
  });

  it('client: its peer URL registered under another name is a used token as well', async () => {
    const server = await fake('3');
    server.register('aa01', 'old-name=http://127.0.0.1:40001');
    const message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_TOKEN_USED');
    expect(message).toContain('as "old-name=http://127.0.0.1:40001", but this member is --name m1');
  });

  it('client: a name already registered by another member fails before registering', async () => {
    const server = await fake('3');
    server.register('bb02', 'm1=http://127.0.0.1:40002');
    const message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_DUPLICATE');
    expect(message).toContain('two registrations with the name "m1"');
    expect(message).toContain('did not register, so the token is unchanged');
    expect(server.registered()).toEqual(['bb02']);
  });

  it('client: a duplicate name that registers concurrently spoils the token and is reported', async () => {
    const server = await fake('2');
    const done = discoverCluster(optionsFor(server.tokenUrl, { lines: [] }));
    await until(() => server.requests.some((r) => r.includes('recursive=true')));
    server.register('bb02', 'm1=http://127.0.0.1:40002');
    const message = await failure(done, 'KVD_ERR_DISCOVERY_DUPLICATE');
    expect(message).toContain('cannot bootstrap a cluster any more');
  });

  for (const size of ['abc', '0', '-2', '']) {
    it(`client: size ${JSON.stringify(size)} is refused before registering`, async () => {
      const server = await fake(size);
      const message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_BAD_SIZE');
      expect(message).toContain(`has size ${JSON.stringify(size)}`);
      expect(message).toContain('not a whole number');
      expect(server.registered()).toEqual([]);
    });
  }

  it('client: a token that does not exist (404 errorCode 100) is final and explained', async () => {
    const server = await fake(null);
    const message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_NO_TOKEN');
    expect(message).toContain('does not exist');
    expect(server.requests).toHaveLength(1);
  });

  it('client: another 4xx etcd error is final, never retried', async () => {
    const server = await fake('3');
    server.intercept = (_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorCode: 110, message: 'The request requires user authentication', cause: 'Insufficient credentials', index: 0 }));
      return true;
    };
    const message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_REFUSED');
    expect(message).toContain('403 etcd error 110');
    expect(server.requests).toHaveLength(1);
  });

  it('client: a text 404 or an HTML page means "not a discovery service"', async () => {
    const server = await fake('3');
    let message = await failure(discoverCluster(optionsFor(`${server.base}/robots.txt`, { lines: [] })), 'KVD_ERR_DISCOVERY_NOT_A_SERVICE');
    expect(message).toContain('is not a discovery service');
    expect(message).toContain('404 text/plain "404 page not found"');
    server.intercept = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>hello</body></html>');
      return true;
    };
    message = await failure(discoverCluster(optionsFor(server.tokenUrl, { lines: [] })), 'KVD_ERR_DISCOVERY_NOT_A_SERVICE');
    expect(message).toContain('200 text/html "<html>');
  });

  it('client: the token removed while waiting is reported', async () => {
    const server = await fake('3');
    const done = discoverCluster(optionsFor(server.tokenUrl, { lines: [] }));
    await until(() => server.requests.some((r) => r.includes('recursive=true')));
    server.expireToken();
    const message = await failure(done, 'KVD_ERR_DISCOVERY_NO_TOKEN');
    expect(message).toContain('was removed (expire) while this member waited');
  });
});

describe('discovery client: retries', () => {
  it('client: 5xx answers are retried with doubling back-off and logged each time', async () => {
    const server = await fake('1');
    server.intercept = (_req, res, n) => {
      if (n > 2) return false;
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorCode: 300, message: 'Raft Internal Error', index: 0 }));
      return true;
    };
    const log = { lines: [] as string[] };
    const result = await discoverCluster(optionsFor(server.tokenUrl, log));
    expect(result.members).toHaveLength(1);
    const retries = log.lines.filter((l) => l.includes('retrying in'));
    expect(retries).toHaveLength(2);
    expect(retries[0]).toContain('server error 503');
    expect(retries[0]).toContain('retrying in 20ms');
    expect(retries[1]).toContain('retrying in 40ms');
  });

  it('client: a refused connection is retried until --discovery-timeout, then gives up with a clear message', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const log = { lines: [] as string[] };
    const url = `http://127.0.0.1:${port}/v2/keys/_etcd/registry/0123456789abcdef0123456789abcdef`;
    const started = Date.now();
    const message = await failure(discoverCluster(optionsFor(url, log, { timeoutMs: 400 })), 'KVD_ERR_DISCOVERY_UNREACHABLE');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(message).toContain('gave up on the discovery service');
    expect(message).toContain('--discovery-timeout 400ms');
    expect(message).toContain('ECONNREFUSED');
    expect(log.lines.filter((l) => l.includes('retrying in')).length).toBeGreaterThanOrEqual(3);
  });

  it('client: a failed registration PUT looks again and resumes when the PUT did land', async () => {
    const server = await fake('1');
    let puts = 0;
    server.intercept = (req, res) => {
      if (req.method !== 'PUT' || ++puts > 1) return false;
      server.register('aa01', 'm1=http://127.0.0.1:40001'); // applied, but the answer is lost
      res.destroy();
      return true;
    };
    const result = await discoverCluster(optionsFor(server.tokenUrl, { lines: [] }));
    expect(result.members.map((m) => m.id)).toEqual(['aa01']);
    expect(puts).toBe(1);
  });
});

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
